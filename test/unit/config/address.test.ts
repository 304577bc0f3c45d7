// Go net.ParseIP / net.IP.String semantics (E9, V2, N3) and Go ParseCIDR / range parsing (V2, V3).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalAddress,
  formatAddress,
  parseAddress,
  parseAddressesEntry,
} from '../../../src/config/index.js';

describe('parseAddress / formatAddress', () => {
  it.each([
    { rule: 'E9: IPv4 dotted quad', text: '198.51.100.7', want: '198.51.100.7' },
    { rule: 'E9: IPv4-mapped IPv6 is IPv4', text: '::ffff:198.51.100.7', want: '198.51.100.7' },
    {
      rule: 'E9: IPv6 lowercase, longest zero run compressed',
      text: '2001:DB8:0:0:1:0:0:1',
      want: '2001:db8::1:0:0:1',
    },
    { rule: 'E9: IPv6 leftmost run wins a tie', text: '2001:0:0:1:0:0:1:1', want: '2001::1:0:0:1:1' },
    {
      rule: 'E9: a single zero group is not compressed',
      text: '2001:db8:0:1:1:1:1:1',
      want: '2001:db8:0:1:1:1:1:1',
    },
    { rule: 'E9: all zeros', text: '::', want: '::' },
    { rule: 'E9: trailing dotted quad in IPv6', text: '64:ff9b::198.51.100.1', want: '64:ff9b::c633:6401' },
    { rule: 'N3: leading zeros are rejected (Go >= 1.17)', text: '198.51.100.07', want: undefined },
    { rule: 'N3: octet above 255', text: '198.51.100.256', want: undefined },
    { rule: 'N3: two :: are rejected', text: '2001::1::1', want: undefined },
    { rule: 'N3: a zone is rejected', text: 'fe80::1%eth0', want: undefined },
    { rule: 'N3: whitespace is not trimmed', text: ' 198.51.100.1', want: undefined },
    { rule: 'N3: nine groups are rejected', text: '1:2:3:4:5:6:7:8:9', want: undefined },
  ])('$rule', ({ text, want }) => {
    expect(canonicalAddress(text)).toBe(want);
  });

  it('E9: formatting then parsing returns the same address (IPv6)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        const text = formatAddress({ family: 'IPv6', value });
        const parsed = parseAddress(text);
        // IPv4-mapped addresses read back as IPv4, as Go's To4() does.
        if (value >> 32n === 0xffffn) expect(parsed?.family).toBe('IPv4');
        else expect(parsed).toEqual({ family: 'IPv6', value });
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseAddressesEntry', () => {
  it.each([
    { rule: 'V2: host bits are masked', entry: '198.51.100.10/24', want: ['198.51.100.0/24'] },
    { rule: 'V2: IPv6 CIDR', entry: '2001:db8:1::/64', want: ['2001:db8:1::/64'] },
    {
      rule: 'V2: prefix length with leading zeros is accepted (Go dtoi)',
      entry: '198.51.100.0/024',
      want: ['198.51.100.0/24'],
    },
    {
      rule: 'V3: range summarised into CIDRs, ascending',
      entry: '198.51.100.10-198.51.100.20',
      want: ['198.51.100.10/31', '198.51.100.12/30', '198.51.100.16/30', '198.51.100.20/32'],
    },
    {
      rule: 'V3: each side of a range is trimmed',
      entry: ' 198.51.100.0 - 198.51.100.3 ',
      want: ['198.51.100.0/30'],
    },
    { rule: 'V3: single-address range', entry: '198.51.100.5-198.51.100.5', want: ['198.51.100.5/32'] },
    { rule: 'V3: IPv6 range', entry: '2001:db8:1::-2001:db8:1::ff', want: ['2001:db8:1::/120'] },
  ])('$rule', ({ entry, want }) => {
    const parsed = parseAddressesEntry(entry);
    expect(parsed.ok ? parsed.cidrs.map((cidr) => cidr.text) : parsed.message).toEqual(want);
  });

  it.each([
    { rule: 'V2: a bare IP is invalid', entry: '198.51.100.1', want: 'invalid CIDR "198.51.100.1"' },
    { rule: 'V2: no trimming', entry: '198.51.100.0/24 ', want: 'invalid CIDR "198.51.100.0/24 "' },
    { rule: 'V2: prefix too long', entry: '198.51.100.0/33', want: 'invalid CIDR "198.51.100.0/33"' },
    { rule: 'V2: IPv6 prefix too long', entry: '2001:db8::/129', want: 'invalid CIDR "2001:db8::/129"' },
    {
      rule: 'V3: invalid start IP',
      entry: 'x-198.51.100.1',
      want: 'invalid IP range "x-198.51.100.1": invalid start IP "x"',
    },
    {
      rule: 'V3: invalid end IP',
      entry: '198.51.100.1-y',
      want: 'invalid IP range "198.51.100.1-y": invalid end IP "y"',
    },
    {
      rule: 'V3: start after end',
      entry: '198.51.100.9-198.51.100.1',
      want: 'invalid IP range "198.51.100.9-198.51.100.1": start IP "198.51.100.9" is after the end IP "198.51.100.1"',
    },
    {
      rule: 'V3: families differ',
      entry: '198.51.100.1-2001:db8::1',
      want: 'invalid IP range "198.51.100.1-2001:db8::1": start IP "198.51.100.1" and end IP "2001:db8::1" are of different families',
    },
  ])('$rule', ({ entry, want }) => {
    const parsed = parseAddressesEntry(entry);
    expect(parsed.ok ? parsed.cidrs : parsed.message).toEqual(want);
  });

  it('V3: a range summarises into CIDRs that cover exactly the range, ascending', () => {
    fc.assert(
      fc.property(fc.nat(0xffff), fc.nat(0xffff), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const text = (value: number) => formatAddress({ family: 'IPv4', value: BigInt(0xc6336400 + value) });
        const parsed = parseAddressesEntry(`${text(low)}-${text(high)}`);
        if (!parsed.ok) throw new Error(parsed.message);
        let next = BigInt(0xc6336400 + low);
        for (const cidr of parsed.cidrs) {
          expect(cidr.first).toBe(next);
          next = cidr.last + 1n;
        }
        expect(next).toBe(BigInt(0xc6336400 + high) + 1n);
      }),
      { numRuns: 200 },
    );
  });
});
