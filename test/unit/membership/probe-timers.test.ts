// Issue 14: an acked probe arms no helper timer. Node does not re-arm its loop's timer when a timer is
// cleared, so a helper timer cancelled by the ack still woke the gossip thread once per probe; the
// timer is now armed only after the datagrams already arrived are handled (Clock.afterArrived).
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMINGS } from '../../../src/membership/defaults.js';
import type { SwimEngine } from '../../../src/membership/engine.js';
import type { Message } from '../../../src/membership/messages.js';
import { Prober } from '../../../src/membership/probe.js';
import type { MemberRecord } from '../../../src/membership/types.js';

interface Timer {
  readonly callback: () => void;
  readonly delayMs: number;
  cancelled: boolean;
}

/** A prober over a fake engine with one live peer; every timer, deferral and ping is recorded. */
function harness() {
  let nowMs = 0;
  const timers: Timer[] = [];
  const deferred: (() => void)[] = [];
  const pings: Message[] = [];
  const peer = { name: 'node-b', state: 'alive', address: '10.0.0.2', port: 7946 } as MemberRecord;
  const engine = {
    options: {
      nodeName: 'node-a',
      random: Math.random,
      timings: DEFAULT_TIMINGS,
      clock: {
        now: () => nowMs,
        setTimer: (callback: () => void, delayMs: number) => {
          const timer = { callback, delayMs, cancelled: false };
          timers.push(timer);
          return () => {
            timer.cancelled = true;
          };
        },
        afterArrived: (callback: () => void) => deferred.push(callback),
      },
    },
    table: {
      get: (name: string) => (name === peer.name ? peer : undefined),
      liveRecords: () => [peer],
      sample: <T>(items: readonly T[]) => [...items],
    },
    housekeepIfDue: () => {},
    sendWithUpdates: (build: (updates: MemberRecord[]) => Message) => pings.push(build([])),
  } as unknown as SwimEngine;
  const prober = new Prober(engine);
  const fireTick = () => {
    const tick = timers.find(
      (timer) => timer.delayMs === DEFAULT_TIMINGS.probeIntervalMs && !timer.cancelled,
    );
    if (!tick) throw new Error('no probe tick armed');
    tick.cancelled = true;
    nowMs += tick.delayMs;
    tick.callback();
  };
  const helperTimers = () => timers.filter((timer) => timer.delayMs <= DEFAULT_TIMINGS.probeTimeoutMs);
  const lastSequence = () => {
    const ping = pings.at(-1);
    if (ping?.type !== 'ping') throw new Error('no ping sent');
    return ping.sequence;
  };
  return {
    prober,
    fireTick,
    helperTimers,
    deferred,
    pings,
    lastSequence,
    advance: (ms: number) => (nowMs += ms),
  };
}

describe('probe helper timer (issue 14: idle wake-ups)', () => {
  it('an ack handled before the deferral runs leaves no helper timer armed', () => {
    const lab = harness();
    lab.prober.start();
    lab.fireTick();
    expect(lab.pings).toHaveLength(1);
    lab.prober.handleAck(lab.lastSequence(), 'node-b');
    for (const callback of lab.deferred.splice(0)) callback();
    expect(lab.helperTimers()).toEqual([]);
    lab.prober.stop();
  });

  it('without an ack the helper timer still fires at the probe timeout, counted from the ping', () => {
    const lab = harness();
    lab.prober.start();
    lab.fireTick();
    lab.advance(3);
    for (const callback of lab.deferred.splice(0)) callback();
    expect(lab.helperTimers().map((timer) => timer.delayMs)).toEqual([DEFAULT_TIMINGS.probeTimeoutMs - 3]);
    lab.prober.stop();
  });
});
