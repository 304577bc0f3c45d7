import { describe, expect, it } from 'vitest';
import { planDocuments } from '../../../src/controller/index.js';
import { HOSTNAME_LABEL } from '../../../src/standalone/cluster.js';
import { loadStandaloneConfig } from '../../../src/standalone/load.js';

const CLUSTER = `apiVersion: ferrolb.io/v1alpha1
kind: Cluster
metadata: {name: lab}
spec:
  members:
  - {name: node-a, address: 198.51.100.11}
  - {name: node-b, address: 198.51.100.12}`;
const POOL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lab, namespace: anywhere}
spec: {addresses: [203.0.113.10-203.0.113.20, "2001:db8:1::1:0/120"]}`;
const WEB = `apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec: {type: LoadBalancer, ports: [{port: 80}]}`;
const DUAL = `apiVersion: v1
kind: Service
metadata: {name: dual, namespace: shop}
spec: {type: LoadBalancer, ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv4, IPv6], ports: [{port: 443}]}`;

function load(...documents: string[]) {
  return loadStandaloneConfig(documents.join('\n---\n'), planDocuments);
}

describe('loadStandaloneConfig', () => {
  it('standalone contract: pools in any namespace, allocation as plan, family from ipFamilies, implied L2Advertisement', () => {
    const loaded = load(POOL, WEB, DUAL, CLUSTER);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.value.cluster.members.map((member) => member.name)).toEqual(['node-a', 'node-b']);
    const services = loaded.value.services.map(({ key, ips, pool, labels }) => ({ key, ips, pool, labels }));
    expect(services).toEqual([
      { key: 'default/web', ips: ['203.0.113.10'], pool: 'lab', labels: { app: 'web' } },
      { key: 'shop/dual', ips: ['203.0.113.11', '2001:db8:1::1:0'], pool: 'lab', labels: {} },
    ]);
    expect(loaded.value.services[0]?.advertisements.map((advertisement) => advertisement.name)).toEqual([
      'ferrolb-implied',
    ]);
  });

  it('standalone contract: explicit L2Advertisements replace the implied one and keep their selectors', () => {
    const advertisement = `apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: only-a}
spec: {ipAddressPools: [lab], interfaces: [eth0], nodeSelectors: [{matchLabels: {${HOSTNAME_LABEL}: node-a}}]}`;
    const loaded = load(POOL, advertisement, WEB, CLUSTER);
    expect(loaded.ok && loaded.value.services[0]?.advertisements).toMatchObject([
      {
        name: 'only-a',
        interfaces: ['eth0'],
        nodeSelectors: [{ matchLabels: { [HOSTNAME_LABEL]: 'node-a' } }],
      },
    ]);
  });

  it('DESIGN drop-in: BGP objects are ignored with a warning, not an error', () => {
    const loaded = load(
      POOL,
      'apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: router}',
      WEB,
      CLUSTER,
    );
    expect(loaded.ok && loaded.value.warnings).toEqual([
      expect.stringContaining('document 2: metallb.io/v1beta2 BGPPeer'),
    ]);
  });

  it('A15: a Service the pool cannot serve gets no IP and a warning saying why', () => {
    const full =
      'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: one}\nspec: {addresses: [203.0.113.10/32]}';
    const second = WEB.replace('name: web', 'name: second');
    const loaded = load(full, WEB, second, CLUSTER);
    expect(loaded.ok && loaded.value.services.map((service) => service.key)).toEqual(['default/web']);
    expect(loaded.ok && loaded.value.warnings).toEqual([
      expect.stringContaining('Service default/second: no IP'),
    ]);
  });

  it.each([
    {
      rule: 'standalone contract: a Cluster document is required',
      documents: [POOL, WEB],
      want: /no ferrolb.io\/v1alpha1 Cluster document/,
    },
    {
      rule: 'standalone contract: one Cluster document only',
      documents: [CLUSTER, CLUSTER],
      want: /^document 2 \(Cluster\): only one/,
    },
    {
      rule: 'standalone contract: a bad member names document, object and field',
      documents: [POOL, CLUSTER.replace('198.51.100.12', 'nowhere')],
      want: /^document 2 \(Cluster lab\): spec\.members\[1\]\.address: "nowhere" is not an IP address/,
    },
    {
      rule: 'V1: an invalid pool rejects the whole file, naming document, object and field',
      documents: [WEB, POOL.replace('203.0.113.10-203.0.113.20', '203.0.113.999/32'), CLUSTER],
      want: /^document 2 \(IPAddressPool anywhere\/lab\): spec\.addresses/,
    },
    {
      rule: 'standalone contract: an invalid Service names document, object and field',
      documents: [POOL, 'apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec: {ports: 80}', CLUSTER],
      want: /^document 2 \(Service bad\): spec\.ports/,
    },
    {
      rule: 'standalone contract: YAML errors name the document',
      documents: [POOL, 'kind: [unclosed', CLUSTER],
      want: /^document 2: YAML/,
    },
    {
      rule: 'standalone contract: a scalar document is refused',
      documents: [POOL, '"just text"', CLUSTER],
      want: /^document 2: expected an object/,
    },
  ])('$rule', ({ documents, want }) => {
    const loaded = load(...documents);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.message).toMatch(want);
  });
});
