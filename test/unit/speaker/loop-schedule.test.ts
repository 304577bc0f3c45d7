// The speaker loop's run scheduling (issue 14): a burst of API changes is coalesced into runs spaced
// apart, while an isolated API change and every gossip or interface change (failover) still run
// after SPEAKER_RECONCILE_DELAY_MS. A run is counted by its read of the Service cache.
import type { KubernetesObject } from '@kubernetes/client-node';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SPEAKER_RECONCILE_DELAY_MS } from '../../../src/config/defaults.js';
import type { WatchedCollection } from '../../../src/k8s/index.js';
import { SpeakerLoop } from '../../../src/speaker/loop.js';
import type { SpeakerWatches } from '../../../src/speaker/watches.js';

/** An empty cache (no objects: every run is a no-op reconcile); counts reads of its list. */
function emptyCollection(onList: () => void = () => {}): WatchedCollection<KubernetesObject> {
  return {
    get: () => undefined,
    list: () => {
      onList();
      return [];
    },
    synced: Promise.resolve(),
    stop: async () => {},
  };
}

/** `computeMs`: how long each run's computing takes (the clock jumps while the Services are read). */
function loopCountingRuns(computeMs = 0): { loop: SpeakerLoop; runs: () => number } {
  let runs = 0;
  const watches: SpeakerWatches = {
    services: emptyCollection(() => {
      runs += 1;
      if (computeMs > 0) vi.setSystemTime(Date.now() + computeMs);
    }),
    endpointSlices: emptyCollection(),
    nodes: emptyCollection(),
    namespaces: emptyCollection(),
    pools: emptyCollection(),
    advertisements: emptyCollection(),
    l2Statuses: emptyCollection(),
  };
  const loop = new SpeakerLoop({
    settings: { nodeName: 'node-a', namespace: 'metallb-system', ignoreExcludeLb: false },
    watches,
    custom: {} as never,
    statusOwner: undefined,
    events: { record: async () => {} },
    dataPlane: undefined,
    membership: undefined,
    logger: pino({ level: 'silent' }),
  });
  return { loop, runs: () => runs };
}

describe('speaker loop scheduling', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a burst of API changes (one every 10 ms for 1 s) runs far fewer reconciles than changes', async () => {
    const { loop, runs } = loopCountingRuns();
    loop.begin();
    await vi.advanceTimersByTimeAsync(1_000);
    const before = runs();
    for (let change = 0; change < 100; change += 1) {
      loop.scheduleApiChange();
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    const burstRuns = runs() - before;
    // Every change is covered by a run after it, and runs are at least 200 ms apart within the burst.
    expect(burstRuns).toBeGreaterThanOrEqual(5);
    expect(burstRuns).toBeLessThanOrEqual(7);
    await loop.freeze();
  });

  it('an isolated API change, after a quiet period, runs after SPEAKER_RECONCILE_DELAY_MS', async () => {
    const { loop, runs } = loopCountingRuns();
    loop.begin();
    await vi.advanceTimersByTimeAsync(1_000);
    const before = runs();
    loop.scheduleApiChange();
    await vi.advanceTimersByTimeAsync(SPEAKER_RECONCILE_DELAY_MS - 1);
    expect(runs()).toBe(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs()).toBe(before + 1);
    await loop.freeze();
  });

  it('a gossip or interface change brings a spaced run forward to SPEAKER_RECONCILE_DELAY_MS (failover is not delayed)', async () => {
    const { loop, runs } = loopCountingRuns();
    loop.begin();
    await vi.advanceTimersByTimeAsync(1_000);
    loop.scheduleApiChange();
    await vi.advanceTimersByTimeAsync(SPEAKER_RECONCILE_DELAY_MS);
    const afterFirst = runs();
    // Right after a run, an API change waits for the spacing...
    loop.scheduleApiChange();
    await vi.advanceTimersByTimeAsync(SPEAKER_RECONCILE_DELAY_MS);
    expect(runs()).toBe(afterFirst);
    // ...but a membership change runs at once, and covers the waiting API change too.
    loop.schedule();
    await vi.advanceTimersByTimeAsync(SPEAKER_RECONCILE_DELAY_MS);
    expect(runs()).toBe(afterFirst + 1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs()).toBe(afterFirst + 1);
    await loop.freeze();
  });

  it('within a burst, a run that computed 100 ms is followed by 4 × 100 ms before the next API-change run', async () => {
    const { loop, runs } = loopCountingRuns(100);
    loop.begin();
    await vi.advanceTimersByTimeAsync(1_000);
    const before = runs();
    loop.scheduleApiChange();
    await vi.advanceTimersByTimeAsync(SPEAKER_RECONCILE_DELAY_MS);
    expect(runs()).toBe(before + 1);
    loop.scheduleApiChange();
    await vi.advanceTimersByTimeAsync(390);
    expect(runs()).toBe(before + 1);
    await vi.advanceTimersByTimeAsync(20);
    expect(runs()).toBe(before + 2);
    await loop.freeze();
  });
});
