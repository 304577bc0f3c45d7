// What the speaker's caches drop from the objects it never writes back (issue 14): only what
// readNode and readService read is kept, so a large cluster costs memory for what matters.
import type { KubernetesObject } from '@kubernetes/client-node';

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
  if (node.metadata) delete node.metadata.annotations;
  node.spec = node.spec?.taints === undefined ? {} : { taints: node.spec.taints };
  node.status = node.status?.conditions === undefined ? {} : { conditions: node.status.conditions };
}

/**
 * Services: every annotation but MetalLB's and ferrolb's goes, above all kubectl's
 * last-applied-configuration (a copy of the whole manifest on every applied Service).
 */
export function slimService(object: KubernetesObject): void {
  const annotations = object.metadata?.annotations;
  if (!annotations) return;
  for (const key of Object.keys(annotations)) {
    if (!READ_ANNOTATION_PREFIXES.some((prefix) => key.startsWith(prefix))) delete annotations[key];
  }
}
