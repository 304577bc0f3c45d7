// Plain Kubernetes objects (as the informers deliver them) to the speaker's inputs. Pure: input is
// untrusted, so every reader returns a value or a reason and never throws.
import { DEFAULT_SERVICE_NAMESPACE, type Fields, isFields, parseService } from '../config/index.js';
import type { ElectionEndpoint, ElectionNode } from '../election/index.js';
import { setDefined } from '../shapes.js';
import { perObject } from './per-object.js';
import type { SpeakerService } from './types.js';

/** Label an EndpointSlice carries with the name of its Service (discovery.k8s.io/v1). */
export const ENDPOINT_SLICE_SERVICE_LABEL = 'kubernetes.io/service-name';

/** A Service object read for the speaker, or the field and reason it could not be. */
export type ServiceRead =
  | { readonly ok: true; readonly value: SpeakerService }
  | { readonly ok: false; readonly key: string; readonly field: string; readonly message: string };

function metadataOf(object: unknown): Fields {
  return isFields(object) && isFields(object.metadata) ? object.metadata : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads of cached Services by object: a reconcile reads only the Services that changed since the
 * last one (issue 14: parsing every Service again was a large part of each run).
 */
const readServiceObject = perObject(parseServiceObject);

/** Reads a v1 Service with the config module's parser (the same rules as the controller). */
export function readService(object: unknown): ServiceRead {
  return typeof object === 'object' && object !== null
    ? readServiceObject(object)
    : parseServiceObject(object);
}

function parseServiceObject(object: unknown): ServiceRead {
  const metadata = metadataOf(object);
  const parsed = parseService(isFields(object) ? object : {}, DEFAULT_SERVICE_NAMESPACE);
  if (!parsed.ok) {
    const key = `${text(metadata.namespace) ?? DEFAULT_SERVICE_NAMESPACE}/${text(metadata.name) ?? ''}`;
    return { ok: false, key, field: parsed.field, message: parsed.message };
  }
  const service = parsed.value;
  const value: SpeakerService = {
    key: service.key,
    namespace: service.namespace,
    name: service.name,
    type: service.type,
    loadBalancerClass: service.loadBalancerClass,
    labels: service.labels,
    annotations: service.annotations,
    externalTrafficPolicy: service.externalTrafficPolicy,
    ingressIPs: service.ingressIPs,
  };
  setDefined(value, 'uid', text(metadata.uid) || undefined);
  return { ok: true, value };
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isFields(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
  return out;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Reads of cached Nodes by object: an unchanged Node reads as the same object. */
const readNodeObject = perObject(parseNode);

/** E5: a Node's name, labels, NetworkUnavailable condition and taints; undefined without a name. */
export function readNode(object: unknown): ElectionNode | undefined {
  return typeof object === 'object' && object !== null ? readNodeObject(object) : undefined;
}

function parseNode(object: object): ElectionNode | undefined {
  const metadata = metadataOf(object);
  const name = text(metadata.name);
  if (!name || !isFields(object)) return undefined;
  const status = isFields(object.status) ? object.status : {};
  const spec = isFields(object.spec) ? object.spec : {};
  const networkUnavailable = list(status.conditions).some(
    (condition) =>
      isFields(condition) && condition.type === 'NetworkUnavailable' && condition.status === 'True',
  );
  const taints = list(spec.taints)
    .filter(isFields)
    .flatMap((taint) => {
      const key = text(taint.key);
      const effect = text(taint.effect);
      if (!key) return [];
      const read: { key: string; effect?: string } = { key };
      setDefined(read, 'effect', effect || undefined);
      return [read];
    });
  return { name, labels: stringRecord(metadata.labels), networkUnavailable, taints };
}

/** One EndpointSlice read: the key of its Service and its endpoints. */
interface SliceRead {
  readonly service: string;
  readonly endpoints: readonly ElectionEndpoint[];
}

/**
 * Reads of cached EndpointSlices by object: an unchanged slice yields the same endpoint objects, so
 * the speaker sees at a glance that a Service's endpoints did not change.
 */
const readSliceObject = perObject((slice: object): SliceRead | undefined => {
  const metadata = metadataOf(slice);
  const service = stringRecord(metadata.labels)[ENDPOINT_SLICE_SERVICE_LABEL];
  const namespace = text(metadata.namespace);
  if (!service || !namespace || !isFields(slice)) return undefined;
  return {
    service: `${namespace}/${service}`,
    endpoints: list(slice.endpoints).filter(isFields).map(readEndpoint),
  };
});

function readSlice(slice: unknown): SliceRead | undefined {
  return typeof slice === 'object' && slice !== null ? readSliceObject(slice) : undefined;
}

/** E1/E6: the endpoints of every EndpointSlice, grouped by the key of the Service they belong to. */
export function endpointsByService(slices: readonly unknown[]): Map<string, ElectionEndpoint[]> {
  const byService = new Map<string, ElectionEndpoint[]>();
  for (const slice of slices) {
    const read = readSlice(slice);
    if (!read) continue;
    const endpoints = byService.get(read.service);
    if (endpoints) endpoints.push(...read.endpoints);
    else byService.set(read.service, [...read.endpoints]);
  }
  return byService;
}

function readEndpoint(endpoint: Fields): ElectionEndpoint {
  const conditions = isFields(endpoint.conditions) ? endpoint.conditions : {};
  const read: ElectionEndpoint = {};
  setDefined(read, 'nodeName', text(endpoint.nodeName) || undefined);
  // nil `ready` counts as ready (E1); anything but a boolean reads as nil.
  setDefined(read, 'ready', typeof conditions.ready === 'boolean' ? conditions.ready : undefined);
  setDefined(read, 'serving', typeof conditions.serving === 'boolean' ? conditions.serving : undefined);
  return read;
}
