import type { MembershipTimings } from './defaults.js';

/** Inputs of one suspicion timeout. */
export interface SuspicionInput {
  readonly memberCount: number;
  /** Independent nodes besides the first that also suspect the member. */
  readonly confirmations: number;
  readonly localHealth: number;
  readonly timings: MembershipTimings;
}

/**
 * Lifeguard's dynamic suspicion timeout (memberlist suspicion.go): from max down to min as
 * independent confirmations arrive, min = multiplier × max(1, log10 n) × probe interval. The
 * result is scaled by this node's own health, so an overloaded node gives others more time.
 */
export function suspicionTimeoutMs(input: SuspicionInput): number {
  const { timings } = input;
  const scale = Math.max(1, Math.log10(Math.max(1, input.memberCount)));
  const minimumMs = timings.suspicionMultiplier * scale * timings.probeIntervalMs;
  const maximumMs = timings.suspicionMaxMultiplier * minimumMs;
  // Too few other members to ever confirm: waiting for confirmations would only slow detection.
  const expected =
    input.memberCount - 2 < timings.suspicionConfirmations ? 0 : timings.suspicionConfirmations;
  let timeoutMs = minimumMs;
  if (expected > 0) {
    const fraction = Math.log(Math.min(input.confirmations, expected) + 1) / Math.log(expected + 1);
    timeoutMs = Math.max(minimumMs, maximumMs - (maximumMs - minimumMs) * fraction);
  }
  return Math.round(timeoutMs * (input.localHealth + 1));
}

/** Lifeguard local health ("awareness"): 0 is healthy; each point stretches local timeouts. */
export class LocalHealth {
  #score = 0;
  constructor(
    private readonly maximum: number,
    private readonly onChange: () => void = () => {},
  ) {}

  /** The current score, 0..maximum. */
  get score(): number {
    return this.#score;
  }

  /** Adds `delta` (negative after a successful probe), clamped to 0..maximum. */
  apply(delta: number): void {
    const score = Math.min(this.maximum, Math.max(0, this.#score + delta));
    if (score === this.#score) return;
    this.#score = score;
    this.onChange();
  }

  /** `durationMs` stretched by the current score. */
  scale(durationMs: number): number {
    return durationMs * (this.#score + 1);
  }
}
