import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXCLUDED_INTERFACES,
  interfaceState,
  type LinkInfo,
} from '../../../src/l2/interface-filter.js';

const link = (fields: Partial<LinkInfo>): LinkInfo => ({
  name: 'eth0',
  index: 2,
  mac: '02:00:00:00:00:01',
  flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
  hasIPv6LinkLocal: true,
  ...fields,
});
const selection = { exclude: DEFAULT_EXCLUDED_INTERFACES };

describe('interface selection (MetalLB L1–L6, Q18)', () => {
  it.each([
    {
      rule: 'L5/L6: an up broadcast interface with a link-local does ARP and NDP',
      link: link({}),
      want: { usable: true, arp: true, ndp: true },
    },
    {
      rule: 'L17: a VLAN sub-interface is used like any other',
      link: link({ name: 'eth0.100' }),
      want: { usable: true, arp: true, ndp: true },
    },
    {
      rule: 'L4: an enslaved interface is skipped',
      link: link({ master: 'br0' }),
      want: { usable: false, skipReason: 'enslaved' },
    },
    { rule: 'L4: a bridge itself is used', link: link({ name: 'br0' }), want: { usable: true } },
    {
      rule: 'L4: NOARP is skipped (metallb#351)',
      link: link({ flags: ['UP', 'LOWER_UP', 'NOARP'] }),
      want: { usable: false, skipReason: 'noArp' },
    },
    {
      rule: 'L4: administratively down is skipped',
      link: link({ flags: ['BROADCAST'] }),
      want: { usable: false, up: false, skipReason: 'down' },
    },
    {
      rule: 'L4: no carrier counts as down',
      link: link({ flags: ['BROADCAST', 'UP'] }),
      want: { usable: false, up: false, skipReason: 'down' },
    },
    {
      rule: 'L1: veth* is excluded by default',
      link: link({ name: 'veth12' }),
      want: { usable: false, skipReason: 'excluded' },
    },
    {
      rule: 'L1: lo is excluded by default',
      link: link({ name: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'] }),
      want: { usable: false, skipReason: 'excluded' },
    },
    {
      rule: 'L1: ^lo$ does not exclude lo0 (anchored pattern)',
      link: link({ name: 'lo0' }),
      want: { usable: true },
    },
    {
      rule: 'L1: kube-ipvs0 is excluded by default',
      link: link({ name: 'kube-ipvs0' }),
      want: { usable: false, skipReason: 'excluded' },
    },
    {
      rule: 'L5: no BROADCAST means no ARP, NDP still on (Q18)',
      link: link({ flags: ['UP', 'LOWER_UP', 'POINTOPOINT'] }),
      want: { usable: true, arp: false, ndp: true },
    },
    {
      rule: 'L6: no link-local means no NDP, ARP still on (Q18)',
      link: link({ hasIPv6LinkLocal: false }),
      want: { usable: true, arp: true, ndp: false },
    },
    {
      rule: 'L5/L6: neither family means unusable',
      link: link({ flags: ['UP', 'LOWER_UP'], hasIPv6LinkLocal: false }),
      want: { usable: false, skipReason: 'noFamily' },
    },
  ])('$rule', ({ link: info, want }) => {
    expect(interfaceState(info, selection)).toMatchObject(want);
  });

  it.each([
    {
      rule: 'L1: a custom list replaces the default, unanchored',
      exclude: [/ens/],
      name: 'myens3',
      want: 'excluded',
    },
    { rule: 'L1: a custom list lets veth through', exclude: [/^docker/], name: 'veth0', want: undefined },
    {
      rule: 'standalone interfaces: a name outside the list is not selected',
      exclude: [],
      only: ['eth1'],
      name: 'eth0',
      want: 'notSelected',
    },
    {
      rule: 'standalone interfaces: a listed name is selected',
      exclude: [],
      only: ['eth0'],
      name: 'eth0',
      want: undefined,
    },
  ])('$rule', ({ exclude, only, name, want }) => {
    expect(interfaceState(link({ name }), { exclude, ...(only ? { only } : {}) }).skipReason).toBe(want);
  });
});
