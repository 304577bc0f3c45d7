import { COMPACT_PROBE_VERSION, MAX_MEMBERS } from './defaults.js';
import type { SwimEngine } from './engine.js';
import type { Endpoint } from './engine-types.js';
import { judgeUpdate, MAX_INCARNATION } from './state.js';
import { suspicionTimeoutMs } from './suspicion.js';
import type { Member, MemberRecord, MemberState } from './types.js';

interface Tracked {
  readonly record: MemberRecord;
  /** When the state last changed (clock ms), for gossip-to-the-dead and forgetting. */
  readonly changedMs: number;
}

interface Suspicion {
  readonly incarnation: number;
  readonly startedMs: number;
  readonly suspecters: Set<string>;
  cancel: () => void;
}

const LIVE: readonly MemberState[] = ['alive', 'suspect'];

/** Whether a member counts as live: alive, or suspect until it is declared dead (E5). */
export function isLive(member: { readonly state: MemberState }): boolean {
  return LIVE.includes(member.state);
}

/** The member list of one node: applies judged updates, runs suspicion timers, reports changes. */
export class MemberTable {
  #self: MemberRecord;
  readonly #members = new Map<string, Tracked>();
  readonly #suspicions = new Map<string, Suspicion>();
  #changePending = false;

  constructor(private readonly engine: SwimEngine) {
    const { nodeName, advertiseAddress, port, metadata, probeOffload } = engine.options;
    this.#self = {
      name: nodeName,
      address: advertiseAddress,
      port,
      state: 'alive',
      incarnation: 0,
      metadata,
      ...(probeOffload === undefined ? {} : { compactProbes: COMPACT_PROBE_VERSION }),
    };
  }

  /** This node's own record. */
  get self(): MemberRecord {
    return this.#self;
  }

  /** Members known besides this node, in any state. */
  get size(): number {
    return this.#members.size;
  }

  /** This node's view of `name`. */
  get(name: string): MemberRecord | undefined {
    return this.#members.get(name)?.record;
  }

  /**
   * Whether a record about `name` at `address` may enter or stay in the table: with an allow-list
   * (standalone: every configured member; Kubernetes: the speaker pods) only listed (name, address)
   * pairs; always within MAX_MEMBERS (docs/gossip.md "Bounds").
   */
  admits(name: string, address: string): boolean {
    if (name === this.#self.name) return true;
    const allowed = this.engine.allowedMembers;
    if (allowed !== undefined && allowed.get(name) !== address) return false;
    return this.#members.has(name) || this.#members.size < (this.engine.options.maxMembers ?? MAX_MEMBERS);
  }

  /** Judges and applies one record received from `remote` (SWIM §4.2). */
  apply(record: MemberRecord, remote: Endpoint): void {
    if (!this.admits(record.name, record.address)) return;
    const verdict = judgeUpdate(this.get(record.name), record, this.#self);
    if (verdict.kind === 'accept') this.#accept(verdict.member, verdict.suspicion);
    else if (verdict.kind === 'refute') this.#refute(verdict.incarnation, record, remote);
    else if (verdict.kind === 'confirm') this.#confirm(record.name, verdict.suspectedBy);
  }

  #accept(member: MemberRecord, suspicion: 'start' | 'stop' | 'keep'): void {
    const previous = this.#members.get(member.name);
    const now = this.engine.options.clock.now();
    const changedMs = previous?.record.state === member.state ? previous.changedMs : now;
    this.#members.set(member.name, { record: member, changedMs });
    this.engine.broadcasts.enqueue(member);
    if (suspicion === 'stop') this.#stopSuspicion(member.name);
    if (suspicion === 'start') this.#startSuspicion(member);
    if (previous?.record.state !== member.state) {
      const from = previous?.record.state ?? 'unknown';
      this.engine.log('info', 'gossip member state changed', { member: member.name, from, to: member.state });
      if (member.state === 'alive' && (from === 'dead' || from === 'left')) {
        this.engine.options.onEvent?.({ type: 'memberReturned', member: member.name, from });
      }
    }
    this.#notify();
  }

  #refute(incarnation: number, accusation: MemberRecord, remote: Endpoint): void {
    this.#self = {
      ...this.#self,
      state: 'alive',
      incarnation: Math.min(MAX_INCARNATION, Math.max(incarnation, this.#self.incarnation + 1)),
    };
    this.engine.broadcasts.enqueue(this.#self);
    // Lifeguard: being accused suggests this node is the slow one.
    this.engine.prober.health.apply(1);
    // The accuser may consider us dead and no longer gossip with us: answer it directly.
    this.engine.send({ type: 'gossip', from: this.#self.name, updates: [this.#self] }, remote);
    this.engine.log('info', 'gossip refuting accusation', { state: accusation.state, incarnation });
    this.engine.options.onEvent?.({ type: 'refuted', accusation: accusation.state, incarnation });
    this.#notify();
  }

  /** This node's probe of `name` failed: suspect it and tell it directly, so it can refute at once. */
  suspect(name: string): void {
    const local = this.get(name);
    if (local === undefined || !isLive(local)) return;
    const record: MemberRecord = { ...local, state: 'suspect', suspectedBy: this.#self.name };
    this.apply(record, local);
    this.engine.send({ type: 'gossip', from: this.#self.name, updates: [record] }, local);
  }

  #startSuspicion(member: MemberRecord): void {
    this.#stopSuspicion(member.name);
    const suspecters = new Set(member.suspectedBy === undefined ? [] : [member.suspectedBy]);
    const startedMs = this.engine.options.clock.now();
    const suspicion = { incarnation: member.incarnation, startedMs, suspecters, cancel: () => {} };
    this.#suspicions.set(member.name, suspicion);
    this.#schedule(member.name, suspicion);
  }

  #confirm(name: string, suspectedBy: string | undefined): void {
    const suspicion = this.#suspicions.get(name);
    if (suspicion === undefined || suspectedBy === undefined || suspicion.suspecters.has(suspectedBy)) return;
    suspicion.suspecters.add(suspectedBy);
    this.#schedule(name, suspicion);
  }

  #schedule(name: string, suspicion: Suspicion): void {
    const { clock, timings } = this.engine.options;
    const timeoutMs = suspicionTimeoutMs({
      memberCount: this.#liveCount() + 1,
      confirmations: Math.max(0, suspicion.suspecters.size - 1),
      localHealth: this.engine.prober.health.score,
      timings,
    });
    const remainingMs = Math.max(0, suspicion.startedMs + timeoutMs - clock.now());
    suspicion.cancel();
    suspicion.cancel = clock.setTimer(() => this.#expire(name, suspicion.incarnation), remainingMs);
  }

  #expire(name: string, incarnation: number): void {
    this.#suspicions.delete(name);
    const local = this.get(name);
    if (local?.state !== 'suspect' || local.incarnation !== incarnation) return;
    const { suspectedBy: _ignored, ...rest } = local;
    this.#accept({ ...rest, state: 'dead' }, 'keep');
  }

  #stopSuspicion(name: string): void {
    this.#suspicions.get(name)?.cancel();
    this.#suspicions.delete(name);
  }

  /** Changes this node's own record (metadata update, leave) and gossips it. */
  updateSelf(change: {
    metadata?: Record<string, unknown>;
    state?: MemberState;
    incarnationDelta: number;
  }): void {
    this.#self = {
      ...this.#self,
      ...(change.metadata === undefined ? {} : { metadata: change.metadata }),
      ...(change.state === undefined ? {} : { state: change.state }),
      incarnation: Math.min(MAX_INCARNATION, this.#self.incarnation + change.incarnationDelta),
    };
    this.engine.broadcasts.enqueue(this.#self);
    this.#notify();
  }

  /** Forgets dead and left members after `deadRetentionMs`. */
  forgetDeparted(): void {
    const cutoff = this.engine.options.clock.now() - this.engine.options.timings.deadRetentionMs;
    for (const [name, tracked] of this.#members) {
      if (isLive(tracked.record) || tracked.changedMs > cutoff) continue;
      this.#members.delete(name);
      this.#notify();
    }
  }

  /** Every member, this node first, then by name. */
  members(): Member[] {
    const others = [...this.#members.values()].map((tracked) => toMember(tracked.record));
    return [toMember(this.#self), ...others.sort((a, b) => (a.name < b.name ? -1 : 1))];
  }

  /** Other members alive or suspect. */
  liveRecords(): MemberRecord[] {
    return [...this.#members.values()].map((tracked) => tracked.record).filter(isLive);
  }

  /** Dead (not left) members still within retention, for rejoin attempts. */
  deadRecords(): MemberRecord[] {
    return [...this.#members.values()].map((tracked) => tracked.record).filter((r) => r.state === 'dead');
  }

  #liveCount(): number {
    return this.liveRecords().length;
  }

  /** Up to `count` random live members plus recently dead ones (so a wrongly accused node can refute). */
  gossipTargets(count: number): MemberRecord[] {
    const cutoff = this.engine.options.clock.now() - this.engine.options.timings.gossipToDeadMs;
    const pool = [...this.#members.values()]
      .filter(
        (tracked) =>
          isLive(tracked.record) || (tracked.record.state === 'dead' && tracked.changedMs > cutoff),
      )
      .map((tracked) => tracked.record);
    return this.sample(pool, count);
  }

  /** Up to `count` distinct random entries of `pool`. */
  sample<T>(pool: readonly T[], count: number): T[] {
    const copy = [...pool];
    const taken: T[] = [];
    while (taken.length < count && copy.length > 0) {
      const index = Math.floor(this.engine.options.random() * copy.length);
      taken.push(copy.splice(index, 1)[0] as T);
    }
    return taken;
  }

  #notify(): void {
    if (this.#changePending) return;
    this.#changePending = true;
    this.engine.options.clock.setTimer(() => {
      this.#changePending = false;
      this.engine.prober.membersChanged();
      this.engine.options.onChange(this.members());
    }, 0);
  }

  /** Cancels every suspicion timer. */
  stop(): void {
    for (const suspicion of this.#suspicions.values()) suspicion.cancel();
    this.#suspicions.clear();
  }
}

function toMember(record: MemberRecord): Member {
  const { name, address, port, state, incarnation, metadata } = record;
  return { name, address, port, state, incarnation, metadata };
}
