import { describe, expect, it } from 'vitest';
import { electionDigest, goIPString, hashOrder } from '../../../src/election/index.js';

describe('election hash (E8–E10)', () => {
  it.each([
    {
      rule: 'E10: iris1#10.20.30.1',
      text: ['iris1', '10.20.30.1'],
      digest: 'e42ad61a4159fa2d143f5233840565a80f498b6a1e7998d68190d2a357882e2b',
    },
    {
      rule: 'E10: iris2#10.20.30.1',
      text: ['iris2', '10.20.30.1'],
      digest: 'af6cb4e7605814d2f0ccb427ae44f1981dca8e59f928a994747b78ef36224c1a',
    },
  ])('$rule', ({ text, digest }) => {
    expect(electionDigest(text[0] as string, text[1] as string).toString('hex')).toBe(digest);
  });

  it.each([
    {
      rule: 'E10: TestShouldAnnounceFromNodes, iris2 wins',
      ip: '10.20.30.1',
      nodes: ['iris1', 'iris2'],
      order: ['iris2', 'iris1'],
      prefixes: [],
    },
    {
      rule: 'E10: TestSortL2Candidates 10.0.0.1',
      ip: '10.0.0.1',
      nodes: ['node-a', 'node-b', 'node-c'],
      order: ['node-b', 'node-a', 'node-c'],
      prefixes: ['2acae885', 'dd41591f', 'f949561f'],
    },
    {
      rule: 'E10: TestSortL2Candidates 10.0.0.2',
      ip: '10.0.0.2',
      nodes: ['node-a', 'node-b', 'node-c'],
      order: ['node-b', 'node-c', 'node-a'],
      prefixes: ['48a0dc88', 'c71d9fee', 'd12599e5'],
    },
    {
      rule: 'E10: ferrolb vector 198.51.100.10',
      ip: '198.51.100.10',
      nodes: ['node-c', 'node-b', 'node-a'],
      order: ['node-a', 'node-b', 'node-c'],
      prefixes: ['17cc5af7', '530fa8b5', '925754ec'],
    },
    {
      rule: 'E10: ferrolb vector 2001:db8:1::10',
      ip: '2001:db8:1::10',
      nodes: ['node-b', 'node-c', 'node-a'],
      order: ['node-a', 'node-b', 'node-c'],
      prefixes: ['8d65f1cc', 'a4f8e36d', 'd6c9bd43'],
    },
    {
      rule: 'E9: a non-canonical IPv6 text hashes as its RFC 5952 form',
      ip: '2001:DB8:1:0:0:0:0:10',
      nodes: ['node-b', 'node-c', 'node-a'],
      order: ['node-a', 'node-b', 'node-c'],
      prefixes: ['8d65f1cc', 'a4f8e36d', 'd6c9bd43'],
    },
  ])('$rule', ({ ip, nodes, order, prefixes }) => {
    const ordered = hashOrder(nodes, ip);
    expect(ordered).toEqual(order);
    const canonical = goIPString(ip) as string;
    const digests = ordered.map((node) => electionDigest(node, canonical).toString('hex').slice(0, 8));
    if (prefixes.length > 0) expect(digests).toEqual(prefixes);
    expect([...digests].sort()).toEqual(digests);
  });

  it.each([
    { rule: 'E9: IPv4 stays dotted', ip: '10.0.0.1', want: '10.0.0.1' },
    { rule: 'E9: IPv4-mapped dotted form prints as IPv4', ip: '::ffff:10.0.0.1', want: '10.0.0.1' },
    { rule: 'E9: IPv4-mapped hex form prints as IPv4', ip: '::FFFF:a00:1', want: '10.0.0.1' },
    { rule: 'E9: IPv4-compatible (not mapped) stays IPv6', ip: '::1.2.3.4', want: '::102:304' },
    {
      rule: 'E9: RFC 5952 lowercase and longest zero run',
      ip: '2001:DB8:1:0:0:0:0:10',
      want: '2001:db8:1::10',
    },
    {
      rule: 'E9: RFC 5952 single zero group is not compressed',
      ip: '2001:db8:0:1:1:1:1:1',
      want: '2001:db8:0:1:1:1:1:1',
    },
    { rule: 'E9: RFC 5952 the longest run wins', ip: '2001:0:0:1:0:0:0:1', want: '2001:0:0:1::1' },
    {
      rule: 'E9: RFC 5952 the leftmost run wins a tie',
      ip: '2001:db8:0:0:1:0:0:1',
      want: '2001:db8::1:0:0:1',
    },
    { rule: 'E9: RFC 5952 leading zeros dropped', ip: '2001:0db8:0001::0010', want: '2001:db8:1::10' },
    { rule: 'E9: unspecified', ip: '0:0:0:0:0:0:0:0', want: '::' },
    { rule: 'E9: loopback', ip: '0:0:0:0:0:0:0:1', want: '::1' },
    { rule: 'E9: trailing run', ip: '2001:db8:1:0:0:0:0:0', want: '2001:db8:1::' },
    { rule: 'E9: a zone is not an ingress IP', ip: 'fe80::1%eth0', want: undefined },
    { rule: 'E9: garbage is not an IP', ip: 'node-a', want: undefined },
    { rule: 'E9: an IPv4 with an out-of-range octet is not an IP', ip: '10.0.0.256', want: undefined },
  ])('$rule', ({ ip, want }) => {
    expect(goIPString(ip)).toBe(want);
  });
});
