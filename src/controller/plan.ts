import {
  buildConfig,
  describeProblem,
  describeUnknownAnnotation,
  describeUnknownField,
  type FieldSchema,
  type Fields,
  isFields,
  type NamespaceInfo,
  type ServiceSpec,
  type SourceObject,
  unknownFields,
  unknownMetallbAnnotations,
} from '../config/index.js';
import type { PoolReason } from '../ipam/index.js';
import type { Decision } from './converge.js';
import {
  detach,
  keptOf,
  type PlannedService,
  readPlanService,
  Shared,
  serviceNamespace,
} from './plan-services.js';
import { restoreThenAllocateEach } from './restore.js';

export type { PlannedService } from './plan-services.js';

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
  /** False: `poolReasons` stays empty (`plan --json` prints none). */
  readonly keepPoolReasons?: boolean;
}

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
  /** LoadBalancer Services to allocate, each read as soon as its document is (readPlanService). */
  readonly services: ServiceSpec[];
  readonly serviceKeys: Set<string>;
  readonly shared: Shared;
  readonly warnings: string[];
  invalid: boolean;
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
  for (const problem of built.problems) warn(sorted, describeProblem(problem));
  sorted.invalid ||= built.problems.some((problem) => problem.severity === 'invalid');
  sorted.serviceKeys.clear(); // only for duplicates while reading: its table is garbage now
  const byKey = new Map<string, Decision>();
  const poolReasons: Record<string, readonly PoolReason[]> = {};
  const kept = restoreThenAllocateEach(sorted.services, built.config, (decision) => {
    if (options.keepDecisions !== false) byKey.set(decision.serviceKey, decision);
    const { planned, reasons } = keptOf(decision, sorted.shared, options.keepPoolReasons !== false);
    if (reasons !== undefined) poolReasons[decision.serviceKey] = reasons;
    return planned;
  });
  const planned: Record<string, PlannedService> = {};
  sorted.services.forEach((service, index) => {
    planned[service.key] = kept[index] as PlannedService;
  });
  return {
    services: planned,
    warnings: sortByDocumentOrder(sorted.warnings),
    invalid: sorted.invalid,
    poolReasons,
    decisions: byKey,
  };
}

/** Orders warnings as the file is read: by the document number they start with (stable). */
export function byDocumentOrder(a: string, b: string): number {
  return documentNumber(a) - documentNumber(b);
}

/** The warnings in byDocumentOrder, each read once (not at each of n log n comparisons). */
export function sortByDocumentOrder(warnings: readonly string[]): string[] {
  const numbers = warnings.map(documentNumber);
  const order = warnings.map((_, index) => index);
  order.sort((a, b) => (numbers[a] ?? 0) - (numbers[b] ?? 0) || a - b);
  return order.map((index) => warnings[index] as string);
}

function documentNumber(warning: string): number {
  return Number(/^document (\d+)/.exec(warning)?.[1] ?? Number.MAX_SAFE_INTEGER);
}

/**
 * Records a warning. Warnings quote the input: detached (a flat copy), so that they do not keep
 * its text in memory, and at once, not when reading is done, so that the quoting original is
 * young garbage instead of old garbage kept until a full collection.
 */
function warn(sorted: Sorted, warning: string): void {
  sorted.warnings.push(detach(warning));
}

function sortDocuments(documents: Iterable<unknown>, schemas: Readonly<Record<string, FieldSchema>>): Sorted {
  const sorted: Sorted = {
    pools: [],
    l2Advertisements: [],
    namespaces: [],
    serviceNamespaces: new Set(),
    services: [],
    serviceKeys: new Set(),
    shared: new Shared(),
    warnings: [],
    invalid: false,
  };
  let number = 0;
  for (const document of documents) {
    number += 1;
    if (document === null || document === undefined) continue;
    const source = `document ${number}`;
    if (!isFields(document)) {
      warn(sorted, `${source}: not an object, ignored`);
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
    warn(sorted, `${label}: ${describeUnknownAnnotation(annotation)}`);
  }
  const unknown = unknownFields(item.object, schema);
  if (unknown.length === 0) return true;
  warn(sorted, `${label}: strict decoding error: ${unknown.map(describeUnknownField).join(', ')}`);
  sorted.invalid = true;
  return false;
}

function sortDocument(sorted: Sorted, item: SourceObject): void {
  const { kind, apiVersion } = item.object;
  if (typeof kind !== 'string' || kind === '') {
    // Not an object of any kind (a stray mapping, a fragment): say so instead of "undefined".
    warn(sorted, `${item.source}: not a Kubernetes object (no kind), ignored`);
    sorted.invalid = true;
  } else if ((kind === 'IPAddressPool' || kind === 'L2Advertisement') && apiVersion !== METALLB_API) {
    warn(sorted, `${item.source} (${String(kind)}): apiVersion ${String(apiVersion)} is not ${METALLB_API}`);
    sorted.invalid = true;
  } else if (kind === 'IPAddressPool') sorted.pools.push(detached(item));
  else if (kind === 'L2Advertisement') sorted.l2Advertisements.push(detached(item));
  else if (kind === 'Service' && apiVersion === 'v1') sortService(sorted, item);
  else if (kind === 'Namespace' && apiVersion === 'v1')
    sorted.namespaces.push(readNamespace(detached(item).object));
  else if (kind === 'Cluster' && apiVersion === 'ferrolb.io/v1alpha1') return;
  else if (UNSUPPORTED_METALLB_KINDS.has(kind)) {
    warn(sorted, `${item.source} (${kind}): BGP objects are not supported, ignored`);
  } else {
    const version = typeof apiVersion === 'string' ? apiVersion : '(no apiVersion)';
    warn(sorted, `${item.source} (${kind}): kind ${version}/${kind} is not supported, ignored`);
  }
}

function sortService(sorted: Sorted, item: SourceObject): void {
  sorted.serviceNamespaces.add(serviceNamespace(item.object));
  const read = readPlanService(item, sorted.serviceKeys, sorted.shared);
  if (read.kind === 'service') sorted.services.push(read.service);
  if (read.kind !== 'warning') return;
  warn(sorted, read.warning);
  sorted.invalid ||= read.invalid;
}

/** A copy of a kept document that shares no string with the input (see `detach`). */
function detached(item: SourceObject): SourceObject {
  return { source: item.source, object: detach(item.object) };
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

/** `namespace/name` as written, or only the name when the document sets no namespace. */
function describeOwnName(object: Fields): string {
  const metadata = isFields(object.metadata) ? object.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '(unnamed)';
  return typeof metadata.namespace === 'string' ? `${metadata.namespace}/${name}` : name;
}
