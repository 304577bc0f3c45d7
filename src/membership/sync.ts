import { MAX_MEMBERS } from './defaults.js';
import type { SwimEngine } from './engine.js';
import type { Endpoint } from './engine-types.js';
import type { Message } from './messages.js';
import { recordBytes } from './messages.js';
import type { MemberRecord, Seed } from './types.js';

interface Retry {
  nextMs: number;
  backoffMs: number;
}

/**
 * Full-state exchange (push-pull): on join, periodically with one random member, and as retries
 * to seeds and dead members that are not alive, which is how a restarted node or a healed
 * partition comes back. State goes out in datagram-sized chunks, never one oversized datagram.
 */
export class Syncer {
  readonly #retries = new Map<string, Retry>();
  /** Seeds added after start (`addSeeds`). */
  readonly #extraSeeds: Endpoint[] = [];
  /** Senders we did not know, by name, with when we last exchanged state with them. */
  readonly #introductions = new Map<string, number>();
  #nextSyncMs: number | undefined;

  constructor(private readonly engine: SwimEngine) {}

  /** Sends every known record to `remote` in chunks; `join` asks it to answer with its own state. */
  sendState(remote: Endpoint, join: boolean): void {
    for (const [index, chunk] of this.chunks().entries()) {
      this.engine.send(this.#message(join && index === 0, chunk), remote);
    }
  }

  /** Every known record (this node first) split so each chunk fits one datagram. */
  chunks(): MemberRecord[][] {
    const budget = this.engine.packetBudget(this.#message(true, []));
    const records = [this.engine.table.self, ...this.#otherRecords()];
    const chunks: MemberRecord[][] = [[]];
    let used = 0;
    for (const record of records) {
      const bytes = recordBytes(record);
      if (used + bytes > budget && (chunks.at(-1) as MemberRecord[]).length > 0) {
        chunks.push([]);
        used = 0;
      }
      (chunks.at(-1) as MemberRecord[]).push(record);
      used += bytes;
    }
    return chunks;
  }

  #otherRecords(): MemberRecord[] {
    return this.engine.table
      .members()
      .slice(1)
      .map((member) => this.engine.table.get(member.name) as MemberRecord);
  }

  #message(join: boolean, updates: MemberRecord[]): Message {
    return { type: 'sync', from: this.engine.options.nodeName, join, updates };
  }

  /**
   * A packet came from a member this node does not know: gossip about it died out before reaching
   * us (dissemination is probabilistic), or the table is full. Ask it for its state with a join
   * that carries only this node's own record (never our full state to an unknown name), at most
   * once per rejoin interval per name, and for at most MAX_MEMBERS names at a time.
   */
  introduce(name: string, remote: Endpoint): void {
    const now = this.engine.options.clock.now();
    const last = this.#introductions.get(name);
    if (last !== undefined && now - last < this.engine.options.timings.rejoinIntervalMs) return;
    if (last === undefined && this.#introductions.size >= MAX_MEMBERS) return;
    this.#introductions.set(name, now);
    this.engine.send(this.#message(true, [this.engine.table.self]), remote);
  }

  /** Sends a join to every seed except this node. */
  joinSeeds(): void {
    this.#joinNow(this.#seedEndpoints());
  }

  /**
   * Adds seeds learnt later (MetalLB re-lists speaker pods, ML6) and joins the new ones that are
   * not already live members; they stay retry targets like the start-up seeds.
   */
  addSeeds(seeds: readonly Seed[]): void {
    const known = new Set(this.#seedEndpoints().map(keyOf));
    const added = seeds
      .map((seed) => ({ address: seed.address, port: seed.port ?? this.engine.options.port }))
      .filter((seed) => !known.has(keyOf(seed)));
    this.#extraSeeds.push(...added);
    const live = new Set(this.engine.table.liveRecords().map(keyOf));
    this.#joinNow(this.#seedEndpoints().filter((seed) => !known.has(keyOf(seed)) && !live.has(keyOf(seed))));
  }

  #joinNow(targets: readonly Endpoint[]): void {
    const now = this.engine.options.clock.now();
    const { rejoinIntervalMs } = this.engine.options.timings;
    for (const target of targets) {
      this.sendState(target, true);
      this.#retries.set(keyOf(target), { nextMs: now + rejoinIntervalMs, backoffMs: rejoinIntervalMs });
    }
  }

  /** 0.5–1.5 × `intervalMs`: nodes started together must not all exchange full state at once. */
  #jittered(intervalMs: number): number {
    return intervalMs * (0.5 + this.engine.options.random());
  }

  /** Periodic anti-entropy and rejoin retries; called by the engine's housekeeping loop. */
  tick(): void {
    const now = this.engine.options.clock.now();
    const live = this.engine.table.liveRecords();
    const scale = Math.max(1, Math.ceil((live.length + 1) / 32));
    const nextMs = now + this.#jittered(this.engine.options.timings.syncIntervalMs * scale);
    // The first exchange is timed from the first tick: the join itself was a full exchange.
    if (this.#nextSyncMs === undefined) this.#nextSyncMs = nextMs;
    if (now >= this.#nextSyncMs) {
      this.#nextSyncMs = nextMs;
      const [partner] = this.engine.table.sample(live, 1);
      if (partner !== undefined) this.sendState(partner, true);
    }
    this.#retryAbsent(now, new Set(live.map(keyOf)));
    for (const [name, at] of this.#introductions) {
      if (now - at >= this.engine.options.timings.rejoinIntervalMs) this.#introductions.delete(name);
    }
  }

  #retryAbsent(now: number, liveKeys: Set<string>): void {
    const { rejoinIntervalMs, rejoinMaxIntervalMs } = this.engine.options.timings;
    const absent = [...this.#seedEndpoints(), ...this.engine.table.deadRecords()].filter(
      (target) => !liveKeys.has(keyOf(target)),
    );
    const absentKeys = new Set(absent.map(keyOf));
    for (const key of this.#retries.keys()) if (!absentKeys.has(key)) this.#retries.delete(key);
    for (const target of absent) {
      const retry = this.#retries.get(keyOf(target)) ?? { nextMs: now, backoffMs: rejoinIntervalMs };
      this.#retries.set(keyOf(target), retry);
      if (now < retry.nextMs) continue;
      this.sendState(target, true);
      retry.backoffMs = Math.min(rejoinMaxIntervalMs, retry.backoffMs * 2);
      retry.nextMs = now + retry.backoffMs;
    }
  }

  #seedEndpoints(): Endpoint[] {
    const { seeds, port, advertiseAddress } = this.engine.options;
    const self = keyOf({ address: advertiseAddress, port });
    return [
      ...seeds.map((seed) => ({ address: seed.address, port: seed.port ?? port })),
      ...this.#extraSeeds,
    ].filter((seed) => keyOf(seed) !== self);
  }
}

function keyOf(endpoint: Endpoint): string {
  return `${endpoint.address}|${endpoint.port}`;
}
