import type { Mutable } from '../shapes.js';
import { BroadcastQueue, retransmitLimit } from './broadcasts.js';
import { openPacket, sealPacket } from './crypto.js';
import {
  ENVELOPE_OVERHEAD_BYTES,
  HOUSEKEEPING_INTERVAL_MS,
  MAX_MEMBERS,
  MAX_PACKET_BYTES,
} from './defaults.js';
import type { Endpoint, EngineOptions } from './engine-types.js';
import { ReplayGuard } from './freshness.js';
import {
  type Decoded,
  decodePayload,
  encodeMessage,
  FRESHNESS_HEADER_BYTES,
  type Message,
} from './messages.js';
import { Prober } from './probe.js';
import { SourceLimiter } from './rate-limit.js';
import { softenForSync } from './state.js';
import { Syncer } from './sync.js';
import { MemberTable } from './table.js';
import type { DropReason, Member, MemberRecord, MembershipStats, Seed } from './types.js';

/**
 * One SWIM node (DESIGN "Membership"): receives datagrams, probes, gossips and syncs through the
 * injected transport and clock. It owns no socket or thread, so tests run it on fake time.
 */
export class SwimEngine {
  readonly table: MemberTable;
  readonly broadcasts = new BroadcastQueue(() => this.#armGossip());
  readonly prober: Prober;
  readonly syncer: Syncer;
  readonly #stats: Mutable<MembershipStats> & { dropsByReason: Partial<Record<DropReason, number>> } = {
    bytesSent: 0,
    bytesReceived: 0,
    packetsSent: 0,
    packetsReceived: 0,
    packetsDropped: 0,
    largestPacketBytes: 0,
    dropsByReason: {},
  };
  #cancelLoops: (() => void)[] = [];
  #cancelHousekeeping: () => void = () => {};
  #housekeptAtMs = 0;
  #stopped = false;
  #started = false;
  /** Cancels the pending gossip round; undefined when none is due. */
  #gossipTimer: (() => void) | undefined;
  /** Packets sent in this life (the freshness counter). */
  #counter = 0;
  readonly #replayGuard: ReplayGuard;
  readonly #limiter = new SourceLimiter();
  /** Endpoints last heard speaking wire version 1 (plaintext only): answered in version 1. */
  readonly #previousVersionPeers = new Set<string>();
  #allowed: ReadonlyMap<string, string> | undefined;

  constructor(readonly options: EngineOptions) {
    this.#allowed = options.allowedMembers;
    // An epoch silent as long as a departed member is remembered may be replaced by any other.
    this.#replayGuard = new ReplayGuard(options.timings.deadRetentionMs);
    this.table = new MemberTable(this);
    this.prober = new Prober(this);
    this.syncer = new Syncer(this);
  }

  /** Starts probing, gossiping and housekeeping, and joins through the seeds. */
  start(): void {
    this.prober.start();
    this.#started = true;
    this.#cancelLoops.push(() => this.#gossipTimer?.());
    this.#cancelLoops.push(() => this.#cancelHousekeeping());
    this.#armGossip();
    this.#housekeptAtMs = this.options.clock.now();
    // With a probe offload this thread may have no probe rounds: housekeeping keeps a timer of its own.
    if (this.options.probeOffload !== undefined) this.#armHousekeeping();
    this.syncer.joinSeeds();
  }

  #armHousekeeping(): void {
    this.#cancelHousekeeping = this.options.clock.setTimer(() => {
      this.housekeepIfDue();
      if (!this.#stopped) this.#armHousekeeping();
    }, HOUSEKEEPING_INTERVAL_MS);
  }

  /**
   * The probe offload answered a compact ping from `name`, which is not a member here yet (a join
   * in flight): introduce this node to it, as for any other packet from an unknown member.
   */
  strangerPinged(name: string, remote: Endpoint): void {
    if (this.#stopped || this.table.get(name) !== undefined || !this.#senderAdmitted(name, remote)) return;
    this.syncer.introduce(name, remote);
  }

  /** Who may be a member (name → address); undefined admits anyone (bounded). */
  get allowedMembers(): ReadonlyMap<string, string> | undefined {
    return this.#allowed;
  }

  /** Replaces the allow-list (Kubernetes: re-listed speaker pods). */
  setAllowedMembers(allowed: ReadonlyMap<string, string> | undefined): void {
    this.#allowed = allowed;
  }

  /**
   * Handles one received datagram. In order, each step cheaper than the next: the source's rate
   * budget, authentication, parsing, the sender allow-list, freshness (keyed only). Any failure is
   * counted and dropped (docs/gossip.md).
   */
  receive(packet: Uint8Array, remote: Endpoint): void {
    this.#stats.bytesReceived += packet.byteLength;
    this.#stats.packetsReceived += 1;
    if (this.#stopped) return;
    const admitted = this.#admit(packet, remote);
    if (typeof admitted === 'string') {
      this.drop(admitted, remote);
      return;
    }
    const { message } = admitted;
    const isSync = message.type === 'sync';
    for (const record of message.updates) this.table.apply(isSync ? softenForSync(record) : record, remote);
    if (message.from !== this.options.nodeName && this.table.get(message.from) === undefined) {
      this.syncer.introduce(message.from, remote);
    }
    this.#dispatch(message, remote);
  }

  /** The decoded packet if it passes every check, else why it is dropped. */
  #admit(packet: Uint8Array, remote: Endpoint): Decoded | DropReason {
    if (!this.#limiter.allow(remote.address, this.options.clock.now())) return 'rateLimited';
    const opened = openPacket(packet, this.options.key);
    if (!opened.ok) return opened.reason;
    // Version 1 has no freshness fields: accepted only where there is no authentication to protect.
    if (opened.version === 1 && this.options.key !== undefined) return 'previousVersion';
    const decoded = decodePayload(opened.payload, opened.version);
    if (decoded === undefined) return 'malformed';
    const { message, freshness } = decoded;
    if (!this.#senderAdmitted(message.from, remote)) return 'unknownSender';
    // Plaintext is not checked: anyone can forge the fields, and enforcing them would let a forger
    // lock a member out by claiming a later boot in its name.
    if (this.options.key !== undefined && freshness !== undefined) {
      const verdict = this.#replayGuard.check(message.from, freshness, this.options.clock.now());
      if (verdict !== 'fresh') return verdict;
    }
    this.#rememberVersion(remote, opened.version);
    return decoded;
  }

  #senderAdmitted(from: string, remote: Endpoint): boolean {
    if (from === this.options.nodeName) return false;
    return this.#allowed === undefined || this.#allowed.get(from) === remote.address;
  }

  #rememberVersion(remote: Endpoint, version: 1 | 2): void {
    const key = `${remote.address}|${remote.port}`;
    if (version === 2) this.#previousVersionPeers.delete(key);
    else if (this.#previousVersionPeers.size < MAX_MEMBERS) this.#previousVersionPeers.add(key);
  }

  #dispatch(message: Message, remote: Endpoint): void {
    if (message.type === 'ping') {
      if (message.target !== this.options.nodeName) this.drop('misaddressed', remote);
      else this.sendWithUpdates((updates) => ({ ...this.#reply('ack', message.sequence), updates }), remote);
    } else if (message.type === 'ack') {
      this.prober.handleAck(message.sequence, message.from);
    } else if (message.type === 'nack') {
      this.prober.handleNack(message.sequence, message.from);
    } else if (message.type === 'pingRequest') {
      this.prober.relay(message, remote);
    } else if (message.type === 'sync' && message.join && this.table.get(message.from) !== undefined) {
      // Full state only to a member this node admitted, never to an unknown name (a reflection).
      this.syncer.sendState(remote, false);
    }
  }

  #reply(type: 'ack' | 'nack', sequence: number): Message {
    return { type, sequence, from: this.options.nodeName, updates: [] };
  }

  /**
   * Counts one dropped packet; the shell reports the counters in batches (stats), never one
   * message per packet. Logged per packet only when `logDrops` (debug) is on.
   */
  drop(reason: DropReason, remote: Endpoint): void {
    this.#stats.packetsDropped += 1;
    this.#stats.dropsByReason[reason] = (this.#stats.dropsByReason[reason] ?? 0) + 1;
    if (this.options.logDrops)
      this.log('debug', 'gossip packet dropped', { reason, address: remote.address, port: remote.port });
  }

  /** Seals and sends one message: version 2 with this life's epoch and the next counter. */
  send(message: Message, remote: Endpoint): void {
    if (this.#stopped) return;
    const previous = this.#previousVersionPeers.has(`${remote.address}|${remote.port}`);
    const freshness = previous ? undefined : { ...this.options.epoch, counter: ++this.#counter };
    const packet = sealPacket(encodeMessage(message, freshness), this.options.key, previous ? 1 : 2);
    this.#stats.bytesSent += packet.byteLength;
    this.#stats.packetsSent += 1;
    this.#stats.largestPacketBytes = Math.max(this.#stats.largestPacketBytes, packet.byteLength);
    this.options.transport.send(packet, remote.address, remote.port);
  }

  /**
   * Sends the message `build` makes, filled with as many pending updates as fit in one datagram.
   * Returns how many updates went out.
   */
  sendWithUpdates(build: (updates: MemberRecord[]) => Message, remote: Endpoint): number {
    const budget = this.packetBudget(build([]));
    const limit = retransmitLimit(this.options.timings.retransmitMultiplier, this.table.size + 1);
    const updates = this.broadcasts.take(budget, limit);
    this.send(build(updates), remote);
    return updates.length;
  }

  /** Bytes left for records in one datagram carrying `message` (plus the `[]` it already has). */
  packetBudget(message: Message): number {
    return (
      MAX_PACKET_BYTES - ENVELOPE_OVERHEAD_BYTES - FRESHNESS_HEADER_BYTES - encodeMessage(message).byteLength
    );
  }

  /**
   * Gossip rounds run every gossipIntervalMs while updates are queued, and not at all when none are:
   * an idle speaker's worker then wakes for probes and housekeeping only (issue 14).
   */
  #armGossip(): void {
    if (!this.#started || this.#stopped || this.#gossipTimer || this.broadcasts.size === 0) return;
    this.#gossipTimer = this.options.clock.setTimer(() => {
      this.#gossipTimer = undefined;
      if (this.#stopped) return;
      this.#gossipRound();
      this.#armGossip();
    }, this.options.timings.gossipIntervalMs);
  }

  #gossipRound(): void {
    if (this.broadcasts.size === 0) return;
    const targets = this.table.gossipTargets(this.options.timings.gossipFanout);
    for (const target of targets) {
      if (this.broadcasts.size === 0) return;
      this.sendWithUpdates((updates) => ({ type: 'gossip', from: this.options.nodeName, updates }), target);
    }
  }

  /**
   * Housekeeping (forget long-departed members, rejoin retries, periodic sync) once
   * HOUSEKEEPING_INTERVAL_MS has passed. The probe rounds' timer calls it: a timer of its own woke
   * the gossip thread twice a second more, and each wake-up costs (issue 14).
   */
  housekeepIfDue(): void {
    if (this.#stopped) return;
    const nowMs = this.options.clock.now();
    if (nowMs - this.#housekeptAtMs < HOUSEKEEPING_INTERVAL_MS) return;
    this.#housekeptAtMs = nowMs;
    this.table.forgetDeparted();
    this.syncer.tick();
  }

  /** Logs through the shell. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
    // The shell's logger binds the node (speaker and standalone); repeating it would repeat the key.
    this.options.log?.(level, message, fields);
  }

  /** Every known member, this node included. */
  members(): Member[] {
    return this.table.members();
  }

  /** Replaces this node's metadata; the incarnation bump makes every node take the new record. */
  setMetadata(metadata: Record<string, unknown>): void {
    this.table.updateSelf({ metadata, incarnationDelta: 1 });
  }

  /** Adds seeds and joins those not already members (ML6 rejoin). */
  join(seeds: readonly Seed[]): void {
    if (!this.#stopped) this.syncer.addSeeds(seeds);
  }

  /**
   * Graceful leave: marks this node left and sends that to every live member `leaveRounds` times,
   * then stops. Resolves when done or after `timeoutMs`.
   */
  async leave(timeoutMs: number): Promise<void> {
    if (this.#stopped) return;
    this.prober.stop();
    this.table.updateSelf({ state: 'left', incarnationDelta: 1 });
    const { leaveRounds, leaveRoundIntervalMs } = this.options.timings;
    const started = this.options.clock.now();
    for (let round = 0; round < leaveRounds; round++) {
      for (const target of this.table.liveRecords()) this.send(this.#leftMessage(), target);
      if (round + 1 < leaveRounds && this.options.clock.now() - started < timeoutMs) {
        await new Promise<void>((resolve) => this.options.clock.setTimer(resolve, leaveRoundIntervalMs));
      }
    }
    this.stop();
  }

  #leftMessage(): Message {
    return { type: 'gossip', from: this.options.nodeName, updates: [this.table.self] };
  }

  /** Stops every timer; later packets are ignored (a crash as the others see it). */
  stop(): void {
    this.#stopped = true;
    this.prober.stop();
    this.table.stop();
    for (const cancel of this.#cancelLoops) cancel();
    this.#cancelLoops = [];
  }

  /** Whether `stop` or `leave` ran. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Counters since start. */
  stats(): MembershipStats {
    return { ...this.#stats, dropsByReason: { ...this.#stats.dropsByReason } };
  }
}
