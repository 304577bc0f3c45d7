import { buildConfig, type Config, type Fields } from '../../../src/config/index.js';
import type { ElectionNode } from '../../../src/election/index.js';
import type { SpeakerInputs, SpeakerService } from '../../../src/speaker/index.js';

export const NAMESPACE = 'metallb-system';

/** An IPAddressPool object as the API returns it. */
export function poolObject(name: string, addresses: string[], labels: Record<string, string> = {}): Fields {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name, namespace: NAMESPACE, labels },
    spec: { addresses },
  };
}

/** An L2Advertisement object with the given spec. */
export function advertisementObject(name: string, spec: Fields = {}): Fields {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name, namespace: NAMESPACE },
    spec,
  };
}

/** A valid Config from pool and advertisement objects (throws on a fixture mistake). */
export function configOf(pools: Fields[], advertisements: Fields[] = [advertisementObject('all')]): Config {
  const source = (object: Fields, index: number) => ({ source: `fixture ${index}`, object });
  const build = buildConfig(
    { pools: pools.map(source), l2Advertisements: advertisements.map(source), namespaces: [] },
    { namespace: NAMESPACE },
  );
  if (build.problems.length > 0) throw new Error(JSON.stringify(build.problems));
  return build.config;
}

/** Pool "alpha" = 10.0.0.0/24 + 2001:db8:1::/120, announced everywhere. */
export const alphaConfig = configOf([poolObject('alpha', ['10.0.0.0/24', '2001:db8:1::/120'])]);

/** node-a/b/c; for 10.0.0.1 the hash order is [node-b, node-a, node-c] (E10). */
export const nodes: ElectionNode[] = [
  { name: 'node-a', labels: { zone: 'a' } },
  { name: 'node-b', labels: { zone: 'b' } },
  { name: 'node-c', labels: { zone: 'c' } },
];

/** A LoadBalancer Service "default/web" holding 10.0.0.1 (owner node-b by hash). */
export function service(overrides: Partial<SpeakerService> = {}): SpeakerService {
  return {
    key: 'default/web',
    namespace: 'default',
    name: 'web',
    uid: 'uid-web',
    type: 'LoadBalancer',
    loadBalancerClass: undefined,
    labels: { app: 'web' },
    annotations: {},
    externalTrafficPolicy: 'Cluster',
    ingressIPs: ['10.0.0.1'],
    ...overrides,
  };
}

/** node-b's view with one ready endpoint per node, pool alpha, no gossip. */
export function inputs(overrides: Partial<SpeakerInputs> = {}): SpeakerInputs {
  const everyNode = nodes.map((node) => ({ nodeName: node.name, ready: true }));
  return {
    nodeName: 'node-b',
    services: [service()],
    endpoints: new Map([['default/web', everyNode]]),
    nodes,
    config: alphaConfig,
    ...overrides,
  };
}
