// Builders for controller tests: Services as API objects parsed the real way, pools, allocators.
import { type Fields, type Pool, parseService, type ServiceSpec } from '../../../src/config/index.js';
import { Allocator } from '../../../src/ipam/index.js';
import { makePool } from '../ipam/fixtures.js';

/** What a test Service may set; everything else has a LoadBalancer IPv4 default. */
export interface ServiceShape {
  readonly name?: string;
  readonly namespace?: string;
  readonly type?: string;
  readonly clusterIPs?: readonly string[];
  readonly policy?: string;
  readonly ipFamilies?: readonly string[];
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly loadBalancerIP?: string;
  readonly ingress?: readonly string[];
  readonly ports?: readonly Fields[];
  readonly local?: Record<string, string>;
}

/** A ServiceSpec parsed from a v1 Service object built from `shape`. */
export function makeService(shape: ServiceShape = {}): ServiceSpec {
  const object: Fields = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: shape.name ?? 'web',
      namespace: shape.namespace ?? 'default',
      annotations: shape.annotations ?? {},
      labels: shape.labels ?? {},
    },
    spec: {
      type: shape.type ?? 'LoadBalancer',
      clusterIPs: shape.clusterIPs ?? ['10.96.0.1'],
      ipFamilyPolicy: shape.policy,
      ipFamilies: shape.ipFamilies,
      loadBalancerIP: shape.loadBalancerIP,
      ports: shape.ports ?? [{ port: 80 }],
      externalTrafficPolicy: shape.local ? 'Local' : 'Cluster',
      selector: shape.local ?? { app: 'web' },
    },
    status: { loadBalancer: { ingress: (shape.ingress ?? []).map((ip) => ({ ip })) } },
  };
  const parsed = parseService(object, 'default');
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

/** Pools used across controller tests: a dual pool, an IPv4-only and an IPv6-only one. */
export const POOLS: readonly Pool[] = [
  makePool('pool1', { addresses: ['1.2.3.0/31', '1000::/127'] }),
  makePool('pool2', { addresses: ['3.4.5.6/32'] }),
  makePool('pool3', { addresses: ['4000::/127'], autoAssign: false }),
];

/** A fresh allocator over `pools`. */
export function allocatorFor(pools: readonly Pool[] = POOLS): Allocator {
  return new Allocator(pools);
}

export { makePool };
