// ML6: gossip seeds are the IPs of the other speaker pods, found by listing pods with the
// memberlist labels in the MetalLB namespace (the pod-lister permission of D8).
import { isIP } from 'node:net';
import type { CoreV1Api } from '../k8s/api/index.js';

/** A seed address (the gossip port is the speaker's own). */
export interface PodSeed {
  readonly address: string;
}

/** The speaker pods found: seeds to join, and who may be a member (node name → pod IP). */
export interface SpeakerPods {
  readonly seeds: PodSeed[];
  /** Every speaker pod with a node and an IP of our family, this one included (issue 12 #6, #8). */
  readonly allowed: Map<string, string>;
}

/**
 * Lists pods matching `labelSelector`: their IPs of `ownAddress`'s family, other than it, are the
 * seeds; (spec.nodeName, IP) pairs are the only members gossip admits (the speaker gossips under
 * its node name from its pod IP).
 */
export async function listSpeakerPods(
  core: CoreV1Api,
  query: { readonly namespace: string; readonly labelSelector: string; readonly ownAddress: string },
): Promise<SpeakerPods> {
  const pods = await core.listNamespacedPod({
    namespace: query.namespace,
    labelSelector: query.labelSelector,
  });
  // Gossip binds one address: seeds of the other family (dual-stack pod IPs) are unreachable from it.
  const family = isIP(query.ownAddress);
  const addresses = new Set<string>();
  const allowed = new Map<string, string>();
  for (const pod of pods.items) {
    const ips = [...(pod.status?.podIPs ?? []).map((entry) => entry.ip), pod.status?.podIP];
    const own = ips.filter((ip): ip is string => typeof ip === 'string' && isIP(ip) === family);
    for (const ip of own) addresses.add(ip);
    const nodeName = pod.spec?.nodeName;
    if (nodeName && own[0] !== undefined) allowed.set(nodeName, own[0]);
  }
  addresses.delete(query.ownAddress);
  return { seeds: [...addresses].sort().map((address) => ({ address })), allowed };
}

/** R4: this speaker's own pod (name and UID), looked up with the same pod list permission (D8). */
export async function findOwnPod(
  core: CoreV1Api,
  query: { readonly namespace: string; readonly podName: string },
): Promise<{ name: string; uid: string } | undefined> {
  const pods = await core.listNamespacedPod({
    namespace: query.namespace,
    fieldSelector: `metadata.name=${query.podName}`,
  });
  const uid = pods.items[0]?.metadata?.uid;
  return uid ? { name: query.podName, uid } : undefined;
}
