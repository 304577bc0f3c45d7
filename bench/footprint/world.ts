// The objects bench/footprint grows: Nodes, and LoadBalancer Services (IPv6, from pool `bench`)
// each with the EndpointSlice a controller-manager would keep, created 32 at a time.
import type { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { endpointSliceManifest, ingressOf, serviceManifest } from '../../test/k8s/harness/objects.js';

export const BENCH_NAMESPACE = 'bench';
const CONCURRENCY = 32;

async function inBatches(count: number, work: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Adds `count` Node objects named bench-node-<offset + i>. */
export async function addNodes(core: CoreV1Api, count: number, offset = 1): Promise<void> {
  await inBatches(count, (index) =>
    core.createNode({ body: { metadata: { name: `bench-node-${offset + index}` } } }),
  );
}

/** Creates Services svc-<from>..svc-<to - 1> in `bench`. */
export async function createServices(options: {
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
  from: number;
  to: number;
  nodeName: string;
}): Promise<void> {
  const { core, discovery, from, to, nodeName } = options;
  await inBatches(to - from, async (offset) => {
    const name = `svc-${from + offset}`;
    await core.createNamespacedService({
      namespace: BENCH_NAMESPACE,
      body: serviceManifest(BENCH_NAMESPACE, name, {
        annotations: { 'metallb.io/address-pool': 'bench' },
        spec: { ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', allocateLoadBalancerNodePorts: false },
      }),
    });
    await discovery.createNamespacedEndpointSlice({
      namespace: BENCH_NAMESPACE,
      body: endpointSliceManifest({
        name: `${name}-slice`,
        service: name,
        family: 'IPv6',
        endpoints: [
          { node: nodeName, address: `2001:db8:1::a:${(from + offset).toString(16)}`, ready: true },
          { node: 'bench-node-1', address: `2001:db8:1::b:${(from + offset).toString(16)}`, ready: true },
        ],
      }),
    });
  });
}

/** Resolves once `count` Services in `bench` have an IP (polls a list every 2 s). */
export async function waitAllocated(core: CoreV1Api, count: number): Promise<void> {
  for (;;) {
    if (count === 0) return;
    const list = await core.listNamespacedService({ namespace: BENCH_NAMESPACE });
    if (list.items.filter((service) => ingressOf(service).length > 0).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}
