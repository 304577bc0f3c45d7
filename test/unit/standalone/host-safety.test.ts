import { describe, expect, it } from 'vitest';
import { planDocuments } from '../../../src/controller/index.js';
import { ensureArpSettings } from '../../../src/standalone/arp-sysctl.js';
import { parseCluster } from '../../../src/standalone/cluster.js';
import { loadStandaloneConfig } from '../../../src/standalone/load.js';

const CLUSTER = `apiVersion: ferrolb.io/v1alpha1
kind: Cluster
metadata: {name: lab}
spec:
  members:
  - {name: node-a, address: 198.51.100.11}
  - {name: node-b, address: "2001:db8:1::12"}`;
const POOL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lab}
spec: {addresses: [198.51.100.10-198.51.100.12, "2001:db8:1:0::10-2001:db8:1::12"]}`;
const service = (name: string, ip: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, annotations: {metallb.io/loadBalancerIPs: "${ip}"}}
spec: {type: LoadBalancer, ports: [{port: 80}]}`;

describe('standalone host safety: a member address is never a VIP (issue 12 #4)', () => {
  it('a Service given a member address is refused with a warning naming Service, pool, IP and member; others run', () => {
    const text = [
      POOL,
      service('web', '198.51.100.10'),
      service('own', '198.51.100.11'),
      service('six', '2001:db8:1::0:12'),
      CLUSTER,
    ];
    const loaded = loadStandaloneConfig(text.join('\n---\n'), planDocuments);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.value.services.map((entry) => entry.key)).toEqual(['default/web']);
    expect(loaded.value.warnings).toEqual([
      'Service default/own: IP 198.51.100.11 from pool lab is the address of member node-a: refused, not announced',
      'Service default/six: IP 2001:db8:1::12 from pool lab is the address of member node-b: refused, not announced',
    ]);
  });
});

const cluster = (interfaces: unknown) =>
  parseCluster({
    apiVersion: 'ferrolb.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'lab' },
    spec: { members: [{ name: 'node-a', address: '198.51.100.11' }], interfaces },
  });

describe('spec.interfaces names are validated as the kernel does (issue 12 #9, dev_valid_name)', () => {
  it.each([
    { name: '../../../../../tmp/x', why: 'a path into the sysctl tree' },
    { name: 'eth0/../all', why: "'/'" },
    { name: '..', why: '".."' },
    { name: '.', why: '"."' },
    { name: 'eth0:1', why: "':'" },
    { name: 'eth 0', why: 'whitespace' },
    { name: 'eth0\n', why: 'a newline' },
    { name: 'a-name-too-long!', why: '16 bytes (IFNAMSIZ - 1 = 15 at most)' },
    { name: 'é'.repeat(8), why: '16 bytes in UTF-8' },
    { name: '', why: 'empty' },
  ])('refuses $why', ({ name }) => {
    const parsed = cluster(['eth0', name]);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.field).toBe('spec.interfaces[1]');
    expect(parsed.reason).toMatch(/^not a valid interface name/);
  });

  it.each(['eth0', 'eth0.100', 'br-lan_2', 'a'.repeat(15), 'wlp0s20f3'])('accepts %s', (name) => {
    const parsed = cluster([name]);
    expect(parsed.ok && parsed.value.interfaces).toEqual([name]);
  });
});

describe('ARP sysctls never build a path from a bad name (issue 12 #9, defence in depth)', () => {
  it('ensureArpSettings refuses the name before reading or writing anything under /proc/sys', async () => {
    await expect(ensureArpSettings(['eth0', '../all'])).rejects.toThrow(
      /^spec\.interfaces\[1\]: not a valid interface name: .* contains '\/'/,
    );
  });
});
