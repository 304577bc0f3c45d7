// ML6: gossip seeds are the IPs of the other speaker pods, found by listing pods with the
// memberlist labels in the MetalLB namespace (the pod-lister permission of D8).
import { isIP } from 'node:net';
import type { CoreV1Api } from '@kubernetes/client-node';

/** A seed address (the gossip port is the speaker's own). */
export interface PodSeed {
  readonly address: string;
}

/** Lists pods matching `labelSelector` and returns their IPs of `ownAddress`'s family, other than it. */
export async function listSpeakerSeeds(
  core: CoreV1Api,
  query: { readonly namespace: string; readonly labelSelector: string; readonly ownAddress: string },
): Promise<PodSeed[]> {
  const pods = await core.listNamespacedPod({
    namespace: query.namespace,
    labelSelector: query.labelSelector,
  });
  const addresses = new Set<string>();
  for (const pod of pods.items) {
    for (const entry of pod.status?.podIPs ?? []) if (entry.ip) addresses.add(entry.ip);
    if (pod.status?.podIP) addresses.add(pod.status.podIP);
  }
  addresses.delete(query.ownAddress);
  // Gossip binds one address: seeds of the other family (dual-stack pod IPs) are unreachable from it.
  const family = isIP(query.ownAddress);
  return [...addresses]
    .filter((address) => isIP(address) === family)
    .sort()
    .map((address) => ({ address }));
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
