// What the speaker's caches drop from the objects it never writes back (issue 14): only what
// readNode and readService read is kept, so a large cluster costs memory for what matters.
import type { KubernetesObject } from '@kubernetes/client-node';
import { ServiceL2StatusLabel } from '../config/annotations.js';
import { setDefined } from '../shapes.js';
import { ENDPOINT_SLICE_SERVICE_LABEL } from './objects.js';

// What goes is set to undefined or rebuilt, never `delete`d: deleting a property other than the last
// one added turns the object into a hash table (V8 dictionary mode), ~430 bytes more for each of
// 10,000 EndpointSlices (issue 14).

/** Annotation prefixes the speaker reads (address pool, shared IP, loadBalancerIPs, ferrolb extras). */
const READ_ANNOTATION_PREFIXES = ['metallb.io/', 'metallb.universe.tf/', 'ferrolb.io/'];

/**
 * Nodes: name, labels, conditions and taints (readNode). The rest (images, capacity, addresses,
 * annotations) can be tens of KiB a Node.
 */
export function slimNode(object: KubernetesObject): void {
  const node = object as KubernetesObject & {
    spec?: { taints?: unknown };
    status?: { conditions?: unknown };
  };
  if (node.metadata) node.metadata.annotations = undefined;
  node.spec = node.spec?.taints === undefined ? {} : { taints: node.spec.taints };
  node.status = node.status?.conditions === undefined ? {} : { conditions: node.status.conditions };
}

/**
 * Services: every annotation but MetalLB's and ferrolb's goes, above all kubectl's
 * last-applied-configuration (a copy of the whole manifest on every applied Service).
 */
export function slimService(object: KubernetesObject): void {
  const metadata = object.metadata;
  if (!metadata?.annotations) return;
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.annotations)) {
    if (READ_ANNOTATION_PREFIXES.some((prefix) => key.startsWith(prefix))) kept[key] = value;
  }
  metadata.annotations = kept;
}

/** The metadata every cache keeps: identity and version, and the labels given. */
function slimMetadata(object: KubernetesObject, keptLabels: readonly string[]): void {
  const metadata = object.metadata;
  if (!metadata) return;
  const labels: Record<string, string> = {};
  for (const key of keptLabels) {
    const value = metadata.labels?.[key];
    if (value !== undefined) labels[key] = value;
  }
  // Built by assignment, not conditional spreads: see setDefined.
  const kept: KubernetesObject['metadata'] = {};
  setDefined(kept, 'name', metadata.name);
  setDefined(kept, 'namespace', metadata.namespace);
  setDefined(kept, 'resourceVersion', metadata.resourceVersion);
  kept.labels = labels;
  object.metadata = kept;
}

/**
 * EndpointSlices: the Service label and each endpoint's node and ready/serving conditions (the
 * speaker's readSlice); addresses, ports, targetRefs and hints go. There is one slice per Service
 * and more in a large one.
 */
export function slimEndpointSlice(object: KubernetesObject): void {
  slimMetadata(object, [ENDPOINT_SLICE_SERVICE_LABEL]);
  const slice = object as KubernetesObject & { endpoints?: unknown; ports?: unknown; addressType?: unknown };
  slice.ports = undefined;
  slice.addressType = undefined;
  if (!Array.isArray(slice.endpoints)) return;
  slice.endpoints = slice.endpoints.map((endpoint: unknown) => {
    if (typeof endpoint !== 'object' || endpoint === null) return endpoint;
    const { nodeName, conditions } = endpoint as { nodeName?: unknown; conditions?: unknown };
    const kept: Record<string, unknown> = {};
    if (nodeName !== undefined) kept.nodeName = nodeName;
    if (typeof conditions === 'object' && conditions !== null) {
      const { ready, serving } = conditions as { ready?: unknown; serving?: unknown };
      const keptConditions: { ready?: unknown; serving?: unknown } = {};
      setDefined(keptConditions, 'ready', ready);
      setDefined(keptConditions, 'serving', serving);
      kept.conditions = keptConditions;
    }
    return kept;
  });
}

/** ServiceL2Statuses: read back only for their node label and status (R4). */
export function slimL2Status(object: KubernetesObject): void {
  slimMetadata(object, [ServiceL2StatusLabel.node]);
  const status = object as KubernetesObject & { spec?: unknown };
  status.spec = undefined;
}
