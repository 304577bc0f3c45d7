// The gauntlet's pure checkers must be able to fail: each row feeds one a state that breaks (or
// keeps) a rule and pins the verdict, so a zero-violation gauntlet report means something.
import { describe, expect, it } from 'vitest';
import { hashOrder } from '../../src/election/index.js';
import {
  entryContains,
  expectedOwners,
  movedIps,
  type ObservedService,
  poolViolations,
  sharingViolations,
} from '../gauntlet/invariants.js';
import { initialWorld, type ServiceModel, type World } from '../gauntlet/model.js';
import { cycle, Random } from '../gauntlet/random.js';

const NODES = ['node-a', 'node-b', 'node-c'].map((name, index) => ({
  name,
  ipv4: `198.51.100.${11 + index}`,
  ipv6: `2001:db8:1::${11 + index}`,
}));
const IP = '203.0.113.5';

function observed(key: string, extra: Partial<ObservedService> = {}): ObservedService {
  return {
    key,
    namespace: key.split('/')[0] ?? '',
    uid: key,
    ips: [IP],
    ports: [{ port: 80, protocol: 'TCP' }],
    local: false,
    loadBalancer: true,
    ...extra,
  };
}

function holder(extra: Partial<ServiceModel> = {}): ServiceModel {
  return {
    namespace: 'gauntlet-a',
    name: 'web',
    family: 'IPv4',
    ports: [{ port: 80, protocol: 'TCP' }],
    local: false,
    loadBalancer: true,
    readyNodes: ['node-a', 'node-b', 'node-c'],
    ...extra,
  };
}

function world(change: (world: World) => void = () => {}): World {
  const built = initialWorld(NODES);
  change(built);
  return built;
}

const ALL = ['node-a', 'node-b', 'node-c'];
const hashFirst = (nodes: string[]) => hashOrder(nodes, IP)[0];

describe('gauntlet invariant checkers', () => {
  it.each([
    [
      'A27: different sharing keys on one IP',
      [
        observed('a/x', { sharingKey: 'k1' }),
        observed('b/y', { sharingKey: 'k2', ports: [{ port: 443, protocol: 'TCP' }] }),
      ],
      1,
    ],
    [
      'A27: a holder without a sharing key',
      [observed('a/x'), observed('b/y', { ports: [{ port: 443, protocol: 'TCP' }] })],
      1,
    ],
    [
      'A29: same key, same protocol and port',
      [observed('a/x', { sharingKey: 'k1' }), observed('b/y', { sharingKey: 'k1' })],
      1,
    ],
    [
      'A26: same key, disjoint ports may share',
      [
        observed('a/x', { sharingKey: 'k1' }),
        observed('b/y', { sharingKey: 'k1', ports: [{ port: 80, protocol: 'UDP' }] }),
      ],
      0,
    ],
    ['A26: different IPs never conflict', [observed('a/x'), observed('b/y', { ips: ['203.0.113.6'] })], 0],
  ] as const)('%s', (_name, services, count) => {
    expect(sharingViolations(services)).toHaveLength(count);
  });

  it.each([
    ['A21: an IP inside pool-a is allowed', observed('gauntlet-a/x'), 0],
    ['A21: an IP in no pool is a violation', observed('gauntlet-a/x', { ips: ['203.0.113.250'] }), 1],
    ['V5: the pinned pool for its own namespace', observed('gauntlet-a/x', { ips: ['203.0.113.193'] }), 0],
    ['V5: the pinned pool from another namespace', observed('gauntlet-b/x', { ips: ['203.0.113.193'] }), 1],
  ] as const)('%s', (_name, service, count) => {
    expect(poolViolations(world(), [service])).toHaveLength(count);
  });

  it.each([
    ['V2: CIDR contains', '203.0.113.64/28', '203.0.113.79', true],
    ['V2: CIDR excludes the next block', '203.0.113.64/28', '203.0.113.80', false],
    ['V3: range contains its ends', '203.0.113.96-203.0.113.99', '203.0.113.99', true],
    ['V3: range excludes beyond', '203.0.113.96-203.0.113.99', '203.0.113.100', false],
    ['V2: IPv6 CIDR contains', '2001:db8:1::6:0/124', '2001:db8:1::6:f', true],
    ['V2: IPv6 CIDR excludes the next block', '2001:db8:1::6:0/124', '2001:db8:1::6:10', false],
    ['V3: IPv6 range contains its ends', '2001:db8:1::6:20-2001:db8:1::6:23', '2001:db8:1::6:23', true],
    ['V2: an IPv4 CIDR never contains an IPv6 address', '0.0.0.0/0', '2001:db8:1::6:1', false],
    ['V2: an IPv6 CIDR never contains an IPv4 address', '::/0', '203.0.113.5', false],
  ] as const)('%s', (_name, entry, ip, contained) => {
    expect(entryContains(entry, ip)).toBe(contained);
  });

  it.each([
    ['E8: first in hash order among all nodes', world(), holder(), ALL, hashFirst(ALL)],
    [
      'E5: a node that left gossip is no candidate',
      world(),
      holder(),
      ['node-a', 'node-c'],
      hashFirst(['node-a', 'node-c']),
    ],
    [
      'E5: exclude label',
      world((w) => {
        (w.nodes[1] as { excluded: boolean }).excluded = true;
      }),
      holder(),
      ALL,
      hashFirst(['node-a', 'node-c']),
    ],
    [
      'E5: NetworkUnavailable',
      world((w) => {
        (w.nodes[0] as { networkUnavailable: boolean }).networkUnavailable = true;
      }),
      holder(),
      ALL,
      hashFirst(['node-b', 'node-c']),
    ],
    [
      'DESIGN election: out-of-service taint',
      world((w) => {
        (w.nodes[2] as { outOfService: boolean }).outOfService = true;
      }),
      holder(),
      ALL,
      hashFirst(['node-a', 'node-b']),
    ],
    [
      'E12: ad node selector (zone west = node-a)',
      world((w) => {
        const ad = w.advertisements.get('ad-pool-a');
        if (ad) ad.zone = 'west';
      }),
      holder(),
      ALL,
      'node-a',
    ],
    [
      'E6: Local picks among nodes with a ready endpoint',
      world(),
      holder({ local: true, readyNodes: ['node-c'] }),
      ALL,
      'node-c',
    ],
    ['E1: no serving endpoint, nobody announces', world(), holder({ readyNodes: [] }), ALL, undefined],
    [
      'A20: no L2Advertisement for the pool, nobody announces',
      world((w) => w.advertisements.delete('ad-pool-a')),
      holder(),
      ALL,
      undefined,
    ],
  ] as const)('%s', (_name, state, service, live, owner) => {
    const want = owner === undefined ? [] : [owner];
    expect(expectedOwners(state, { live, holders: [{ service, firstIp: IP }] })).toEqual(want);
  });

  it.each([
    ['V5/A21: an IPv6 address of pool-v6', observed('gauntlet-a/x', { ips: ['2001:db8:1::6:3'] }), 0],
    ['A21: an IPv6 address in no pool', observed('gauntlet-a/x', { ips: ['2001:db8:1::7:3'] }), 1],
    [
      'V5: the IPv6 part of the pinned pool from another namespace',
      observed('gauntlet-b/x', { ips: ['203.0.113.193', '2001:db8:1::c:1'] }),
      2,
    ],
  ] as const)('%s', (_name, service, count) => {
    expect(poolViolations(world(), [service])).toHaveLength(count);
  });

  it('E9: a dual-stack Service is owned by the hash of its first ingress IP, for its IPv6 too', () => {
    const dual = holder({ family: 'RequireDualStack', pool: 'pool-dual' });
    const owners = expectedOwners(world(), {
      live: ALL,
      holders: [{ service: dual, firstIp: '203.0.113.160' }],
    });
    expect(owners).toEqual([hashOrder(ALL, '203.0.113.160')[0]]);
  });

  it('E9: IPv6 is hashed in Go net.IP String form (expanded text hashes like the compressed one)', () => {
    const service = holder({ family: 'IPv6' });
    const expanded = '2001:0db8:0001:0000:0000:0000:0006:0003';
    const owners = expectedOwners(world(), { live: ALL, holders: [{ service, firstIp: expanded }] });
    expect(owners).toEqual([hashOrder(ALL, '2001:db8:1::6:3')[0]]);
  });

  it('E9: holders of one IPv6 hashing different first IPs may elect two nodes; both are expected', () => {
    // 203.0.113.160 and 2001:db8:1::d:1 hash to different first nodes among all three.
    const dual = holder({ name: 'dual', family: 'RequireDualStack' });
    const single = holder({ name: 'single', family: 'IPv6' });
    const firsts = [hashOrder(ALL, '203.0.113.160')[0], hashOrder(ALL, '2001:db8:1::d:1')[0]];
    expect(firsts[0]).not.toBe(firsts[1]);
    const holders = [
      { service: dual, firstIp: '203.0.113.160' },
      { service: single, firstIp: '2001:db8:1::d:1' },
    ];
    expect(expectedOwners(world(), { live: ALL, holders })).toEqual([...firsts].sort());
  });

  it('C8: movedIps names every Service whose IPs changed or vanished', () => {
    const before = new Map([
      ['a/x', IP],
      ['a/y', '203.0.113.6'],
      ['a/z', '203.0.113.7'],
    ]);
    const after = new Map([
      ['a/x', IP],
      ['a/y', '203.0.113.8'],
    ]);
    expect(movedIps(before, after)).toEqual([
      'a/y: 203.0.113.6 -> 203.0.113.8',
      'a/z: 203.0.113.7 -> (none)',
    ]);
  });

  it('issue 7 replay: one seed gives one sequence, and a cycle meets every kind', () => {
    const draws = (seed: number) => Array.from({ length: 20 }, () => new Random(seed).int(0, 1000));
    expect(draws(42)).toEqual(draws(42));
    const first = new Random(7);
    const second = new Random(8);
    expect(Array.from({ length: 5 }, () => first.next())).not.toEqual(
      Array.from({ length: 5 }, () => second.next()),
    );
    const next = cycle(new Random(3), ['a', 'b', 'c', 'd']);
    expect(new Set([next(), next(), next(), next()])).toEqual(new Set(['a', 'b', 'c', 'd']));
  });
});
