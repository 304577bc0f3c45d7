// MetalLB TestConfigReload, TestPoolCount and TestPoolMetrics (T1): pool changes (A34), capacity
// (A33, Q17) and per-pool counts (M3).
import { describe, expect, it } from 'vitest';
import { MAX_INT64, type Pool } from '../../../src/config/index.js';
import { Allocator, poolCapacity } from '../../../src/ipam/index.js';
import { makePool, makeRequest } from './fixtures.js';

const original = makePool('test', { addresses: ['1.2.3.0/30'] });

function allocatorWith(pools: readonly Pool[], held: Record<string, string>): Allocator {
  const allocator = new Allocator(pools);
  for (const [serviceKey, ip] of Object.entries(held)) {
    const outcome = allocator.assign(makeRequest(serviceKey), [ip]);
    if (!outcome.ok) throw new Error(outcome.message);
  }
  return allocator;
}

describe('setPools (TestConfigReload)', () => {
  it.each([
    {
      rule: 'A34: set same config is no-op',
      next: [original],
      changes: [],
      pools: { s1: 'test', s2: 'test' },
    },
    {
      rule: 'A34: expand pool',
      next: [makePool('test', { addresses: ['1.2.3.0/24'] })],
      changes: [],
      pools: { s1: 'test', s2: 'test' },
    },
    {
      rule: 'A34: shrink pool keeps what still fits',
      next: [makePool('test', { addresses: ['1.2.3.0/31'] })],
      changes: [{ serviceKey: 's2', ips: ['1.2.3.3'], from: 'test', to: undefined }],
      pools: { s1: 'test', s2: undefined },
    },
    {
      rule: "A34: can't shrink further, removing the service allocation",
      next: [makePool('test', { addresses: ['1.2.4.0/30'] })],
      changes: [
        { serviceKey: 's1', ips: ['1.2.3.1'], from: 'test', to: undefined },
        { serviceKey: 's2', ips: ['1.2.3.3'], from: 'test', to: undefined },
      ],
      pools: { s1: undefined, s2: undefined },
    },
    {
      rule: 'A34: rename the pool',
      next: [makePool('renamed', { addresses: ['1.2.3.0/30'] })],
      changes: [
        { serviceKey: 's1', ips: ['1.2.3.1'], from: 'test', to: 'renamed' },
        { serviceKey: 's2', ips: ['1.2.3.3'], from: 'test', to: 'renamed' },
      ],
      pools: { s1: 'renamed', s2: 'renamed' },
    },
    {
      rule: 'A34: split pool',
      next: [makePool('low', { addresses: ['1.2.3.0/31'] }), makePool('high', { addresses: ['1.2.3.2/31'] })],
      changes: [
        { serviceKey: 's1', ips: ['1.2.3.1'], from: 'test', to: 'low' },
        { serviceKey: 's2', ips: ['1.2.3.3'], from: 'test', to: 'high' },
      ],
      pools: { s1: 'low', s2: 'high' },
    },
    {
      rule: 'A32: enable buggy IPs not allowed drops an allocation on .0',
      next: [makePool('test', { addresses: ['1.2.3.0/30'], avoidBuggyIPs: true })],
      changes: [{ serviceKey: 's0', ips: ['1.2.3.0'], from: 'test', to: undefined }],
      pools: { s0: undefined, s1: 'test', s2: 'test' },
      extra: { s0: '1.2.3.0' },
    },
  ])('$rule', ({ next, changes, pools, extra }) => {
    const allocator = allocatorWith([original], { s1: '1.2.3.1', s2: '1.2.3.3', ...extra });
    expect(allocator.setPools(next)).toEqual(changes);
    const held = Object.fromEntries(Object.keys(pools).map((key) => [key, allocator.holdingOf(key)?.pool]));
    expect(held).toEqual(pools);
  });

  it('A34: an address freed by shrinking is allocatable again after a grow', () => {
    const allocator = allocatorWith([original], { s1: '1.2.3.0' });
    allocator.setPools([makePool('test', { addresses: ['1.2.4.0/30'] })]);
    allocator.setPools([original]);
    expect(allocator.allocate(makeRequest('s9'))).toEqual({ ok: true, ips: ['1.2.3.0'], pool: 'test' });
  });
});

describe('poolCapacity (TestPoolCount)', () => {
  it.each([
    { rule: 'A33: BGP /24', addresses: ['1.2.3.0/24'], avoid: false, want: [256n, 256n, 0n] },
    {
      rule: 'A33: /24 and /25',
      addresses: ['1.2.3.0/24', '2.3.4.128/25'],
      avoid: false,
      want: [384n, 384n, 0n],
    },
    {
      rule: 'A33: /24 and /25, no buggy IPs',
      addresses: ['1.2.3.0/24', '2.3.4.128/25'],
      avoid: true,
      want: [381n, 381n, 0n],
    },
    {
      rule: 'A33: a /16 loses 2 per /24',
      addresses: ['10.0.0.0/16'],
      avoid: true,
      want: [65024n, 65024n, 0n],
    },
    {
      rule: 'R2: a BIG ipv6 range reports MaxInt64',
      addresses: ['1000::/64'],
      avoid: false,
      want: [MAX_INT64, 0n, MAX_INT64],
    },
    {
      rule: 'Q17: two huge IPv6 CIDRs saturate instead of overflowing',
      addresses: ['1000::/64', '2000::/60', '1.2.3.0/24'],
      avoid: false,
      want: [MAX_INT64, 256n, MAX_INT64],
    },
    {
      rule: 'A33: ipv4 and ipv6 range with buggy IPs',
      addresses: ['1.2.3.255/32', '1.2.4.0/31', '1000::/127'],
      avoid: true,
      want: [3n, 1n, 2n],
    },
  ])('$rule', ({ addresses, avoid, want }) => {
    const capacity = poolCapacity(makePool('p', { addresses, avoidBuggyIPs: avoid }));
    expect([capacity.total, capacity.ipv4, capacity.ipv6]).toEqual(want);
  });
});

describe('stats (TestPoolMetrics)', () => {
  it.each([
    {
      rule: 'M3: one Service, one address',
      held: [['s1', '1.2.3.0', 'a']],
      want: { total: 1, ipv4: 1, ipv6: 0, services: 1 },
    },
    {
      rule: 'M3: a shared address counts once',
      held: [
        ['s1', '1.2.3.0', 'key'],
        ['s2', '1.2.3.0', 'key'],
      ],
      want: { total: 1, ipv4: 1, ipv6: 0, services: 2 },
    },
    {
      rule: 'M3: IPv6 addresses count per family',
      held: [
        ['s1', '1000::1', 'a'],
        ['s2', '1.2.3.1', 'b'],
      ],
      want: { total: 2, ipv4: 1, ipv6: 1, services: 2 },
    },
  ])('$rule', ({ held, want }) => {
    const allocator = new Allocator([makePool('p', { addresses: ['1.2.3.0/24', '1000::/120'] })]);
    held.forEach(([serviceKey, ip, key], index) => {
      const request = makeRequest(serviceKey as string, {
        sharingKey: key as string,
        ports: [{ protocol: 'TCP', port: 80 + index }],
      });
      const outcome = allocator.assign(request, [ip as string]);
      if (!outcome.ok) throw new Error(outcome.message);
    });
    const stats = allocator.stats('p');
    expect({ ...stats?.inUse, services: stats?.services }).toEqual(want);
  });
});
