// MetalLB TestPoolAllocation, TestAllocation, TestAutoAssign, TestBuggyIPs (T1), plus ferrolb's
// deterministic pool order (Q2) and shared pools (DESIGN "Shared pools").
import { describe, expect, it } from 'vitest';
import type { Pool } from '../../../src/config/index.js';
import { makePool } from './fixtures.js';
import { runScenario, type Step, shapeOf, type Want } from './steps.js';

const dual = { family: 'dual', policy: 'RequireDualStack' } as const;
const preferDual = { family: 'dual', policy: 'PreferDualStack' } as const;
const v6 = { family: 'IPv6' } as const;
const port = (number: number) => ({ ports: [{ protocol: 'TCP', port: number }] });

interface Row {
  readonly rule: string;
  readonly pools: readonly Pool[];
  readonly steps: readonly Step[];
  readonly want: Want;
}

const small = makePool('small', { addresses: ['1.2.3.4/31', '1000::4/127'] });
const v4Only = makePool('v4only', { addresses: ['1.2.5.0/31'] });

const fromPool: Row[] = [
  {
    rule: 'A18: the lowest address first; network address allocatable',
    pools: [makePool('net', { addresses: ['10.0.0.0/30'] })],
    steps: [{ fromPool: 's1', pool: 'net' }],
    want: ['10.0.0.0'],
  },
  {
    rule: 'A14: exhausting a v4 pool',
    pools: [small],
    steps: [
      { fromPool: 's1', pool: 'small' },
      { fromPool: 's2', pool: 'small' },
      { fromPool: 's3', pool: 'small' },
    ],
    want: { code: 'noAvailableAddress', message: 'no available IPs in pool small for ipv4 IPFamily' },
  },
  {
    rule: 'A14: exhausting a v6 pool',
    pools: [small],
    steps: [
      { fromPool: 's1', pool: 'small', with: v6 },
      { fromPool: 's2', pool: 'small', with: v6 },
      { fromPool: 's3', pool: 'small', with: v6 },
    ],
    want: { code: 'noAvailableAddress', message: 'no available IPs in pool small for ipv6 IPFamily' },
  },
  {
    rule: 'A14: exhausting a dual pool',
    pools: [small],
    steps: [
      { fromPool: 's1', pool: 'small', with: dual },
      { fromPool: 's2', pool: 'small', with: dual },
      { fromPool: 's3', pool: 'small', with: dual },
    ],
    want: { code: 'noAvailableAddress', message: 'no available IPs in pool small for dual IPFamily' },
  },
  {
    rule: 'A14: releasing lets s3 take the freed address',
    pools: [small],
    steps: [
      { fromPool: 's1', pool: 'small' },
      { fromPool: 's2', pool: 'small' },
      { unassign: 's1' },
      { fromPool: 's3', pool: 'small' },
    ],
    want: ['1.2.3.4'],
  },
  {
    rule: 'A18: with sharing enabled s3 packs onto the lowest compatible address',
    pools: [small],
    steps: [
      { fromPool: 's1', pool: 'small', with: { sharingKey: 'k' } },
      { fromPool: 's2', pool: 'small', with: { sharingKey: 'k' } },
      { fromPool: 's3', pool: 'small', with: { sharingKey: 'k', ...port(443) } },
    ],
    want: ['1.2.3.4'],
  },
  {
    rule: 'A19: RequireDualStack gets [IPv4, IPv6]',
    pools: [small],
    steps: [{ fromPool: 's1', pool: 'small', with: dual }],
    want: ['1.2.3.4', '1000::4'],
  },
  {
    rule: 'A19: dual result is [IPv4, IPv6] even when IPv6 is primary',
    pools: [small],
    steps: [{ fromPool: 's1', pool: 'small', with: { ...dual, primaryFamily: 'IPv6' } }],
    want: ['1.2.3.4', '1000::4'],
  },
  {
    rule: 'A16: PreferDualStack from a v4-only pool gets IPv4',
    pools: [v4Only],
    steps: [{ fromPool: 's2', pool: 'v4only', with: preferDual }],
    want: ['1.2.5.0'],
  },
  {
    rule: 'A16: RequireDualStack from a v4-only pool fails',
    pools: [v4Only],
    steps: [{ fromPool: 's2', pool: 'v4only', with: dual }],
    want: { code: 'noAvailableAddress', message: 'no available IPs in pool v4only for dual IPFamily' },
  },
  {
    rule: 'A14: non-existent pool',
    pools: [small],
    steps: [{ fromPool: 's1', pool: 'nope' }],
    want: { code: 'unknownPool', message: 'unknown pool "nope"' },
  },
  {
    rule: 'A14: autoAssign=false is ignored by the address-pool annotation',
    pools: [makePool('manual', { addresses: ['10.9.0.0/31'], autoAssign: false })],
    steps: [{ fromPool: 's1', pool: 'manual' }],
    want: ['10.9.0.0'],
  },
  {
    rule: 'A22: allocateFromPool still enforces compatibility',
    pools: [makePool('ns1only', { addresses: ['10.9.0.0/31'], serviceAllocation: { namespaces: ['ns1'] } })],
    steps: [{ fromPool: 'ns2/s1', pool: 'ns1only' }],
    want: { code: 'poolNotCompatible', message: 'pool ns1only not compatible for ip assignment' },
  },
  {
    rule: 'A15.1: a held allocation of the wrong family is refused',
    pools: [small],
    steps: [
      { fromPool: 's1', pool: 'small' },
      { fromPool: 's1', pool: 'small', with: v6 },
    ],
    want: { code: 'wrongFamily', message: 'IP for wrong family assigned alloc ipv4 service family ipv6' },
  },
  {
    rule: 'A8: PreferDualStack top-up adds the other family from the same pool',
    pools: [small],
    steps: [
      { fromPool: 's1', pool: 'small', with: preferDual },
      { unassign: 's1' },
      { assign: 's1', ips: ['1.2.3.5'] },
      { topUp: 's1' },
    ],
    want: ['1.2.3.5', '1000::4'],
  },
  {
    rule: 'A8: top-up from a single-family pool fails with the pool message',
    pools: [v4Only],
    steps: [{ assign: 's1', ips: ['1.2.5.1'] }, { topUp: 's1' }],
    want: { code: 'noAvailableAddress', message: 'no available IPs in pool v4only for ipv6 IPFamily' },
  },
];

const a = makePool('a', { addresses: ['10.1.0.0/31'] });
const b = makePool('b', { addresses: ['10.2.0.0/31'] });
const priority = (name: string, value: number, cidr: string) =>
  makePool(name, { addresses: [cidr], serviceAllocation: { priority: value, namespaces: ['team'] } });

const acrossPools: Row[] = [
  {
    rule: 'Q2: generic pools are tried by name, so the order never varies',
    pools: [b, a],
    steps: [{ allocate: 's1' }],
    want: ['10.1.0.0'],
  },
  {
    rule: 'A15: the next pool by name serves when the first is full',
    pools: [b, a],
    steps: [{ allocate: 's1' }, { allocate: 's2' }, { allocate: 's3' }],
    want: ['10.2.0.0'],
  },
  {
    rule: 'A15: nothing left gives "no available IPs"',
    pools: [a],
    steps: [{ allocate: 's1' }, { allocate: 's2' }, { allocate: 's3' }],
    want: { code: 'noAvailableAddress', message: 'no available IPs' },
  },
  {
    rule: 'A15: autoAssign=false pools are never auto-picked (TestAutoAssign)',
    pools: [makePool('manual', { addresses: ['10.9.0.0/31'], autoAssign: false })],
    steps: [{ allocate: 's1' }],
    want: { code: 'noAvailableAddress', message: 'no available IPs' },
  },
  {
    rule: 'A15: pinned pools by priority: pool12 at 5 wins over 8, 9, 10 and unset',
    pools: [
      priority('pool10', 10, '10.10.0.0/31'),
      priority('pool12', 5, '10.12.0.0/31'),
      priority('pool8', 8, '10.8.0.0/31'),
      priority('pool9', 9, '10.9.0.0/31'),
      priority('pool0', 0, '10.0.0.0/31'),
      a,
    ],
    steps: [{ allocate: 'team/s1' }],
    want: ['10.12.0.0'],
  },
  {
    rule: 'Q2: equal priorities are tried by name',
    pools: [priority('zeta', 3, '10.26.0.0/31'), priority('alpha', 3, '10.27.0.0/31')],
    steps: [{ allocate: 'team/s1' }],
    want: ['10.27.0.0'],
  },
  {
    rule: 'A15: unset priority comes after every prioritised pool',
    pools: [priority('aaa', 0, '10.30.0.0/31'), priority('zzz', 7, '10.31.0.0/31')],
    steps: [{ allocate: 'team/s1' }],
    want: ['10.31.0.0'],
  },
  {
    rule: 'A15: pinned pools full, a generic pool serves',
    pools: [priority('pinned', 1, '10.40.0.0/32'), a],
    steps: [{ allocate: 'team/s1' }, { allocate: 'team/s2' }],
    want: ['10.1.0.0'],
  },
  {
    rule: 'A15: a pool with serviceAllocation is never a generic fallback',
    pools: [priority('pinned', 1, '10.40.0.0/31')],
    steps: [{ allocate: 'other/s1' }],
    want: { code: 'noAvailableAddress', message: 'no available IPs' },
  },
  {
    rule: 'V6: a pool with only priority is pinned for every Service',
    pools: [makePool('onlypriority', { addresses: ['10.50.0.0/31'], serviceAllocation: { priority: 1 } }), a],
    steps: [{ allocate: 'anywhere/s1' }],
    want: ['10.50.0.0'],
  },
  {
    rule: 'A15: pinned by serviceSelectors',
    pools: [
      a,
      makePool('red', {
        addresses: ['10.60.0.0/31'],
        serviceAllocation: { serviceSelectors: [{ matchLabels: { team: 'red' } }] },
      }),
    ],
    steps: [{ allocate: 's1', with: { labels: { team: 'red' } } }],
    want: ['10.60.0.0'],
  },
  {
    rule: 'A16: dual Service takes the first pool with both families',
    pools: [
      makePool('a4', { addresses: ['10.70.0.0/31'] }),
      makePool('b46', { addresses: ['10.71.0.0/31', '1000::71:0/127'] }),
    ],
    steps: [{ allocate: 's1', with: dual }],
    want: ['10.71.0.0', '1000::71:0'],
  },
  {
    rule: 'A16: PreferDualStack without a dual pool takes the first with the primary family',
    pools: [
      makePool('a6', { addresses: ['1000::72:0/127'] }),
      makePool('b4', { addresses: ['10.72.0.0/31'] }),
    ],
    steps: [{ allocate: 's1', with: preferDual }],
    want: ['10.72.0.0'],
  },
  {
    rule: 'A16: PreferDualStack with IPv6 primary takes the first IPv6 pool',
    pools: [
      makePool('a4', { addresses: ['10.73.0.0/31'] }),
      makePool('b6', { addresses: ['1000::73:0/127'] }),
    ],
    steps: [{ allocate: 's1', with: { ...preferDual, primaryFamily: 'IPv6' } }],
    want: ['1000::73:0'],
  },
  {
    rule: 'A16: PreferDualStack falls back to the secondary family',
    pools: [makePool('a4', { addresses: ['10.74.0.0/31'] })],
    steps: [{ allocate: 's1', with: { ...preferDual, primaryFamily: 'IPv6' } }],
    want: ['10.74.0.0'],
  },
  {
    rule: 'A16: RequireDualStack never falls back',
    pools: [makePool('a4', { addresses: ['10.75.0.0/31'] })],
    steps: [{ allocate: 's1', with: dual }],
    want: { code: 'noAvailableAddress', message: 'no available IPs' },
  },
  {
    rule: 'A15.1: a held allocation is re-assigned, not moved',
    pools: [a],
    steps: [{ assign: 's1', ips: ['10.1.0.1'] }, { allocate: 's1' }],
    want: ['10.1.0.1'],
  },
  {
    rule: 'A18: a /64 pool hands out its lowest address without a scan',
    pools: [makePool('huge', { addresses: ['2001:db8:1::/64'] })],
    steps: [
      { allocate: 's1', with: v6 },
      { allocate: 's2', with: v6 },
    ],
    want: ['2001:db8:1::1'],
  },
  {
    rule: 'A27: an address requested at the top of a /64 is held against others',
    pools: [makePool('huge', { addresses: ['2001:db8:1::/64'] })],
    steps: [
      { assign: 's1', ips: ['2001:db8:1:0:ffff:ffff:ffff:ffff'], with: v6 },
      { assign: 's2', ips: ['2001:db8:1:0:ffff:ffff:ffff:ffff'], with: v6 },
    ],
    want: {
      code: 'sharingConflict',
      message: `can't change sharing key for "s2", address also in use by s1`,
    },
  },
  {
    rule: 'A17: CIDRs are walked in spec.addresses order',
    pools: [makePool('order', { addresses: ['10.80.0.8/31', '10.80.0.0/31'] })],
    steps: [{ allocate: 's1' }],
    want: ['10.80.0.8'],
  },
];

const buggy: Row[] = [
  {
    rule: 'A33: 1.2.4.0/31 with avoidBuggyIPs gives only .1',
    pools: [makePool('b', { addresses: ['1.2.4.0/31'], avoidBuggyIPs: true })],
    steps: [{ allocate: 's1' }],
    want: ['1.2.4.1'],
  },
  {
    rule: 'A33: 1.2.4.0/31 with avoidBuggyIPs has nothing after .1',
    pools: [makePool('b', { addresses: ['1.2.4.0/31'], avoidBuggyIPs: true })],
    steps: [{ allocate: 's1' }, { allocate: 's2' }],
    want: { code: 'noAvailableAddress', message: 'no available IPs' },
  },
  {
    rule: 'A31: in a /16, .255 and the next .0 are skipped',
    pools: [makePool('b', { addresses: ['10.0.0.0/16'], avoidBuggyIPs: true })],
    steps: [
      { assign: 'x', ips: ['10.0.0.250'] },
      ...Array.from({ length: 254 }, (_, index): Step => ({ allocate: `s${index}` })),
    ],
    want: ['10.0.1.1'],
  },
  {
    rule: 'A31: IPv6 is unaffected by avoidBuggyIPs',
    pools: [makePool('b', { addresses: ['1000::/127'], avoidBuggyIPs: true })],
    steps: [{ allocate: 's1', with: v6 }],
    want: ['1000::'],
  },
];

const sharedPool = makePool('sharedpool', { addresses: ['10.90.0.4/31'], shared: true, autoAssign: true });

const sharing: Row[] = [
  {
    rule: 'DESIGN shared pools: a requested IP is shared without allow-shared-ip',
    pools: [sharedPool],
    steps: [
      { assign: 's1', ips: ['10.90.0.4'] },
      { assign: 's2', ips: ['10.90.0.4'], with: port(443) },
    ],
    want: ['10.90.0.4'],
  },
  {
    rule: 'DESIGN shared pools: a colliding (protocol, port) is refused',
    pools: [sharedPool],
    steps: [
      { assign: 's1', ips: ['10.90.0.4'] },
      { assign: 's2', ips: ['10.90.0.4'] },
    ],
    want: { code: 'portInUse', message: 'port TCP/80 is already in use on "10.90.0.4"' },
  },
  {
    rule: 'DESIGN shared pools: Local-policy selectors must be equal',
    pools: [sharedPool],
    steps: [
      { assign: 's1', ips: ['10.90.0.4'], with: { backendKey: 'app=a' } },
      { assign: 's2', ips: ['10.90.0.4'], with: { backendKey: 'app=b', ...port(443) } },
    ],
    want: {
      code: 'sharingConflict',
      message: `can't change sharing key for "s2", address also in use by s1`,
    },
  },
  {
    rule: 'DESIGN shared pools: auto-assignment prefers an unused address',
    pools: [sharedPool],
    steps: [{ allocate: 's1' }, { allocate: 's2', with: port(443) }],
    want: ['10.90.0.5'],
  },
  {
    rule: 'DESIGN shared pools: auto-assignment packs only when nothing is free',
    pools: [sharedPool],
    steps: [{ allocate: 's1' }, { allocate: 's2' }, { allocate: 's3', with: port(443) }],
    want: ['10.90.0.4'],
  },
  {
    rule: 'DESIGN shared pools: a full pool with every port taken refuses',
    pools: [sharedPool],
    steps: [{ allocate: 's1' }, { allocate: 's2' }, { allocate: 's3' }],
    want: { code: 'noAvailableAddress', message: 'no available IPs' },
  },
  {
    rule: 'A27: outside shared pools an unkeyed Service never packs',
    pools: [makePool('plain', { addresses: ['10.91.0.4/32'] })],
    steps: [{ allocate: 's1' }, { allocate: 's2', with: port(443) }],
    want: { code: 'noAvailableAddress', message: 'no available IPs' },
  },
];

describe('allocateFromPool (TestPoolAllocation)', () => {
  it.each(fromPool)('$rule', ({ pools, steps, want }) => {
    expect(shapeOf(runScenario(pools, steps).outcome)).toEqual(want);
  });
});

describe('allocate (TestAllocation, TestAutoAssign)', () => {
  it.each(acrossPools)('$rule', ({ pools, steps, want }) => {
    expect(shapeOf(runScenario(pools, steps).outcome)).toEqual(want);
  });
});

describe('avoidBuggyIPs (TestBuggyIPs)', () => {
  it.each(buggy)('$rule', ({ pools, steps, want }) => {
    expect(shapeOf(runScenario(pools, steps).outcome)).toEqual(want);
  });
});

describe('sharing', () => {
  it.each(sharing)('$rule', ({ pools, steps, want }) => {
    expect(shapeOf(runScenario(pools, steps).outcome)).toEqual(want);
  });

  it('A15: every pool tried keeps its own reason for plan', () => {
    const { outcome } = runScenario([a, b], [{ allocate: 's1', with: v6 }]);
    expect(outcome.ok ? [] : outcome.poolReasons).toEqual([
      { pool: 'a', message: 'no available IPs in pool a for ipv6 IPFamily' },
      { pool: 'b', message: 'no available IPs in pool b for ipv6 IPFamily' },
    ]);
  });
});
