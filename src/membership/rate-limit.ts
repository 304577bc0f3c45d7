import { MAX_PACKETS_PER_SOURCE_PER_SECOND, MAX_TRACKED_SOURCES } from './defaults.js';

const WINDOW_MS = 1_000;
/** Sources beyond MAX_TRACKED_SOURCES in one window share this budget. */
const OVERFLOW = '*';

/**
 * Packets per source address per one-second window, checked before any decryption or parsing, so a
 * flood from one address costs a map lookup per packet, and one flooding source cannot starve the
 * others. Bounded: at most MAX_TRACKED_SOURCES entries, the map is cleared every window.
 */
export class SourceLimiter {
  readonly #counts = new Map<string, number>();
  #windowStartMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly perSecond = MAX_PACKETS_PER_SOURCE_PER_SECOND) {}

  /** Whether one more packet from `address` at `nowMs` is within its budget (and counts it). */
  allow(address: string, nowMs: number): boolean {
    if (nowMs - this.#windowStartMs >= WINDOW_MS) {
      this.#counts.clear();
      this.#windowStartMs = nowMs;
    }
    const key = this.#counts.has(address) || this.#counts.size < MAX_TRACKED_SOURCES ? address : OVERFLOW;
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return count <= this.perSecond;
  }
}
