import { describe, expect, it } from 'vitest';
import { failoversGained } from '../../../src/election/index.js';

describe('failoversGained (ferrolb_failover_events_total, both speakers)', () => {
  it.each([
    {
      rule: 'metrics: taking over from another node is a failover',
      previous: 'node-b',
      want: ['203.0.113.1'],
    },
    { rule: 'metrics: an IP nobody owned before is not a failover', previous: undefined, want: [] },
    { rule: 'metrics: regaining our own IP is not a failover', previous: 'node-a', want: [] },
  ])('$rule', ({ previous, want }) => {
    const owners = new Map(previous ? [['203.0.113.1', previous]] : []);
    expect(failoversGained('node-a', owners, ['203.0.113.1'])).toEqual(want);
  });
});
