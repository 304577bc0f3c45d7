// Reads a standalone FILE (DESIGN "Standalone configuration (contract)") into the data the
// speaker elects over. Pure apart from the text it is given: the allocation comes from `plan`
// (the same deterministic allocator every node runs), so every node agrees on every IP.
import { parseAllDocuments } from 'yaml';
import {
  advertisementsForPool,
  buildConfig,
  type Config,
  canonicalAddress,
  type Fields,
  isFields,
  parseService,
  type ServiceSpec,
  type SourceObject,
} from '../config/index.js';
import { type ClusterSpec, isClusterDocument, parseCluster } from './cluster.js';
import type { StandaloneService } from './ownership.js';

/** Namespace of objects written without one (as a cluster's API server would default it). */
const FILE_NAMESPACE = 'default';
/** The advertisement implied when FILE has none: every pool, every member, every interface. */
const IMPLIED_ADVERTISEMENT: Fields = {
  apiVersion: 'metallb.io/v1beta1',
  kind: 'L2Advertisement',
  metadata: { name: 'ferrolb-implied', namespace: FILE_NAMESPACE },
  spec: {},
};

/** Everything a standalone node runs on. */
export interface StandaloneConfig {
  readonly cluster: ClusterSpec;
  /** Services that got IPs, in file order. */
  readonly services: readonly StandaloneService[];
  /** Non-fatal findings (ignored kinds, Services without an IP and why). */
  readonly warnings: readonly string[];
}

/** The allocation `plan` computes (src/controller/plan.ts), reduced to what is read here. */
export interface PlanOutcome {
  readonly services: Readonly<
    Record<string, { readonly ips?: readonly string[]; readonly pool?: string; readonly error?: string }>
  >;
}

/** The allocator: `planDocuments(documents, {namespace, anyNamespace: true})`. */
export type PlanFunction = (
  documents: unknown[],
  options: { namespace: string; anyNamespace?: boolean },
) => PlanOutcome;

/** The configuration, or a message naming document, object, field and reason. */
export type LoadResult =
  | { readonly ok: true; readonly value: StandaloneConfig }
  | { readonly ok: false; readonly message: string };

interface Sorted {
  clusters: SourceObject[];
  pools: SourceObject[];
  advertisements: SourceObject[];
  services: SourceObject[];
  warnings: string[];
}

/**
 * Parses FILE's text; any invalid document rejects the whole file (as MetalLB, V14). `running`
 * (SIGHUP) are the allocations in use: they are restored before any new one is made (C8, as the
 * controller restores ingress), so a reload never moves an IP the new FILE still allows.
 */
export function loadStandaloneConfig(
  text: string,
  plan: PlanFunction,
  running: readonly StandaloneService[] = [],
): LoadResult {
  const documents = readDocuments(text);
  if (!documents.ok) return documents;
  const sorted = sortDocuments(documents.value);
  if (!sorted.ok) return sorted;
  const cluster = readCluster(sorted.value.clusters);
  if (!cluster.ok) return cluster;
  const { pools, warnings } = sorted.value;
  const serviceObjects = withRunningIngress(sorted.value.services, running);
  const advertisements = sorted.value.advertisements.length > 0 ? sorted.value.advertisements : [implied()];
  const built = buildConfig(
    { pools, l2Advertisements: advertisements, namespaces: [] },
    { namespace: FILE_NAMESPACE, anyNamespace: true },
  );
  const problem = built.problems.find((entry) => entry.severity === 'invalid');
  if (problem)
    return failure(`${problem.source} (${problem.object}): ${problem.field ?? 'object'}: ${problem.message}`);
  const specs = parseServices(serviceObjects);
  if (!specs.ok) return specs;
  const outcome = plan(
    [...pools, ...advertisements, ...serviceObjects].map((item) => item.object),
    {
      namespace: FILE_NAMESPACE,
      anyNamespace: true,
    },
  );
  const allocated = allocatedServices(specs.value, outcome, built.config, warnings);
  const services = withoutMemberAddresses(allocated, cluster.value, warnings);
  return { ok: true, value: { cluster: cluster.value, services, warnings } };
}

/** Writes each running Service's IPs as its status ingress, which plan restores first (C8). */
function withRunningIngress(
  items: readonly SourceObject[],
  running: readonly StandaloneService[],
): SourceObject[] {
  const ipsByKey = new Map(running.map((service) => [service.key, service.ips]));
  return items.map((item) => {
    const metadata = isFields(item.object.metadata) ? item.object.metadata : {};
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : FILE_NAMESPACE;
    const ips = ipsByKey.get(`${namespace}/${String(metadata.name)}`);
    if (!ips) return item;
    const status = { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } };
    return { ...item, object: { ...item.object, status } };
  });
}

/**
 * Issue 12 #4: a member's address is never a VIP (announcing it would take the member's traffic
 * and split the gossip): such a Service is refused with a warning naming it, its pool and the
 * member, and is not announced by any node.
 */
function withoutMemberAddresses(
  services: readonly StandaloneService[],
  cluster: ClusterSpec,
  warnings: string[],
): StandaloneService[] {
  const members = new Map(cluster.members.map((member) => [canonicalAddress(member.address), member.name]));
  return services.filter((service) => {
    const taken = service.ips.find((ip) => members.has(canonicalAddress(ip)));
    if (taken === undefined) return true;
    warnings.push(
      `Service ${service.key}: IP ${taken} from pool ${service.pool} is the address of member ${members.get(canonicalAddress(taken))}: refused, not announced`,
    );
    return false;
  });
}

function readDocuments(text: string): { ok: true; value: unknown[] } | { ok: false; message: string } {
  const values: unknown[] = [];
  for (const [index, document] of parseAllDocuments(text).entries()) {
    const error = document.errors[0];
    if (error) return failure(`document ${index + 1}: YAML: ${error.message.split('\n')[0]}`);
    values.push(document.toJS());
  }
  return { ok: true, value: values };
}

function sortDocuments(
  documents: readonly unknown[],
): { ok: true; value: Sorted } | { ok: false; message: string } {
  const sorted: Sorted = { clusters: [], pools: [], advertisements: [], services: [], warnings: [] };
  for (const [index, object] of documents.entries()) {
    const source = `document ${index + 1}`;
    if (object === null || object === undefined) continue;
    if (!isFields(object)) return failure(`${source}: expected an object with apiVersion and kind`);
    const item = { source, object };
    if (isClusterDocument(object)) sorted.clusters.push(item);
    else if (object.kind === 'IPAddressPool') sorted.pools.push(item);
    else if (object.kind === 'L2Advertisement') sorted.advertisements.push(item);
    else if (object.kind === 'Service' && object.apiVersion === 'v1') sorted.services.push(item);
    // DESIGN "Drop-in": other kinds (BGP objects…) are ignored with a warning, never an exit.
    else
      sorted.warnings.push(
        `${source}: ${String(object.apiVersion)} ${String(object.kind)} is not used by standalone mode, ignored`,
      );
  }
  return { ok: true, value: sorted };
}

function readCluster(
  clusters: readonly SourceObject[],
): { ok: true; value: ClusterSpec } | { ok: false; message: string } {
  const [first, second] = clusters;
  if (!first)
    return failure('no ferrolb.io/v1alpha1 Cluster document: standalone mode needs one, with spec.members');
  if (second)
    return failure(
      `${second.source} (Cluster): only one Cluster document is allowed (first in ${first.source})`,
    );
  const parsed = parseCluster(first.object);
  if (parsed.ok) return parsed;
  const name = isFields(first.object.metadata)
    ? String(first.object.metadata.name ?? '(unnamed)')
    : '(unnamed)';
  return failure(`${first.source} (Cluster ${name}): ${parsed.field}: ${parsed.reason}`);
}

function parseServices(
  items: readonly SourceObject[],
): { ok: true; value: ServiceSpec[] } | { ok: false; message: string } {
  const specs: ServiceSpec[] = [];
  for (const item of items) {
    const parsed = parseService(item.object, FILE_NAMESPACE);
    if (!parsed.ok) {
      const metadata = isFields(item.object.metadata) ? item.object.metadata : {};
      return failure(
        `${item.source} (Service ${String(metadata.name ?? '(unnamed)')}): ${parsed.field}: ${parsed.message}`,
      );
    }
    specs.push(parsed.value);
  }
  return { ok: true, value: specs };
}

function allocatedServices(
  specs: readonly ServiceSpec[],
  outcome: PlanOutcome,
  config: Config,
  warnings: string[],
): StandaloneService[] {
  const services: StandaloneService[] = [];
  for (const spec of specs) {
    const result = outcome.services[spec.key];
    if (!result) continue;
    if (result.error !== undefined || !result.ips || result.ips.length === 0 || result.pool === undefined) {
      warnings.push(`Service ${spec.key}: no IP: ${result.error ?? 'not allocated'}`);
      continue;
    }
    services.push({
      key: spec.key,
      ips: result.ips,
      pool: result.pool,
      labels: spec.labels,
      annotations: spec.annotations,
      advertisements: advertisementsForPool(config, result.pool),
    });
  }
  return services;
}

function implied(): SourceObject {
  return { source: 'implied L2Advertisement', object: IMPLIED_ADVERTISEMENT };
}

function failure(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
