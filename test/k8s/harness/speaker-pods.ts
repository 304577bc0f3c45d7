import { type CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { SYSTEM_NAMESPACE } from './bootstrap.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * ML6: the speaker Pod a kubelet would report for a hostNetwork speaker on `nodeName` (there is no
 * kubelet here), with its node's address as pod IP, so speakers find their gossip seeds.
 */
export async function createSpeakerPod(core: CoreV1Api, node: { name: string; ipv4: string }): Promise<void> {
  const name = `speaker-${node.name}`;
  await core.createNamespacedPod({
    namespace: SYSTEM_NAMESPACE,
    body: {
      metadata: { name, labels: { app: 'metallb', component: 'speaker' } },
      spec: {
        nodeName: node.name,
        hostNetwork: true,
        serviceAccountName: 'speaker',
        automountServiceAccountToken: false,
        containers: [{ name: 'speaker', image: 'ferrolb' }],
      },
    },
  });
  await core.patchNamespacedPodStatus(
    {
      namespace: SYSTEM_NAMESPACE,
      name,
      body: { status: { podIP: node.ipv4, podIPs: [{ ip: node.ipv4 }] } },
    },
    mergePatch,
  );
}
