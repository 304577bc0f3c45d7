import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type AnnouncementTiming,
  Announcer,
  burstOffsets,
  DEFAULT_TIMING,
  dueRounds,
  pauseOf,
  restartBursts,
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

describe('DESIGN "Ownership is re-asserted": re-announcing and pause detection', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a re-assertion restarts a running burst: a round now and a full 5 s after it', () => {
    const again = restartBursts(startBursts(new Map(), ['k'], 0), ['k'], 3000);
    expect(again.get('k')).toEqual({ startedAtMs: 3000, roundsSent: 0 });
  });

  it.each([
    { rule: 'a tick on time is no pause', dueAtMs: 1000, nowMs: 1010, want: undefined },
    {
      rule: 'a tick just under the threshold is a stall, not a pause',
      dueAtMs: 1000,
      nowMs: 1999,
      want: undefined,
    },
    { rule: 'a tick 3 s late (SIGSTOP 3 s) is a pause', dueAtMs: 1000, nowMs: 4000, want: 3000 },
    {
      rule: 'a tick 1.5 s late while this process used 1.5 s of CPU (its own work) is no pause',
      dueAtMs: 1000,
      nowMs: 2500,
      cpuMs: 1500,
      want: undefined,
    },
    {
      rule: 'a tick 3 s late with 0.5 s of CPU used is a pause (stopped or starved for the rest)',
      dueAtMs: 1000,
      nowMs: 4000,
      cpuMs: 500,
      want: 3000,
    },
  ])('$rule', ({ dueAtMs, nowMs, cpuMs, want }) => {
    expect(pauseOf(dueAtMs, nowMs, cpuMs === undefined ? {} : { cpuMs })).toBe(want);
  });

  it('the watchdog reports a clock jump once and re-announces nothing by itself', () => {
    vi.useFakeTimers();
    let offsetMs = 0;
    const pauses: number[] = [];
    const sent: string[] = [];
    const announcer = new Announcer({
      timing: DEFAULT_TIMING,
      sendRound: (key) => sent.push(key),
      ownedKeys: () => ['eth0|203.0.113.10'],
      onPause: (lateMs) => pauses.push(lateMs),
      now: () => Date.now() + offsetMs,
      cpuMs: () => 0,
    });
    vi.advanceTimersByTime(2000);
    expect(pauses).toEqual([]);
    offsetMs = 3000; // the process was stopped: the monotonic clock jumped meanwhile
    vi.advanceTimersByTime(2000);
    announcer.stop();
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toBeGreaterThanOrEqual(3000);
    expect(sent).toEqual([]);
  });

  it('issue 14: a stall spent computing (CPU time advanced with the clock) is not taken for a pause', () => {
    vi.useFakeTimers();
    let offsetMs = 0;
    const pauses: number[] = [];
    const announcer = new Announcer({
      timing: DEFAULT_TIMING,
      sendRound: () => {},
      ownedKeys: () => [],
      onPause: (lateMs) => pauses.push(lateMs),
      now: () => Date.now() + offsetMs,
      cpuMs: () => offsetMs,
    });
    vi.advanceTimersByTime(2000);
    offsetMs = 3000; // 3 s blocked in this process's own work: the CPU clock moved as much
    vi.advanceTimersByTime(2000);
    announcer.stop();
    expect(pauses).toEqual([]);
  });

  it('reassert() sends a round at once even while a burst runs', () => {
    vi.useFakeTimers();
    const sent: number[] = [];
    const announcer = new Announcer({
      timing: DEFAULT_TIMING,
      sendRound: () => sent.push(Date.now()),
      ownedKeys: () => [],
      now: () => Date.now(),
    });
    const start = Date.now();
    announcer.gained(['k']);
    vi.advanceTimersByTime(500);
    announcer.reassert(['k']);
    vi.advanceTimersByTime(10_000);
    announcer.stop();
    expect(sent.map((at) => at - start)).toEqual([0, 500, 1600, 2700, 3800, 4900]);
  });
});
