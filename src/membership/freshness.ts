import { MAX_REPLAY_SENDERS, REPLAY_WINDOW } from './defaults.js';

/**
 * Where a packet stands in its sender's life: `boot` is the sender's wall-clock start (ms) and `id`
 * a random 64-bit value drawn at that start; `counter` goes up by one per packet the sender sends.
 * All three travel inside the authenticated payload (docs/gossip.md "Freshness").
 */
export interface Freshness {
  readonly boot: number;
  readonly id: string;
  readonly counter: number;
}

/** `fresh`: accept; `replayed`: this counter was already seen; `stale`: too old a counter or epoch. */
export type FreshnessVerdict = 'fresh' | 'replayed' | 'stale';

interface SenderState {
  boot: number;
  id: string;
  highest: number;
  /** Bit i set: counter `highest - i` was seen. */
  seen: number;
  /** When a fresh packet of this epoch last arrived (clock ms). */
  lastMs: number;
}

/**
 * Per-sender replay protection (keyed gossip only). Within one epoch, a counter is accepted once
 * and only within REPLAY_WINDOW of the highest seen. A different epoch is accepted only when its
 * boot time is later than the known one (the sender restarted), or when the known epoch has been
 * silent for `silenceMs` (a sender whose clock went back is not locked out for good); so a
 * replayed packet of an older life is refused while the sender lives. Bounded: beyond
 * MAX_REPLAY_SENDERS the sender heard from least recently is forgotten.
 */
export class ReplayGuard {
  readonly #senders = new Map<string, SenderState>();

  constructor(
    private readonly silenceMs: number,
    private readonly maxSenders = MAX_REPLAY_SENDERS,
  ) {}

  /** Judges one packet from `sender` arriving at `nowMs`, and remembers it when fresh. */
  check(sender: string, freshness: Freshness, nowMs: number): FreshnessVerdict {
    const state = this.#senders.get(sender);
    if (state === undefined || state.id !== freshness.id) {
      const silent = state === undefined || nowMs - state.lastMs >= this.silenceMs;
      if (!silent && freshness.boot <= (state as SenderState).boot) return 'stale';
      const { boot, id, counter } = freshness;
      this.#remember(sender, { boot, id, highest: counter, seen: 1, lastMs: nowMs });
      return 'fresh';
    }
    const verdict = judgeCounter(state, freshness.counter);
    if (verdict === 'fresh') {
      state.lastMs = nowMs;
      this.#remember(sender, state);
    }
    return verdict;
  }

  /** Senders remembered. */
  get size(): number {
    return this.#senders.size;
  }

  #remember(sender: string, state: SenderState): void {
    this.#senders.delete(sender);
    this.#senders.set(sender, state);
    if (this.#senders.size > this.maxSenders) {
      const oldest = this.#senders.keys().next().value as string;
      this.#senders.delete(oldest);
    }
  }
}

function judgeCounter(state: SenderState, counter: number): FreshnessVerdict {
  if (counter > state.highest) {
    const shift = counter - state.highest;
    state.seen = shift >= REPLAY_WINDOW ? 1 : ((state.seen << shift) | 1) >>> 0;
    state.highest = counter;
    return 'fresh';
  }
  const age = state.highest - counter;
  if (age >= REPLAY_WINDOW) return 'stale';
  const bit = (1 << age) >>> 0;
  if ((state.seen & bit) !== 0) return 'replayed';
  state.seen = (state.seen | bit) >>> 0;
  return 'fresh';
}
