// Issue 12 #5: pools holding addresses no host may announce are refused (ferrolb addition: MetalLB
// accepts them, metallb-behaviour.md V1–V8 list no such check; so the message is ferrolb's own,
// wrapped like V2's "parsing address pool <name>: ..." so it reads like its neighbours).
import { describe, expect, it } from 'vitest';
import { buildConfig, type Fields } from '../../../src/config/index.js';
import { planDocuments } from '../../../src/controller/index.js';

const pool = (addresses: string[]): Fields => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name: 'edge', namespace: 'metallb-system' },
  spec: { addresses },
});

function problems(addresses: string[]) {
  const built = buildConfig(
    { pools: [{ source: 'document 1', object: pool(addresses) }], l2Advertisements: [], namespaces: [] },
    { namespace: 'metallb-system' },
  );
  return built.problems.map(({ field, message, severity }) => ({ field, message, severity }));
}

describe('pools reject unannounceable addresses (issue 12 #5)', () => {
  it.each([
    { entry: '0.0.0.0/8', address: '0.0.0.0', kind: '"this network" 0.0.0.0/8' },
    { entry: '0.0.0.0-0.0.0.0', address: '0.0.0.0', kind: '"this network" 0.0.0.0/8' },
    { entry: '255.255.255.255/32', address: '255.255.255.255', kind: 'limited broadcast 255.255.255.255/32' },
    {
      entry: '255.255.255.250-255.255.255.255',
      address: '255.255.255.255',
      kind: 'limited broadcast 255.255.255.255/32',
    },
    { entry: '224.0.0.0/24', address: '224.0.0.0', kind: 'multicast 224.0.0.0/4' },
    { entry: '239.1.1.1-239.1.1.2', address: '239.1.1.1', kind: 'multicast 224.0.0.0/4' },
    { entry: '127.0.0.1/32', address: '127.0.0.1', kind: 'loopback 127.0.0.0/8' },
    { entry: '169.254.10.0/24', address: '169.254.10.0', kind: 'link-local 169.254.0.0/16' },
    { entry: '::1/128', address: '::1', kind: 'loopback ::1/128' },
    { entry: '::/127', address: '::', kind: 'unspecified ::/128' },
    { entry: 'fe80::/64', address: 'fe80::', kind: 'link-local fe80::/10' },
    { entry: 'ff02::1-ff02::2', address: 'ff02::1', kind: 'multicast ff00::/8' },
    { entry: '::ffff:127.0.0.1/128', address: '::ffff:7f00:1', kind: 'IPv4-mapped ::ffff:0:0/96' },
    // A wide pool that only reaches into a reserved block names the first reserved address in it.
    { entry: '126.255.255.0-127.0.0.5', address: '127.0.0.0', kind: 'loopback 127.0.0.0/8' },
  ])('$entry: error names pool, entry and the $kind address', ({ entry, address, kind }) => {
    expect(problems(['198.51.100.0/24', entry])).toEqual([
      {
        field: 'spec.addresses[1]',
        severity: 'invalid',
        message: `parsing address pool edge: CIDR "${entry}" in pool "edge" contains ${address} (${kind}): no host may announce it`,
      },
    ]);
  });

  it.each([
    '198.51.100.0/24',
    '203.0.113.10-203.0.113.20',
    '2001:db8:1::/64',
    '1.0.0.0/8',
    '223.255.255.0/24',
    'fec0::/10',
  ])('%s is accepted', (entry) => expect(problems([entry])).toEqual([]));

  it('plan refuses the same FILE with the same message (exit 2)', () => {
    const result = planDocuments([pool(['127.0.0.0/30'])], { namespace: 'metallb-system' });
    expect(result.invalid).toBe(true);
    expect(result.warnings.join('\n')).toContain(
      'contains 127.0.0.0 (loopback 127.0.0.0/8): no host may announce it',
    );
  });
});
