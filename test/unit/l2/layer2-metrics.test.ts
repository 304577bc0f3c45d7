import { describe, expect, it } from 'vitest';
import { bucketValueSeconds, counterDelta } from '../../../src/l2/layer2-metrics.js';
import type { PacketCounters } from '../../../src/l2/native.js';

function counters(fields: {
  addresses?: PacketCounters['addresses'];
  announceIP?: number;
  kernelDrops?: number;
  latency?: number[];
}): PacketCounters {
  return {
    addresses: fields.addresses ?? [],
    drops: { announceIP: fields.announceIP ?? 0 } as PacketCounters['drops'],
    latency: { boundsMicros: [5, 10], counts: fields.latency ?? [0, 0, 0], sumSeconds: 0, count: 0 },
    framesReceived: 0,
    receiveErrors: 0,
    sendFailures: 0,
    framesForwarded: 0,
    forwardDropped: 0,
    kernelDrops: fields.kernelDrops ?? 0,
    otherInterface: 0,
    otherHost: 0,
  };
}

describe('C counters to Prometheus deltas (MetalLB M5)', () => {
  it.each([
    {
      rule: 'M5: a new socket contributes everything it counted',
      previous: undefined,
      next: counters({ addresses: [{ ip: '203.0.113.1', requestsReceived: 3, responsesSent: 2 }] }),
      want: { addresses: [{ ip: '203.0.113.1', requestsReceived: 3, responsesSent: 2 }], drops: [] },
    },
    {
      rule: 'M5: a later read contributes only the increase; unchanged IPs are left out',
      previous: counters({
        addresses: [
          { ip: '203.0.113.1', requestsReceived: 3, responsesSent: 2 },
          { ip: '203.0.113.2', requestsReceived: 1, responsesSent: 1 },
        ],
        announceIP: 4,
      }),
      next: counters({
        addresses: [
          { ip: '203.0.113.1', requestsReceived: 5, responsesSent: 5 },
          { ip: '203.0.113.2', requestsReceived: 1, responsesSent: 1 },
        ],
        announceIP: 6,
        kernelDrops: 2,
      }),
      want: {
        addresses: [{ ip: '203.0.113.1', requestsReceived: 2, responsesSent: 3 }],
        drops: [
          { reason: 'announceIP', count: 2 },
          { reason: 'receiveBufferFull', count: 2 },
        ],
      },
    },
  ])('$rule', ({ previous, next, want }) => {
    expect(counterDelta(previous, next)).toMatchObject(want);
  });

  it('latency: per-bucket counts become per-bucket increases', () => {
    const delta = counterDelta(counters({ latency: [1, 2, 3] }), counters({ latency: [4, 2, 5] }));
    expect(delta.latencyCounts).toEqual([3, 0, 2]);
  });

  it.each([
    { rule: 'latency: first bucket midpoint', index: 0, want: 2.5e-6 },
    { rule: 'latency: middle bucket midpoint', index: 1, want: 7.5e-6 },
    { rule: 'latency: +Inf bucket at twice the last bound', index: 2, want: 20e-6 },
  ])('$rule', ({ index, want }) => {
    const value = bucketValueSeconds([5, 10], index);
    expect(value).toBeCloseTo(want, 12);
    // The value must fall inside its bucket, or the histogram would be wrong, not just its sum.
    if (index < 2) expect(value).toBeLessThanOrEqual([5, 10][index]! / 1e6);
  });
});
