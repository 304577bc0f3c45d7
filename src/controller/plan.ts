import {
  buildConfig,
  DEFAULT_SERVICE_NAMESPACE,
  describeProblem,
  describeUnknownAnnotation,
  describeUnknownField,
  type Family,
  type FieldSchema,
  type Fields,
  isFields,
  isMetallbAnnotationKey,
  type NamespaceInfo,
  parseService,
  type ServiceSpec,
  type SourceObject,
  unknownFields,
  unknownMetallbAnnotations,
} from '../config/index.js';
import type { PoolReason } from '../ipam/index.js';
import type { Decision } from './converge.js';
import { restoreThenAllocateEach } from './restore.js';
import { desiredIPs } from './service-inputs.js';

/** `plan` options: the ferrolb namespace, or any namespace (standalone mode). */
export interface PlanOptions {
  readonly namespace: string;
  readonly anyNamespace?: boolean;
  /**
   * Field schemas by kind (IPAddressPool, L2Advertisement, Service, Namespace): a document with a
   * field its schema lacks is invalid, as the API server's strict field validation makes it.
   */
  readonly schemas?: Readonly<Record<string, FieldSchema>>;
  /** False: `decisions` stays empty (the CLI prints none; each Decision is garbage at once). */
  readonly keepDecisions?: boolean;
}

/** One Service in the `plan --json` contract: its IPs and pool, or MetalLB's refusal. */
export type PlannedService =
  | { readonly ips: readonly string[]; readonly pool: string }
  | { readonly error: string };

/** The `plan` result: the JSON contract's two keys, whether any document was invalid, and details. */
export interface PlanResult {
  readonly services: Readonly<Record<string, PlannedService>>;
  readonly warnings: readonly string[];
  /** True when a document was invalid (exit code 2); ignored objects alone do not count. */
  readonly invalid: boolean;
  /** Each refused Service's per-pool reasons, for the text output. */
  readonly poolReasons: Readonly<Record<string, readonly PoolReason[]>>;
  /** Every Decision, by service key, for callers that apply them (standalone mode). */
  readonly decisions: ReadonlyMap<string, Decision>;
}

const METALLB_API = 'metallb.io/v1beta1';
const UNSUPPORTED_METALLB_KINDS = new Set(['BGPPeer', 'BGPAdvertisement', 'Community', 'BFDProfile']);

interface Sorted {
  readonly pools: SourceObject[];
  readonly l2Advertisements: SourceObject[];
  readonly namespaces: NamespaceInfo[];
  /** The namespace of every Service document, in file order (V5 implied namespaces). */
  readonly serviceNamespaces: Set<string>;
  /** LoadBalancer Services to allocate, each read as soon as its document is (see readService). */
  readonly services: ServiceSpec[];
  readonly serviceKeys: Set<string>;
  readonly warnings: string[];
  invalid: boolean;
}

/** What `plan` keeps of one Decision: its line of the contract and the pools' reasons. */
interface Kept {
  readonly key: string;
  readonly planned: PlannedService;
  readonly reasons: readonly PoolReason[] | undefined;
}

/**
 * The allocation the controller would make for these documents (DESIGN `plan --json` contract):
 * existing ingress restored first, then the rest in document order. Pure; never throws on input.
 * Documents may come one at a time (an iterator): each is reduced to what planning reads as soon
 * as it arrives, so memory stays linear in the input and small beside it.
 */
export function planDocuments(documents: Iterable<unknown>, options: PlanOptions): PlanResult {
  const sorted = sortDocuments(documents, options.schemas ?? {});
  const built = buildConfig({ ...sorted, namespaces: withImpliedNamespaces(sorted) }, options);
  for (const problem of built.problems) sorted.warnings.push(describeProblem(problem));
  sorted.invalid ||= built.problems.some((problem) => problem.severity === 'invalid');
  const byKey = new Map<string, Decision>();
  const intern = interner();
  const kept = restoreThenAllocateEach(sorted.services, built.config, (decision): Kept => {
    if (options.keepDecisions !== false) byKey.set(decision.serviceKey, decision);
    return keptOf(decision, intern);
  });
  sorted.services.length = 0;
  const planned: Record<string, PlannedService> = {};
  const poolReasons: Record<string, readonly PoolReason[]> = {};
  for (const { key, planned: line, reasons } of kept) {
    planned[key] = line;
    if (reasons !== undefined) poolReasons[key] = reasons;
  }
  return {
    services: planned,
    warnings: [...sorted.warnings].sort(byDocumentOrder),
    invalid: sorted.invalid,
    poolReasons,
    decisions: byKey,
  };
}

type Intern = <T>(key: string, value: T) => T;

/** Equal refusals share one copy (thousands of Services refused alike cost one message). */
function interner(): Intern {
  const values = new Map<string, unknown>();
  return <T>(key: string, value: T): T => {
    if (!values.has(key)) values.set(key, value);
    return values.get(key) as T;
  };
}

function keptOf(decision: Decision, intern: Intern): Kept {
  const key = decision.serviceKey;
  if (decision.ingress.length > 0 && decision.pool !== undefined) {
    return { key, planned: { ips: decision.ingress, pool: decision.pool }, reasons: undefined };
  }
  const error = refusalMessage(decision);
  const reasons = (decision.failure?.poolReasons ?? []).map(({ pool, message }) => ({ pool, message }));
  const reasonsKey = JSON.stringify(reasons);
  return { key, planned: intern(`e${error}`, { error }), reasons: intern(`r${reasonsKey}`, reasons) };
}

/** Orders warnings as the file is read: by the document number they start with (stable). */
export function byDocumentOrder(a: string, b: string): number {
  const number = (warning: string) => Number(/^document (\d+)/.exec(warning)?.[1] ?? Number.MAX_SAFE_INTEGER);
  return number(a) - number(b);
}

function refusalMessage(decision: Decision): string {
  if (decision.failure) return decision.failure.message;
  const warning = decision.events.filter((event) => event.type === 'Warning').at(-1);
  return warning?.message ?? 'no available IPs';
}

function sortDocuments(documents: Iterable<unknown>, schemas: Readonly<Record<string, FieldSchema>>): Sorted {
  const sorted: Sorted = {
    pools: [],
    l2Advertisements: [],
    namespaces: [],
    serviceNamespaces: new Set(),
    services: [],
    serviceKeys: new Set(),
    warnings: [],
    invalid: false,
  };
  let number = 0;
  for (const document of documents) {
    number += 1;
    if (document === null || document === undefined) continue;
    const source = `document ${number}`;
    if (!isFields(document)) {
      sorted.warnings.push(`${source}: not an object, ignored`);
      sorted.invalid = true;
    } else if (isStrictlyValid(sorted, { source, object: document }, schemas)) {
      sortDocument(sorted, { source, object: document });
    }
  }
  return sorted;
}

/**
 * The API server's strict decoding: an unknown field refuses the whole object (kubectl's
 * `unknown field "spec.adresses"`). Unknown MetalLB annotation keys are only warned: the API
 * server accepts them, MetalLB just never reads them.
 */
function isStrictlyValid(
  sorted: Sorted,
  item: SourceObject,
  schemas: Readonly<Record<string, FieldSchema>>,
): boolean {
  const { kind } = item.object;
  const schema = typeof kind === 'string' ? schemas[kind] : undefined;
  if (schema === undefined) return true;
  const label = `${item.source} (${String(kind)} ${describeOwnName(item.object)})`;
  for (const annotation of unknownMetallbAnnotations(item.object)) {
    sorted.warnings.push(`${label}: ${describeUnknownAnnotation(annotation)}`);
  }
  const unknown = unknownFields(item.object, schema);
  if (unknown.length === 0) return true;
  sorted.warnings.push(`${label}: strict decoding error: ${unknown.map(describeUnknownField).join(', ')}`);
  sorted.invalid = true;
  return false;
}

function sortDocument(sorted: Sorted, item: SourceObject): void {
  const { kind, apiVersion } = item.object;
  if (typeof kind !== 'string' || kind === '') {
    // Not an object of any kind (a stray mapping, a fragment): say so instead of "undefined".
    sorted.warnings.push(`${item.source}: not a Kubernetes object (no kind), ignored`);
    sorted.invalid = true;
  } else if ((kind === 'IPAddressPool' || kind === 'L2Advertisement') && apiVersion !== METALLB_API) {
    sorted.warnings.push(
      `${item.source} (${String(kind)}): apiVersion ${String(apiVersion)} is not ${METALLB_API}`,
    );
    sorted.invalid = true;
  } else if (kind === 'IPAddressPool') sorted.pools.push(item);
  else if (kind === 'L2Advertisement') sorted.l2Advertisements.push(item);
  else if (kind === 'Service' && apiVersion === 'v1') readService(sorted, item);
  else if (kind === 'Namespace' && apiVersion === 'v1') sorted.namespaces.push(readNamespace(item.object));
  else if (kind === 'Cluster' && apiVersion === 'ferrolb.io/v1alpha1') return;
  else if (UNSUPPORTED_METALLB_KINDS.has(kind)) {
    sorted.warnings.push(`${item.source} (${kind}): BGP objects are not supported, ignored`);
  } else {
    const version = typeof apiVersion === 'string' ? apiVersion : '(no apiVersion)';
    sorted.warnings.push(`${item.source} (${kind}): kind ${version}/${kind} is not supported, ignored`);
  }
}

/** Set by the API server on every Namespace (Kubernetes >= 1.21), so selectors may use it. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function readNamespace(object: Fields): NamespaceInfo {
  const metadata = isFields(object.metadata) ? object.metadata : {};
  const labels = isFields(metadata.labels) ? metadata.labels : {};
  const stringLabels = Object.fromEntries(
    Object.entries(labels).filter(([, value]) => typeof value === 'string'),
  ) as Record<string, string>;
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  return { name, labels: { ...stringLabels, [NAMESPACE_NAME_LABEL]: name } };
}

/**
 * V5: namespaceSelectors are resolved against the cluster's Namespaces. In a cluster every
 * Service's namespace exists and carries `kubernetes.io/metadata.name`; a file often declares
 * none, so each Service namespace without a Namespace document is assumed with only that label.
 */
function withImpliedNamespaces(sorted: Sorted): NamespaceInfo[] {
  const declared = new Set(sorted.namespaces.map((namespace) => namespace.name));
  const implied = [...sorted.serviceNamespaces]
    .filter((name) => !declared.has(name))
    .map((name) => ({ name, labels: { [NAMESPACE_NAME_LABEL]: name } }));
  return [...sorted.namespaces, ...implied];
}

/**
 * A Service document, read at once: a LoadBalancer Service without a loadBalancerClass (C11),
 * each key once, is kept as the ServiceSpec allocation reads; the document itself is not kept.
 */
function readService(sorted: Sorted, item: SourceObject): void {
  const metadata = isFields(item.object.metadata) ? item.object.metadata : {};
  sorted.serviceNamespaces.add(
    typeof metadata.namespace === 'string' && metadata.namespace !== ''
      ? metadata.namespace
      : DEFAULT_SERVICE_NAMESPACE,
  );
  const parsed = parseService(item.object, DEFAULT_SERVICE_NAMESPACE);
  if (!parsed.ok) {
    sorted.warnings.push(
      `${item.source} (Service ${describeName(item.object)}) ${parsed.field}: ${parsed.message}`,
    );
    sorted.invalid = true;
    return;
  }
  const service = parsed.value;
  if (service.type !== 'LoadBalancer') return;
  if (service.loadBalancerClass !== undefined) {
    const message = `spec.loadBalancerClass ${JSON.stringify(service.loadBalancerClass)} is not handled without --lb-class, ignored`;
    sorted.warnings.push(`${item.source} (Service ${service.key}): ${message}`);
    return;
  }
  if (sorted.serviceKeys.has(service.key)) {
    sorted.warnings.push(`${item.source} (Service ${service.key}): duplicate definition of service, ignored`);
    sorted.invalid = true;
    return;
  }
  sorted.serviceKeys.add(service.key);
  sorted.services.push(
    withAssumedFamilies({ ...service, annotations: metallbAnnotations(service.annotations) }),
  );
}

/**
 * The annotations allocation reads (`metallb.io/` and `metallb.universe.tf/` keys): kubectl's
 * last-applied-configuration and the like would otherwise stay in memory for every Service.
 */
function metallbAnnotations(annotations: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).filter(([key]) => isMetallbAnnotationKey(key)));
}

/** `namespace/name` as written, or only the name when the document sets no namespace. */
function describeOwnName(object: Fields): string {
  const metadata = isFields(object.metadata) ? object.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '(unnamed)';
  return typeof metadata.namespace === 'string' ? `${metadata.namespace}/${name}` : name;
}

function describeName(object: Fields): string {
  const metadata = isFields(object.metadata) ? object.metadata : {};
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : DEFAULT_SERVICE_NAMESPACE;
  return `${namespace}/${typeof metadata.name === 'string' ? metadata.name : '(unnamed)'}`;
}

/**
 * DESIGN plan contract: a Service written without cluster IPs takes its family from
 * `spec.ipFamilies` (only the first under SingleStack), else from its requested IPs, else IPv4.
 * RequireDualStack always means both families, as the API server would assign (it rejects the
 * policy on a single-stack cluster), so such a Service is planned dual instead of failing with
 * "not enough clusterips []"; `spec.ipFamilies[0]` still picks the primary (N6).
 */
function withAssumedFamilies(service: ServiceSpec): ServiceSpec {
  if (service.clusterIPs.length > 0) return service;
  let families: Family[] = [...service.ipFamilies];
  if (service.ipFamilyPolicy === 'SingleStack') families = families.slice(0, 1);
  if (service.ipFamilyPolicy === 'RequireDualStack') {
    families = families[0] === 'IPv6' ? ['IPv6', 'IPv4'] : ['IPv4', 'IPv6'];
  }
  if (families.length === 0) {
    const desired = desiredIPs(service);
    const family = desired.ok ? desired.family : undefined;
    families = family === 'dual' ? ['IPv4', 'IPv6'] : [family ?? 'IPv4'];
  }
  return { ...service, clusterFamilies: families };
}
