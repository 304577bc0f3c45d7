import { describe, expect, it } from 'vitest';
import { addressesOn, canonicalOwned, diffKeys, solicitedNodeGroups } from '../../../src/l2/ownership.js';

describe('owned addresses per interface (MetalLB L8, L12–L14)', () => {
  it.each([
    {
      rule: 'L13: no interfaces means every interface',
      owned: [['203.0.113.1', {}]] as const,
      want: { ip: '203.0.113.1', family: 4 },
    },
    {
      rule: 'RFC 5952: two spellings of one IPv6 address are one entry',
      owned: [
        ['2001:DB8:1::A', { interfaces: ['eth0'] }],
        ['2001:db8:1:0::a', { interfaces: ['eth1'] }],
      ] as const,
      want: { ip: '2001:db8:1::a', family: 6, interfaces: ['eth0', 'eth1'] },
    },
  ])('$rule', ({ owned, want }) => {
    const { addresses } = canonicalOwned(new Map(owned as never));
    expect([...addresses.values()][0]).toMatchObject(want);
  });

  it('L13: "all interfaces" wins when one spelling has a list and the other none', () => {
    const { addresses } = canonicalOwned(
      new Map([
        ['2001:db8:1::b', { interfaces: ['eth0'] }],
        ['2001:DB8:1::B', {}],
      ]),
    );
    expect([...addresses.values()]).toEqual([expect.not.objectContaining({ interfaces: expect.anything() })]);
    expect(addressesOn(addresses, 'eth7', 6)).toHaveLength(1);
  });

  it('input: invalid IPs are returned apart, never thrown', () => {
    const { addresses, invalid } = canonicalOwned(
      new Map([
        ['bogus', {}],
        ['203.0.113.2', {}],
      ]),
    );
    expect(invalid).toEqual(['bogus']);
    expect([...addresses.keys()]).toEqual(['203.0.113.2']);
  });

  it('L8/L13: addressesOn keeps the family and the interfaces the announcement allows', () => {
    const { addresses } = canonicalOwned(
      new Map([
        ['203.0.113.1', {}],
        ['203.0.113.2', { interfaces: ['eth1'] }],
        ['2001:db8:1::1', {}],
      ]),
    );
    expect(addressesOn(addresses, 'eth0', 4).map((address) => address.ip)).toEqual(['203.0.113.1']);
    expect(addressesOn(addresses, 'eth1', 4).map((address) => address.ip)).toEqual([
      '203.0.113.1',
      '203.0.113.2',
    ]);
    expect(addressesOn(addresses, 'eth0', 6).map((address) => address.ip)).toEqual(['2001:db8:1::1']);
  });

  it('L14: two VIPs with the same low 24 bits share one solicited-node membership', () => {
    const { addresses } = canonicalOwned(
      new Map([
        ['2001:db8:1::1:10', {}],
        ['2001:db8:1::2:1:10', {}],
        ['2001:db8:1::20', {}],
      ]),
    );
    expect([...solicitedNodeGroups([...addresses.values()]).keys()]).toEqual([
      '33:33:ff:01:00:10',
      '33:33:ff:00:00:20',
    ]);
  });

  it('Q8: diffKeys reports only what changed', () => {
    expect(diffKeys(new Set(['a', 'b']), new Set(['b', 'c']))).toEqual({ gained: ['c'], lost: ['a'] });
  });
});
