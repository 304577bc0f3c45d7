// IPAddressPool and L2Advertisement validation (V1–V14), namespaces, shared pools, poolFor and
// advertisementsForPool.
import { describe, expect, it } from 'vitest';
import {
  advertisementsForPool,
  buildConfig,
  type ConfigInput,
  type Fields,
  poolFor,
} from '../../../src/config/index.js';

const pool = (name: string, spec: Fields, metadata: Fields = {}): Fields => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, ...metadata },
  spec,
});
const advertisement = (name: string, spec: Fields): Fields => ({ metadata: { name }, spec });

function build(pools: Fields[], l2Advertisements: Fields[] = [], namespaces: ConfigInput['namespaces'] = []) {
  return buildConfig(
    {
      pools: pools.map((object, index) => ({ source: `document ${index + 1}`, object })),
      l2Advertisements: l2Advertisements.map((object, index) => ({ source: `ad ${index + 1}`, object })),
      namespaces,
    },
    { namespace: 'metallb-system' },
  );
}

describe('IPAddressPool validation', () => {
  it.each([
    {
      rule: 'V1: missing pool name',
      object: pool('', { addresses: ['10.0.0.0/24'] }),
      field: 'metadata.name',
      message: 'parsing address pool : missing pool name',
    },
    {
      rule: 'V1: no addresses',
      object: pool('a', { addresses: [] }),
      field: 'spec.addresses',
      message: 'parsing address pool a: pool has no prefixes defined',
    },
    {
      rule: 'V2: invalid CIDR, wrapped with pool and entry',
      object: pool('a', { addresses: ['10.0.0.0/24', '10.1.0.0/33'] }),
      field: 'spec.addresses[1]',
      message: 'parsing address pool a: invalid CIDR "10.1.0.0/33" in pool "a": invalid CIDR "10.1.0.0/33"',
    },
    {
      rule: 'V3: invalid range',
      object: pool('a', { addresses: ['10.0.0.9-10.0.0.1'] }),
      field: 'spec.addresses[0]',
      message:
        'parsing address pool a: invalid CIDR "10.0.0.9-10.0.0.1" in pool "a": invalid IP range "10.0.0.9-10.0.0.1": start IP "10.0.0.9" is after the end IP "10.0.0.1"',
    },
    {
      rule: 'V4: autoAssign must be a boolean',
      object: pool('a', { addresses: ['10.0.0.0/24'], autoAssign: 'yes' }),
      field: 'spec.autoAssign',
      message: 'parsing address pool a: expected a boolean',
    },
    {
      rule: 'V5: duplicate namespaces',
      object: pool('a', { addresses: ['10.0.0.0/24'], serviceAllocation: { namespaces: ['x', 'x'] } }),
      field: 'spec.serviceAllocation.namespaces[1]',
      message: 'parsing address pool a: duplicate definition in namespaces field',
    },
    {
      rule: 'V5: duplicate serviceSelectors',
      object: pool('a', {
        addresses: ['10.0.0.0/24'],
        serviceAllocation: { serviceSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] },
      }),
      field: 'spec.serviceAllocation.serviceSelectors[1]',
      message: 'parsing address pool a: duplicate definition of serviceSelectors "a=b"',
    },
    {
      rule: 'V5: duplicate matchExpression values',
      object: pool('a', {
        addresses: ['10.0.0.0/24'],
        serviceAllocation: {
          namespaceSelectors: [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['v', 'v'] }] }],
        },
      }),
      field: 'spec.serviceAllocation.namespaceSelectors[0].matchExpressions[0].values',
      message: 'parsing address pool a: duplicate definition of match expression value in label selector "v"',
    },
    {
      rule: 'V5: an In expression without values is invalid',
      object: pool('a', {
        addresses: ['10.0.0.0/24'],
        serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'k', operator: 'In' }] }] },
      }),
      field: 'spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].values',
      message: 'parsing address pool a: must be non-empty for operator In',
    },
  ])('$rule', ({ object, field, message }) => {
    const { config, problems } = build([object]);
    expect(config.pools).toEqual([]);
    expect(problems).toEqual([
      { severity: 'invalid', source: 'document 1', object: expect.any(String), field, message },
    ]);
  });

  it.each([
    {
      rule: 'V8: overlap across pools: the later pool by name loses, the others stay',
      pools: [
        pool('b', { addresses: ['10.0.0.128/25'] }),
        pool('a', { addresses: ['10.0.0.0/24'] }),
        pool('c', { addresses: ['10.1.0.0/24'] }),
      ],
      kept: ['a', 'c'],
      message: 'CIDR "10.0.0.128/25" in pool "b" overlaps with already defined CIDR "10.0.0.0/24"',
    },
    {
      rule: 'V8: overlap within one pool rejects that pool',
      pools: [pool('a', { addresses: ['10.0.0.0/24', '10.0.0.5-10.0.0.6'] })],
      kept: [],
      message: 'CIDR "10.0.0.5/32" in pool "a" overlaps with already defined CIDR "10.0.0.0/24"',
    },
    {
      rule: 'V8: a range overlapping a CIDR is caught',
      pools: [
        pool('a', { addresses: ['1.1.1.1-1.1.1.100'] }),
        pool('b', { addresses: ['1.1.1.15-1.1.1.20'] }),
      ],
      kept: ['a'],
      message: 'CIDR "1.1.1.15/32" in pool "b" overlaps with already defined CIDR "1.1.1.8/29"',
    },
    {
      rule: 'V7: a duplicate pool name rejects the later one',
      pools: [pool('a', { addresses: ['10.0.0.0/24'] }), pool('a', { addresses: ['10.1.0.0/24'] })],
      kept: ['a'],
      message: 'duplicate definition of pool "a"',
    },
  ])('$rule', ({ pools, kept, message }) => {
    const { config, problems } = build(pools);
    expect(config.pools.map((item) => item.name)).toEqual(kept);
    expect(problems.map((problem) => problem.message)).toEqual([message]);
  });

  it.each([
    {
      rule: 'V4: autoAssign defaults to true, avoidBuggyIPs to false',
      spec: { addresses: ['10.0.0.0/24'] },
      metadata: {},
      want: { autoAssign: true, avoidBuggyIPs: false, shared: false },
    },
    {
      rule: 'DESIGN shared pools: metallb.universe.tf/share-address-pool as an unquoted true',
      spec: { addresses: ['10.0.0.0/24'] },
      metadata: { annotations: { 'metallb.universe.tf/share-address-pool': true } },
      want: { autoAssign: true, avoidBuggyIPs: false, shared: true },
    },
    {
      rule: 'N1: metallb.io/share-address-pool wins over the deprecated key',
      spec: { addresses: ['10.0.0.0/24'] },
      metadata: {
        annotations: {
          'metallb.io/share-address-pool': 'false',
          'metallb.universe.tf/share-address-pool': 'true',
        },
      },
      want: { autoAssign: true, avoidBuggyIPs: false, shared: false },
    },
  ])('$rule', ({ spec, metadata, want }) => {
    const [parsed] = build([pool('a', spec, metadata)]).config.pools;
    expect({
      autoAssign: parsed?.autoAssign,
      avoidBuggyIPs: parsed?.avoidBuggyIPs,
      shared: parsed?.shared,
    }).toEqual(want);
  });

  it('V5: namespaceSelectors are resolved against the Namespace labels', () => {
    const namespaces = [
      { name: 'red-1', labels: { team: 'red' } },
      { name: 'blue', labels: { team: 'blue' } },
      { name: 'red-2', labels: { team: 'red' } },
    ];
    const spec = {
      addresses: ['10.0.0.0/24'],
      serviceAllocation: { namespaces: ['extra'], namespaceSelectors: [{ matchLabels: { team: 'red' } }] },
    };
    const [parsed] = build([pool('a', spec)], [], namespaces).config.pools;
    expect(parsed?.serviceAllocation?.namespaces).toEqual(['extra', 'red-1', 'red-2']);
  });

  it('seed: a pool outside the namespace is ignored with a warning', () => {
    const { config, problems } = build([
      pool('stray', { addresses: ['10.0.0.0/24'] }, { namespace: 'default' }),
    ]);
    expect(config.pools).toEqual([]);
    expect(problems).toEqual([
      {
        severity: 'ignored',
        source: 'document 1',
        object: 'IPAddressPool default/stray',
        field: undefined,
        message: 'not in namespace metallb-system, ignored',
      },
    ]);
  });
});

describe('L2Advertisement', () => {
  const pools = [
    pool('gold', { addresses: ['10.0.0.0/24'] }, { labels: { tier: 'gold' } }),
    pool('silver', { addresses: ['10.1.0.0/24'] }, { labels: { tier: 'silver' } }),
  ];

  it.each([
    {
      rule: 'V11: no pools named or selected covers every pool',
      spec: {},
      want: { gold: ['ad'], silver: ['ad'] },
    },
    {
      rule: 'V11: named pools only',
      spec: { ipAddressPools: ['silver'] },
      want: { gold: [], silver: ['ad'] },
    },
    {
      rule: 'V11: selected pools only',
      spec: { ipAddressPoolSelectors: [{ matchLabels: { tier: 'gold' } }] },
      want: { gold: ['ad'], silver: [] },
    },
    {
      rule: 'V10: a non-existent pool name is ignored',
      spec: { ipAddressPools: ['nope'] },
      want: { gold: [], silver: [] },
    },
  ])('$rule', ({ spec, want }) => {
    const { config } = build(pools, [advertisement('ad', spec)]);
    const covered = Object.fromEntries(
      ['gold', 'silver'].map((name) => [name, advertisementsForPool(config, name).map((ad) => ad.name)]),
    );
    expect(covered).toEqual(want);
  });

  it('V13: identical advertisements count once; ones with preferences always count', () => {
    const preferred = {
      preferredNodeSelectors: [{ weight: 10, preference: { matchLabels: { zone: 'a' } } }],
    };
    const { config } = build(pools, [
      advertisement('a1', {}),
      advertisement('a2', {}),
      advertisement('p1', preferred),
      advertisement('p2', preferred),
    ]);
    expect(advertisementsForPool(config, 'gold').map((ad) => ad.name)).toEqual(['a1', 'p1', 'p2']);
  });

  it.each([
    {
      rule: 'V9: duplicate ipAddressPools',
      spec: { ipAddressPools: ['gold', 'gold'] },
      message: 'duplicate definition of ipAddressPools "gold"',
    },
    {
      rule: 'V9: duplicate nodeSelectors',
      spec: { nodeSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] },
      message: 'duplicate definition of nodeSelectors "a=b"',
    },
    {
      rule: 'R3: preferredNodeSelectors weight must be 1..100',
      spec: { preferredNodeSelectors: [{ weight: 0, preference: {} }] },
      message: 'weight 0 must be between 1 and 100',
    },
  ])('$rule', ({ spec, message }) => {
    const { config, problems } = build(pools, [advertisement('bad', spec)]);
    expect(config.l2Advertisements).toEqual([]);
    expect(problems.map((problem) => problem.message)).toEqual([message]);
  });
});

describe('poolFor', () => {
  const { config } = build([
    pool('plain', { addresses: ['10.0.0.0/24'] }),
    pool('careful', { addresses: ['10.1.0.0/24'], avoidBuggyIPs: true }),
  ]);
  it.each([
    { rule: 'A21: an address inside a pool', ip: '10.0.0.0', want: 'plain' },
    { rule: 'A32: an excluded buggy address is outside its pool', ip: '10.1.0.255', want: undefined },
    { rule: 'A21: an address inside no pool', ip: '10.2.0.1', want: undefined },
    { rule: 'A21: text that is not an address', ip: 'nonsense', want: undefined },
  ])('$rule', ({ ip, want }) => {
    expect(poolFor(config, ip)?.name).toBe(want);
  });
});
