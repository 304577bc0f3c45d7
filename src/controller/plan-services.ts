// The Services of a `plan` input, read as their documents arrive and kept only as what allocation
// reads (memory linear in the input and small beside it: a 10 MB file may hold 100,000 Services),
// and each Decision reduced to its line of the `plan --json` contract as soon as it is made.
import {
  DEFAULT_SERVICE_NAMESPACE,
  type Family,
  type Fields,
  isFields,
  isMetallbAnnotationKey,
  parseService,
  type ServiceSpec,
  type SourceObject,
} from '../config/index.js';
import type { PoolReason } from '../ipam/index.js';
import type { Decision } from './converge.js';
import { desiredIPs } from './service-inputs.js';

/** One Service in the `plan --json` contract: its IPs and pool, or MetalLB's refusal. */
export type PlannedService =
  | { readonly ips: readonly string[]; readonly pool: string }
  | { readonly error: string };

/** V8 copies a shorter substring; a longer one is a slice that keeps its whole parent string. */
const SHORTEST_SLICE = 13;

/**
 * A copy sharing no string with the input. A parser's strings may be slices of the whole input
 * text, and one kept slice keeps all of it in memory: what outlives a document is detached.
 */
export function detach<T>(value: T): T {
  if (typeof value === 'string' && value.length < SHORTEST_SLICE) return value;
  return structuredClone(value);
}

/**
 * Equal values shared by every Service that has them: thousands of Services written alike (the
 * same ports, families, pool annotation) or refused alike (the same message) cost one copy.
 * Shared values are never modified (ServiceSpec and PlannedService are read-only).
 */
export class Shared {
  readonly #texts = new Map<string, string>();
  readonly #values = new Map<string, unknown>();

  /** The first value stored under `key`, or a detached copy of `value` (then stored). */
  value<T>(key: string, value: T): T {
    const known = this.#values.get(key);
    if (known !== undefined) return known as T;
    const copy = detach(value);
    this.#values.set(key, copy);
    return copy;
  }

  /** Arrays and string maps: one copy for each content (the empty ones included). */
  json<T>(value: T): T {
    // No JSON text starts with a letter: these keys never meet value()'s other ones.
    return this.value(JSON.stringify(value), value);
  }

  /** Strings: one copy of each. */
  text<T extends string>(value: T): T {
    const known = this.#texts.get(value);
    if (known !== undefined) return known as T;
    const copy = detach(value);
    this.#texts.set(copy, copy);
    return copy;
  }
}

/** What reading a Service document gave: a Service to allocate, a warning, or nothing. */
export type ServiceRead =
  | { readonly kind: 'service'; readonly service: ServiceSpec }
  | { readonly kind: 'warning'; readonly warning: string; readonly invalid: boolean }
  | { readonly kind: 'skip' };

/**
 * A Service document: a LoadBalancer Service without a loadBalancerClass (C11), each key once
 * (`seen`), as the ServiceSpec allocation reads; the document itself is not kept.
 */
export function readPlanService(item: SourceObject, seen: Set<string>, shared: Shared): ServiceRead {
  const parsed = parseService(item.object, DEFAULT_SERVICE_NAMESPACE);
  if (!parsed.ok) {
    const warning = `${item.source} (Service ${describeName(item.object)}) ${parsed.field}: ${parsed.message}`;
    return { kind: 'warning', warning, invalid: true };
  }
  const service = parsed.value;
  if (service.type !== 'LoadBalancer') return { kind: 'skip' };
  if (service.loadBalancerClass !== undefined) {
    const message = `spec.loadBalancerClass ${JSON.stringify(service.loadBalancerClass)} is not handled without --lb-class, ignored`;
    return {
      kind: 'warning',
      warning: `${item.source} (Service ${service.key}): ${message}`,
      invalid: false,
    };
  }
  const reduced = compact(service, shared);
  if (seen.has(reduced.key)) {
    const warning = `${item.source} (Service ${service.key}): duplicate definition of service, ignored`;
    return { kind: 'warning', warning, invalid: true };
  }
  seen.add(reduced.key);
  return { kind: 'service', service: reduced };
}

/** The namespace a Service document is in (the default one when it names none). */
export function serviceNamespace(object: Fields): string {
  const metadata = isFields(object.metadata) ? object.metadata : {};
  return typeof metadata.namespace === 'string' && metadata.namespace !== ''
    ? metadata.namespace
    : DEFAULT_SERVICE_NAMESPACE;
}

/**
 * The same Service in little memory: equal parts shared (see Shared), and only the annotations
 * allocation reads (`metallb.io/`, `metallb.universe.tf/`): kubectl's last-applied-configuration
 * and the like would otherwise stay in memory for every Service.
 */
function compact(service: ServiceSpec, shared: Shared): ServiceSpec {
  const annotations = Object.fromEntries(
    Object.entries(service.annotations).filter(([key]) => isMetallbAnnotationKey(key)),
  );
  const text = <T extends string>(value: T): T => shared.text(value);
  const namespace = text(service.namespace);
  // One flat string for the key (a concatenation is a tree of parts until flattened), the name
  // within it.
  const key = detach(service.key);
  const reduced: ServiceSpec = {
    ...service,
    key,
    namespace,
    name: key.slice(namespace.length + 1),
    type: text(service.type),
    ipFamilyPolicy: text(service.ipFamilyPolicy),
    externalTrafficPolicy: text(service.externalTrafficPolicy),
    clusterIPs: shared.json(service.clusterIPs),
    ipFamilies: shared.json(service.ipFamilies),
    ports: shared.json(service.ports),
    labels: shared.json(service.labels),
    selector: shared.json(service.selector),
    annotations: shared.json(annotations),
    loadBalancerIP: text(service.loadBalancerIP),
    ingressIPs: shared.json(service.ingressIPs),
  };
  return { ...reduced, clusterFamilies: shared.json(assumedFamilies(reduced)) };
}

/**
 * DESIGN plan contract: a Service written without cluster IPs takes its family from
 * `spec.ipFamilies` (only the first under SingleStack), else from its requested IPs, else IPv4.
 * RequireDualStack always means both families, as the API server would assign (it rejects the
 * policy on a single-stack cluster), so such a Service is planned dual instead of failing with
 * "not enough clusterips []"; `spec.ipFamilies[0]` still picks the primary (N6).
 */
function assumedFamilies(service: ServiceSpec): readonly Family[] {
  if (service.clusterIPs.length > 0) return service.clusterFamilies;
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
  return families;
}

/** What `plan` keeps of one Decision: its line of the contract, and each pool's reason if refused. */
export interface Kept {
  readonly planned: PlannedService;
  readonly reasons: readonly PoolReason[] | undefined;
}

/** Reduces a Decision to what `plan` prints (refusals shared, see Shared); reasons when asked. */
export function keptOf(decision: Decision, shared: Shared, withReasons: boolean): Kept {
  if (decision.ingress.length > 0 && decision.pool !== undefined) {
    return { planned: { ips: decision.ingress, pool: decision.pool }, reasons: undefined };
  }
  const error = refusalMessage(decision);
  const planned = shared.value(`e${error}`, { error });
  if (!withReasons) return { planned, reasons: undefined };
  const reasons = (decision.failure?.poolReasons ?? []).map(({ pool, message }) => ({ pool, message }));
  return { planned, reasons: shared.json(reasons) };
}

function refusalMessage(decision: Decision): string {
  if (decision.failure) return decision.failure.message;
  const warning = decision.events.filter((event) => event.type === 'Warning').at(-1);
  return warning?.message ?? 'no available IPs';
}

function describeName(object: Fields): string {
  const metadata = isFields(object.metadata) ? object.metadata : {};
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : DEFAULT_SERVICE_NAMESPACE;
  return `${namespace}/${typeof metadata.name === 'string' ? metadata.name : '(unnamed)'}`;
}
