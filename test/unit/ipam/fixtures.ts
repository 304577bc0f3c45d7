// Builders shared by the ipam tests: pools from CRD-shaped objects, requests with defaults.
import { type NamespaceInfo, type Pool, parsePool } from '../../../src/config/index.js';
import type { AllocateRequest } from '../../../src/ipam/index.js';

/** The spec and metadata fields a test pool may set. */
export interface PoolSpec {
  readonly addresses: readonly string[];
  readonly autoAssign?: boolean;
  readonly avoidBuggyIPs?: boolean;
  readonly serviceAllocation?: Record<string, unknown>;
  readonly shared?: boolean;
  readonly labels?: Record<string, string>;
}

/** A parsed pool; throws when the spec is invalid, since tests only build valid ones here. */
export function makePool(name: string, spec: PoolSpec, namespaces: readonly NamespaceInfo[] = []): Pool {
  const { shared, labels, ...rest } = spec;
  const annotations = shared ? { 'metallb.io/share-address-pool': 'true' } : {};
  const parsed = parsePool(
    { metadata: { name, labels, annotations }, spec: rest },
    namespaces,
    'metallb-system',
  );
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

/** A request for `serviceKey` (namespace from the key), IPv4 SingleStack, TCP/80, no sharing. */
export function makeRequest(serviceKey: string, overrides: Partial<AllocateRequest> = {}): AllocateRequest {
  const namespace = serviceKey.includes('/') ? (serviceKey.split('/')[0] as string) : 'default';
  return {
    serviceKey,
    namespace,
    labels: {},
    ports: [{ protocol: 'TCP', port: 80 }],
    sharingKey: '',
    backendKey: '',
    family: 'IPv4',
    policy: 'SingleStack',
    primaryFamily: 'IPv4',
    ...overrides,
  };
}
