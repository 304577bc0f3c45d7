import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type AnnouncementTiming,
  Announcer,
  burstOffsets,
  DEFAULT_TIMING,
  dueRounds,
  startBursts,
  stopBursts,
} from '../../../src/l2/announcer.js';

// Runs the pure schedule from t=0, calling dueRounds at each next wake-up, and records send times.
function simulate(timing: AnnouncementTiming, lateByMs = 0): number[] {
  let bursts = startBursts(new Map(), ['eth0|203.0.113.10'], 0);
  const sent: number[] = [];
  let nowMs = 0;
  for (let step = 0; step < 20; step += 1) {
    const result = dueRounds(bursts, nowMs, timing);
    if (result.due.length > 0) sent.push(nowMs);
    bursts = result.bursts;
    if (result.nextAtMs === undefined) break;
    nowMs = result.nextAtMs + lateByMs;
  }
  return sent;
}

describe('gratuitous schedule (MetalLB G2/G3)', () => {
  it.each([
    {
      rule: 'G3: rounds at 0, 1.1, 2.2, 3.3, 4.4 s',
      timing: DEFAULT_TIMING,
      lateByMs: 0,
      want: [0, 1100, 2200, 3300, 4400],
    },
    {
      rule: 'G3: a late timer shifts the cadence, never a volley',
      timing: DEFAULT_TIMING,
      lateByMs: 300,
      want: [0, 1400, 2800, 4200, 5600],
    },
    {
      rule: 'G2: duration shorter than one interval sends once',
      timing: { ...DEFAULT_TIMING, durationMs: 1000 },
      lateByMs: 0,
      want: [0],
    },
  ])('$rule', ({ timing, lateByMs, want }) => {
    expect(simulate(timing, lateByMs)).toEqual(want);
  });

  it('G3: burstOffsets lists the five default rounds', () => {
    expect(burstOffsets(DEFAULT_TIMING)).toEqual([0, 1100, 2200, 3300, 4400]);
  });

  it('Q8: gaining an IP already bursting does not restart its burst', () => {
    const first = startBursts(new Map(), ['k'], 0);
    const again = startBursts(first, ['k'], 2000);
    expect(again.get('k')).toEqual({ startedAtMs: 0, roundsSent: 0 });
  });

  it('G4: a lost IP sends nothing more', () => {
    const bursts = stopBursts(startBursts(new Map(), ['k', 'j'], 0), ['k']);
    expect(dueRounds(bursts, 0, DEFAULT_TIMING).due).toEqual(['j']);
  });
});

describe('Announcer timer shell', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    { rule: 'G2/G3: five rounds over 5 s, first at once', refreshIntervalMs: 0, runMs: 10_000, want: 5 },
    {
      rule: 'G8: a 3 s refresh adds rounds at 6, 9, 12 s (the 3 s tick falls inside the burst)',
      refreshIntervalMs: 3000,
      runMs: 12_000,
      want: 8,
    },
  ])('$rule', ({ refreshIntervalMs, runMs, want }) => {
    vi.useFakeTimers();
    const sent: string[] = [];
    const announcer = new Announcer({
      timing: { ...DEFAULT_TIMING, refreshIntervalMs },
      sendRound: (key) => sent.push(key),
      ownedKeys: () => ['eth0|203.0.113.10'],
      now: () => Date.now(),
    });
    announcer.gained(['eth0|203.0.113.10']);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(runMs);
    announcer.stop();
    expect(sent.length).toBe(want);
  });
});
