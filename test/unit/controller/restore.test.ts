// C8 and DESIGN "Allocation": held IPs are restored before anything new is allocated, so the
// result does not depend on the order Services are listed in (MetalLB shuffles its cases 100 times).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { restoreThenAllocate } from '../../../src/controller/index.js';
import { Allocator } from '../../../src/ipam/index.js';
import { makePool, makeService } from './fixtures.js';

const pools = [
  makePool('a', { addresses: ['10.0.0.0/29'] }),
  makePool('b', { addresses: ['10.1.0.0/30', '1000::/126'] }),
  makePool('s', { addresses: ['10.2.0.0/31'], shared: true, autoAssign: false }),
];
const config = { pools, poolsByName: new Map(pools.map((pool) => [pool.name, pool])), l2Advertisements: [] };

function outcome(decisions: ReturnType<typeof restoreThenAllocate>): Record<string, string> {
  return Object.fromEntries(
    decisions.map((decision) => [decision.serviceKey, decision.ingress.join(',') || 'none']),
  );
}

describe('restoreThenAllocate', () => {
  it.each([
    {
      rule: 'C8: a held IP is restored before a new Service listed earlier can take it',
      services: [makeService({ name: 'new' }), makeService({ name: 'old', ingress: ['10.0.0.0'] })],
      want: { 'default/new': '10.0.0.1', 'default/old': '10.0.0.0' },
    },
    {
      rule: 'C8: new Services are allocated in the given order',
      services: [makeService({ name: 'first' }), makeService({ name: 'second' })],
      want: { 'default/first': '10.0.0.0', 'default/second': '10.0.0.1' },
    },
    {
      rule: 'A35: a held IP that left every pool is reallocated after the restores',
      services: [
        makeService({ name: 'moved', ingress: ['192.168.0.1'] }),
        makeService({ name: 'kept', ingress: ['10.0.0.0'] }),
      ],
      want: { 'default/moved': '10.0.0.1', 'default/kept': '10.0.0.0' },
    },
    {
      rule: 'C8: a conflicting second claim on one IP is reallocated, the first keeps it',
      services: [
        makeService({ name: 'one', ingress: ['10.0.0.3'] }),
        makeService({ name: 'two', ingress: ['10.0.0.3'] }),
      ],
      want: { 'default/one': '10.0.0.3', 'default/two': '10.0.0.0' },
    },
  ])('$rule', ({ services, want }) => {
    expect(outcome(restoreThenAllocate(services, config))).toEqual(want);
  });

  it('C8: accepts a live allocator and keeps its state', () => {
    const allocator = new Allocator(pools);
    restoreThenAllocate([makeService({ name: 'x' })], allocator);
    expect(allocator.holdingOf('default/x')?.ips).toEqual(['10.0.0.0']);
  });

  it('C8: restored Services get the same result in any order', () => {
    // Services holding distinct valid IPs, in pools they may use, plus new ones kept in file order.
    const held = ['10.0.0.2', '10.0.0.5', '10.1.0.1', '10.2.0.0', '1000::2'];
    const restored = held.map((ip, index) =>
      makeService({
        name: `held${index}`,
        ingress: [ip],
        clusterIPs: ip.includes(':') ? ['fd00::1'] : ['10.96.0.1'],
        ports: [{ port: 80 + index }],
      }),
    );
    const fresh = [0, 1, 2].map((index) => makeService({ name: `new${index}` }));
    const reference = outcome(restoreThenAllocate([...restored, ...fresh], config));
    fc.assert(
      fc.property(fc.shuffledSubarray(restored, { minLength: restored.length }), (shuffled) => {
        expect(outcome(restoreThenAllocate([...shuffled, ...fresh], config))).toEqual(reference);
        const interleaved = [fresh[0], ...shuffled.slice(0, 2), fresh[1], ...shuffled.slice(2), fresh[2]];
        expect(
          outcome(
            restoreThenAllocate(
              interleaved.filter((item) => item !== undefined),
              config,
            ),
          ),
        ).toEqual(reference);
      }),
      { numRuns: 60 },
    );
  });
});
