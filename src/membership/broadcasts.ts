import { recordBytes } from './messages.js';
import type { MemberRecord } from './types.js';

interface Queued {
  readonly record: MemberRecord;
  readonly bytes: number;
  transmits: number;
}

/**
 * Updates waiting to be piggy-backed (SWIM §4.1): one per member (a newer record replaces the
 * older), the least-sent first, each dropped after `limit` transmissions.
 */
export class BroadcastQueue {
  readonly #queue = new Map<string, Queued>();

  /** `onEnqueue` is told of every queued update (the engine starts its gossip rounds on it). */
  constructor(private readonly onEnqueue: () => void = () => {}) {}

  /** Queues `record`, replacing any pending update about the same member. */
  enqueue(record: MemberRecord): void {
    this.#queue.set(record.name, { record, bytes: recordBytes(record), transmits: 0 });
    this.onEnqueue();
  }

  /** Pending updates. */
  get size(): number {
    return this.#queue.size;
  }

  /**
   * Takes the least-transmitted updates that fit in `budgetBytes`, counts one transmission for
   * each, and forgets those sent `limit` times.
   */
  take(budgetBytes: number, limit: number): MemberRecord[] {
    const ordered = [...this.#queue.values()].sort((a, b) => a.transmits - b.transmits);
    const taken: MemberRecord[] = [];
    let remaining = budgetBytes;
    for (const entry of ordered) {
      if (entry.bytes > remaining) continue;
      remaining -= entry.bytes;
      taken.push(entry.record);
      entry.transmits += 1;
      if (entry.transmits >= limit) this.#queue.delete(entry.record.name);
    }
    return taken;
  }
}

/** SWIM's λ·log(n) retransmission bound (memberlist: RetransmitMult × ceil(log10(n + 1))). */
export function retransmitLimit(multiplier: number, memberCount: number): number {
  return multiplier * Math.max(1, Math.ceil(Math.log10(memberCount + 1)));
}
