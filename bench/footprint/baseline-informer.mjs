// Same-run baseline for bench/footprint: the least a Kubernetes-watching process of this stack
// costs — @kubernetes/client-node informers on the same objects a speaker watches (Services,
// EndpointSlices, Nodes), each object kept whole in the informer cache, nothing else.
// Plain JavaScript, run by `node` itself (no TypeScript loader in the measured process):
// `node baseline-informer.mjs KUBECONFIG`.
import { CoreV1Api, DiscoveryV1Api, KubeConfig, makeInformer } from '@kubernetes/client-node';

const config = new KubeConfig();
config.loadFromFile(process.argv[2] ?? '');
const core = config.makeApiClient(CoreV1Api);
const discovery = config.makeApiClient(DiscoveryV1Api);
const informers = [
  makeInformer(config, '/api/v1/services', () => core.listServiceForAllNamespaces()),
  makeInformer(config, '/apis/discovery.k8s.io/v1/endpointslices', () =>
    discovery.listEndpointSliceForAllNamespaces(),
  ),
  makeInformer(config, '/api/v1/nodes', () => core.listNode()),
];
for (const informer of informers) {
  informer.on('error', () => setTimeout(() => void informer.start(), 1_000));
  await informer.start();
}
console.log('ready');
