import { describe, expect, it } from 'vitest';
import type { Fields } from '../../../src/config/index.js';
import { adoptConfig } from '../../../src/speaker/index.js';
import { advertisementObject, alphaConfig, NAMESPACE, poolObject } from './fixtures.js';

const input = (pools: Fields[]) => ({
  pools: pools.map((object, index) => ({ source: `pool ${index}`, object })),
  l2Advertisements: [{ source: 'ad', object: advertisementObject('all') }],
  namespaces: [],
});
const alpha = poolObject('alpha', ['10.0.0.0/24', '2001:db8:1::/120']);
const moved = poolObject('alpha', ['10.9.0.0/24']);
const broken = poolObject('broken', ['10.1.0.0/33']);
const overlapping = poolObject('zeta', ['10.0.0.128/25']);
const elsewhere = {
  ...poolObject('stray', ['10.7.0.0/24']),
  metadata: { name: 'stray', namespace: 'default' },
};

describe('adoptConfig', () => {
  it.each([
    {
      rule: 'C3: a valid config is adopted and not stale',
      pools: [alpha],
      current: undefined,
      announced: [],
      want: { adopted: true, stale: false },
    },
    {
      rule: 'V2/C3: an invalid pool keeps the last good config, stale',
      pools: [alpha, broken],
      current: alphaConfig,
      announced: [],
      want: { adopted: false, stale: true },
    },
    {
      rule: 'V8/V14: an overlapping pool rejects the whole config',
      pools: [alpha, overlapping],
      current: alphaConfig,
      announced: [],
      want: { adopted: false, stale: true },
    },
    {
      rule: 'A37: a config leaving an announced IP without a pool is refused, stale',
      pools: [moved],
      current: alphaConfig,
      announced: ['10.0.0.1'],
      want: { adopted: false, stale: true },
    },
    {
      rule: 'A37: once that IP is withdrawn the same config is adopted',
      pools: [moved],
      current: alphaConfig,
      announced: [],
      want: { adopted: true, stale: false },
    },
    {
      rule: 'C2: a pool in another namespace is ignored, not stale',
      pools: [alpha, elsewhere],
      current: undefined,
      announced: [],
      want: { adopted: true, stale: false },
    },
  ])('$rule', ({ pools, current, announced, want }) => {
    const adoption = adoptConfig(input(pools), { namespace: NAMESPACE, current, announcedIPs: announced });
    expect({ adopted: adoption.config !== current, stale: adoption.stale }).toEqual(want);
  });

  it('A37: names the orphaned IPs; V2: names the invalid object and field', () => {
    const orphaned = adoptConfig(input([moved]), {
      namespace: NAMESPACE,
      current: alphaConfig,
      announcedIPs: ['10.0.0.1', '10.9.0.1'],
    });
    expect(orphaned.orphanedIPs).toEqual(['10.0.0.1']);
    const invalid = adoptConfig(input([broken]), {
      namespace: NAMESPACE,
      current: undefined,
      announcedIPs: [],
    });
    expect(invalid.config).toBeUndefined();
    expect(invalid.problems).toMatchObject([
      { severity: 'invalid', object: `IPAddressPool ${NAMESPACE}/broken`, field: 'spec.addresses[0]' },
    ]);
  });
});
