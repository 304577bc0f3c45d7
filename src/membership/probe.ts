import { COMPACT_PROBE_VERSION } from './defaults.js';
import type { SwimEngine } from './engine.js';
import type { Endpoint } from './engine-types.js';
import type { Message } from './messages.js';
import { LocalHealth } from './suspicion.js';
import { isLive } from './table.js';
import type { MemberRecord } from './types.js';

interface Pending {
  /** Who may answer: the target (direct ack) and, once asked, the helpers (indirect ack, nack). */
  readonly from: Set<string>;
  readonly onAck: () => void;
  readonly onNack: () => void;
}

/** Probe sequence numbers are drawn at random below this, so an old ack cannot match a new probe. */
const SEQUENCE_SPACE = 2 ** 32;

type PingRequest = Extract<Message, { type: 'pingRequest' }>;

interface ProbeOutcome {
  acked: boolean;
  nacks: number;
  helpers: number;
}

/**
 * SWIM failure detection (§3.1): each round pings the next member of a shuffled round-robin
 * list; without an ack after `probeTimeoutMs` it asks `indirectChecks` peers to try; without any
 * ack by the end of the round the member becomes suspect. Lifeguard's local health stretches
 * this node's own timeouts when it is the one falling behind (missed nacks, late timers).
 */
export class Prober {
  readonly health: LocalHealth;
  readonly #pending = new Map<number, Pending>();
  #order: string[] = [];
  #nextTickMs = 0;
  #cancelTick: () => void = () => {};
  #running = false;
  /** Whether a round of this thread is scheduled. */
  #ticking = false;
  /** The offload's targets as last pushed (JSON), to push only changes. */
  #offloadTargets: string | undefined;

  constructor(private readonly engine: SwimEngine) {
    this.health = new LocalHealth(engine.options.timings.maxLocalHealth, () => this.#configureOffload());
  }

  /** Starts the probe rounds. */
  start(): void {
    this.#running = true;
    this.#configureOffload();
    this.membersChanged();
    if (!this.#ticking) this.#scheduleTick();
  }

  /** Stops probing and forgets pending probes. */
  stop(): void {
    this.#running = false;
    this.#ticking = false;
    this.#cancelTick();
    this.#pending.clear();
    this.#offloadTargets = undefined;
    this.engine.options.probeOffload?.setTargets([]);
  }

  /**
   * The member table changed. With a probe offload, members that take compact probes are its
   * targets, and this thread's own rounds run only while some member does not (a rolling update
   * from the previous release): an idle speaker's gossip thread then has no timer of its own.
   */
  membersChanged(): void {
    const offload = this.engine.options.probeOffload;
    if (!this.#running || offload === undefined) return;
    const live = this.engine.table.liveRecords();
    const targets = live
      .filter((record) => record.compactProbes === COMPACT_PROBE_VERSION)
      .map(({ name, address, port }) => ({ name, address, port }));
    const key = JSON.stringify(targets);
    // Each push starts a new round-robin pass: only a changed list is pushed.
    if (key !== this.#offloadTargets) offload.setTargets(targets);
    this.#offloadTargets = key;
    if (!this.#ticking && live.some((record) => this.#probedHere(record))) this.#scheduleTick();
  }

  #configureOffload(): void {
    const { probeOffload, timings } = this.engine.options;
    if (!this.#running || probeOffload === undefined) return;
    probeOffload.configure(
      this.health.scale(timings.probeIntervalMs),
      this.health.scale(timings.probeTimeoutMs),
      this.health.score > 0,
    );
  }

  /** Whether this thread pings `record` itself (JSON), rather than the probe offload. */
  #probedHere(record: MemberRecord): boolean {
    if (!isLive(record)) return false;
    return this.engine.options.probeOffload === undefined || record.compactProbes !== COMPACT_PROBE_VERSION;
  }

  #scheduleTick(): void {
    const intervalMs = this.health.scale(this.engine.options.timings.probeIntervalMs);
    this.#ticking = true;
    this.#nextTickMs = this.engine.options.clock.now() + intervalMs;
    this.#cancelTick = this.engine.options.clock.setTimer(() => this.#tick(), intervalMs);
  }

  #tick(): void {
    this.#ticking = false;
    if (!this.#running) return;
    // Lifeguard: a timer this late means this node's own thread is starved, not that peers died.
    const lateMs = this.engine.options.clock.now() - this.#nextTickMs;
    if (lateMs > this.engine.options.timings.probeIntervalMs / 2) this.health.apply(1);
    this.engine.housekeepIfDue();
    const target = this.#nextTarget();
    // With an offload the rounds stop when nothing is left to ping here; membersChanged restarts them.
    if (target !== undefined || this.engine.options.probeOffload === undefined) this.#scheduleTick();
    if (target !== undefined) this.#probe(target);
  }

  #nextTarget(): MemberRecord | undefined {
    for (let attempts = 0; attempts < 2; attempts++) {
      while (this.#order.length > 0) {
        const member = this.engine.table.get(this.#order.shift() as string);
        if (member !== undefined && this.#probedHere(member)) return member;
      }
      // SWIM §4.3: a fresh random permutation per pass bounds the time to first probe of a failure.
      this.#order = this.engine.table.sample(
        this.engine.table
          .liveRecords()
          .filter((record) => this.#probedHere(record))
          .map((record) => record.name),
        Number.POSITIVE_INFINITY,
      );
    }
    return undefined;
  }

  #probe(target: MemberRecord): void {
    const { clock, timings, nodeName } = this.engine.options;
    const sequence = this.#nextSequence();
    let cancelHelpers = (): void => {};
    // An acked probe needs no helpers (when the ack came after the timer was armed).
    const outcome = this.#track(target, sequence, () => cancelHelpers());
    const ping = (updates: MemberRecord[]): Message => ({
      type: 'ping',
      sequence,
      from: nodeName,
      target: target.name,
      updates,
    });
    this.engine.sendWithUpdates(ping, target);
    const sentMs = clock.now();
    const timeoutMs = this.health.scale(timings.probeTimeoutMs);
    const armHelpers = () => {
      if (outcome.acked || !this.#running) return;
      cancelHelpers = clock.setTimer(
        () => {
          if (!outcome.acked && this.#running) outcome.helpers = this.#askHelpers(target, sequence);
        },
        Math.max(0, timeoutMs - (clock.now() - sentMs)),
      );
    };
    // Node does not re-arm its loop's timer when a timer is cleared, so a helper timer cancelled by the
    // ack still woke this thread once per probe (a third of an idle speaker's wake-ups, issue 14). On
    // a LAN the ack is usually in before this loop turn's poll ends: the timer is armed only after it.
    if (clock.afterArrived) clock.afterArrived(armHelpers);
    else armHelpers();
    clock.setTimer(() => this.#finish(target, sequence, outcome), this.health.scale(timings.probeIntervalMs));
  }

  /** Waits for acks and nacks of probe `sequence` of `target`; the outcome fills in as they come. */
  #track(target: MemberRecord, sequence: number, onFirstAck: () => void): ProbeOutcome {
    const outcome = { acked: false, nacks: 0, helpers: 0 };
    this.#pending.set(sequence, {
      from: new Set([target.name]),
      onAck: () => {
        if (!outcome.acked) this.health.apply(-1);
        outcome.acked = true;
        onFirstAck();
      },
      onNack: () => {
        outcome.nacks += 1;
      },
    });
    return outcome;
  }

  /**
   * The offload's probe `sequence` of `name` had no ack within the timeout: as for a probe of this
   * thread, helpers are asked now and the member is suspected unless an ack comes by the round's end.
   */
  offloadMissed(name: string, sequence: number): void {
    const target = this.engine.table.get(name);
    if (!this.#running || target === undefined || !isLive(target)) return;
    const { clock, timings } = this.engine.options;
    const outcome = this.#track(target, sequence, () => {});
    outcome.helpers = this.#askHelpers(target, sequence);
    const restMs = this.health.scale(timings.probeIntervalMs) - this.health.scale(timings.probeTimeoutMs);
    clock.setTimer(() => this.#finish(target, sequence, outcome), Math.max(0, restMs));
  }

  /** An offloaded probe was acked while local health is above 0 (Lifeguard: one point better). */
  offloadAcked(): void {
    this.health.apply(-1);
  }

  /** The offload's own timer fired late: this node is the slow one (Lifeguard). */
  offloadLate(): void {
    this.health.apply(1);
  }

  #askHelpers(target: MemberRecord, sequence: number): number {
    const { timings, nodeName } = this.engine.options;
    const others = this.engine.table.liveRecords().filter((record) => record.name !== target.name);
    const helpers = this.engine.table.sample(others, timings.indirectChecks);
    for (const helper of helpers) {
      this.#pending.get(sequence)?.from.add(helper.name);
      const request = (updates: MemberRecord[]): Message => ({
        type: 'pingRequest',
        sequence,
        from: nodeName,
        target: target.name,
        address: target.address,
        port: target.port,
        updates,
      });
      this.engine.sendWithUpdates(request, helper);
    }
    return helpers.length;
  }

  #finish(target: MemberRecord, sequence: number, outcome: ProbeOutcome): void {
    this.#pending.delete(sequence);
    if (outcome.acked || !this.#running) return;
    // Lifeguard: helpers that did not even send a nack point at our own network or CPU; with no
    // helpers at all the miss itself counts against us.
    this.health.apply(outcome.helpers === 0 ? 1 : outcome.helpers - outcome.nacks);
    this.engine.log('debug', 'gossip probe failed', { member: target.name, health: this.health.score });
    this.engine.table.suspect(target.name);
  }

  /** An ack for one of our probes or for a ping we relay: counts only from whom it was asked of. */
  handleAck(sequence: number, from: string): void {
    const pending = this.#pending.get(sequence);
    if (pending?.from.has(from)) pending.onAck();
  }

  /** A helper reports that it could not reach the target either. */
  handleNack(sequence: number, from: string): void {
    const pending = this.#pending.get(sequence);
    if (pending?.from.has(from)) pending.onNack();
  }

  /** Pings `request.target` for another node and answers it with an ack, or a nack on timeout. */
  relay(request: PingRequest, requester: Endpoint): void {
    const { clock, timings, nodeName } = this.engine.options;
    const sequence = this.#nextSequence();
    const answer = (type: 'ack' | 'nack'): void =>
      this.engine.send({ type, sequence: request.sequence, from: nodeName, updates: [] }, requester);
    let acked = false;
    this.#pending.set(sequence, {
      from: new Set([request.target]),
      onAck: () => {
        if (!acked) answer('ack');
        acked = true;
      },
      onNack: () => {},
    });
    const target = { address: request.address, port: request.port };
    this.engine.sendWithUpdates(
      (updates) => ({ type: 'ping', sequence, from: nodeName, target: request.target, updates }),
      target,
    );
    // The nack must reach the requester before its round ends (probe interval after its ping,
    // probe timeout of which are already gone): answer within 80 % of what is left.
    const relayTimeoutMs = Math.max(1, 0.8 * (timings.probeIntervalMs - timings.probeTimeoutMs));
    clock.setTimer(() => {
      this.#pending.delete(sequence);
      if (!acked) answer('nack');
    }, relayTimeoutMs);
  }

  /** A random sequence number not pending (SWIM matches acks by it; random defeats stale acks). */
  #nextSequence(): number {
    for (;;) {
      const sequence = Math.floor(this.engine.options.random() * SEQUENCE_SPACE);
      if (!this.#pending.has(sequence)) return sequence;
    }
  }
}
