import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { ErrorCode, FerrolbError } from '../errors.js';
import type { Logger } from '../log.js';
import { counter, gauge } from '../metrics/registry.js';
import { type Backend, type Sink, startMainBackend, startWorkerBackend } from './backends.js';
import { deriveKey } from './crypto.js';
import { DEFAULT_TIMINGS, MAX_METADATA_BYTES } from './defaults.js';
import type { MembershipEvent } from './engine-types.js';
import { isLive } from './table.js';
import type { DropReason, Member, MemberState, MembershipOptions, MembershipStats, Seed } from './types.js';

const EMPTY_STATS: MembershipStats = {
  bytesSent: 0,
  bytesReceived: 0,
  packetsSent: 0,
  packetsReceived: 0,
  packetsDropped: 0,
  largestPacketBytes: 0,
  dropsByReason: {},
};
const STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left'];
/** MetalLB's memberlist Leave timeout (ML7). */
const DEFAULT_LEAVE_TIMEOUT_MS = 1_000;

/** What a Membership emits. */
export interface MembershipEvents {
  /** Every member, whenever any member's state, incarnation or metadata changes. */
  change: [members: Member[]];
  /** This node refuted a suspicion, a death or a `left` about it (re-announce what it owns). */
  refuted: [event: Extract<MembershipEvent, { type: 'refuted' }>];
  /** A member seen dead or left is alive again (a restart or a healed partition). */
  memberReturned: [event: Extract<MembershipEvent, { type: 'memberReturned' }>];
  /** Packets from names or addresses not allowed arrived since the last report (their count). */
  unknownSenders: [count: number];
}

/** SWIM gossip membership (DESIGN "Membership"); see MembershipEvents. */
export class Membership extends EventEmitter<MembershipEvents> {
  #members: Member[];
  #stats: MembershipStats = EMPTY_STATS;
  #backend!: Backend;
  #finished: Promise<void> | undefined;

  private constructor(
    private readonly logger: Logger,
    members: Member[],
  ) {
    super();
    this.#members = members;
  }

  /** Validates the options, binds the UDP port and joins through the seeds. */
  static async start(options: MembershipOptions): Promise<Membership> {
    validateOptions(options);
    const logger = options.logger.child({ component: 'membership' });
    if (options.secret === undefined) {
      logger.warn(
        'gossip secret not set: membership runs UNENCRYPTED and UNAUTHENTICATED; anyone on the network can join or forge members (ML5)',
      );
    }
    const membership = new Membership(logger, []);
    const settings = {
      nodeName: options.nodeName,
      bindAddress: options.bindAddress,
      port: options.port,
      advertiseAddress: options.advertiseAddress ?? options.bindAddress,
      seeds: options.seeds.map((seed) => ({ ...seed })),
      key: options.secret === undefined ? undefined : new Uint8Array(deriveKey(options.secret)),
      metadata: options.metadata ?? {},
      timings: { ...DEFAULT_TIMINGS, ...options.timings },
      allowedMembers: options.allowedMembers,
      logDrops: options.logger.isLevelEnabled('debug'),
    };
    const start = options.thread === 'main' ? startMainBackend : startWorkerBackend;
    membership.#backend = await start(settings, membership.#sink());
    membership.#members = membership.#backend.initialMembers;
    logger.info({ port: membership.#backend.port, seeds: settings.seeds.length }, 'gossip started');
    return membership;
  }

  #sink(): Sink {
    return {
      change: (members) => {
        this.#members = members;
        for (const state of STATES)
          gauge('gossipMembers').set({ state }, members.filter((m) => m.state === state).length);
        this.emit('change', members);
      },
      event: (event) => {
        if (event.type === 'refuted') this.emit('refuted', event);
        else this.emit('memberReturned', event);
      },
      stats: (stats) => {
        const previous = this.#stats;
        this.#stats = stats;
        this.#countDrops(previous, stats);
      },
      log: (level, message, fields) => this.logger[level](fields, message),
    };
  }

  /** Adds the drops since the previous batch to the counter (one batch per stats report). */
  #countDrops(previous: MembershipStats, next: MembershipStats): void {
    for (const [reason, count] of Object.entries(next.dropsByReason)) {
      const delta = (count ?? 0) - (previous.dropsByReason[reason as DropReason] ?? 0);
      if (delta > 0) counter('gossipPacketsDroppedTotal').inc({ reason }, delta);
      // A new member's datagrams are dropped by the kernel filter until the allow-list has it.
      if (delta > 0 && (reason === 'unknownSender' || reason === 'kernel'))
        this.emit('unknownSenders', delta);
    }
  }

  /** Replaces who may be a member (name → address), e.g. re-listed speaker pods. */
  setAllowedMembers(allowed: ReadonlyMap<string, string>): void {
    if (this.#finished === undefined) this.#backend.setAllowedMembers(new Map(allowed));
  }

  /** The UDP port actually bound (differs from the option only when it was 0). */
  get port(): number {
    return this.#backend.port;
  }

  /** Every known member with its state, this node first. */
  members(): Member[] {
    return this.#members;
  }

  /** Names of members alive or suspect (E5: suspect still counts), this node included. */
  liveMembers(): string[] {
    return this.#members.filter(isLive).map((m) => m.name);
  }

  /** Replaces this node's metadata (e.g. interface health); other nodes see it within a few gossip rounds. */
  setMetadata(metadata: Record<string, unknown>): void {
    validateMetadata(metadata);
    if (this.#finished === undefined) this.#backend.setMetadata(structuredClone(metadata));
  }

  /**
   * Adds seeds found later (e.g. re-listed speaker pod IPs, ML6) and joins those that are not
   * members yet; unreachable ones are retried with back-off like the start-up seeds.
   */
  join(seeds: readonly Seed[]): void {
    for (const [index, seed] of seeds.entries()) {
      if (isIP(seed.address) === 0)
        fail(`seeds[${index}].address`, `${JSON.stringify(seed.address)} is not an IP address`);
    }
    if (this.#finished === undefined) this.#backend.join(seeds);
  }

  /** Graceful leave: every member sees this node as `left` and re-elects at once; then stops. */
  leave(timeoutMs = DEFAULT_LEAVE_TIMEOUT_MS): Promise<void> {
    this.#finished ??= this.#backend.leave(timeoutMs);
    return this.#finished;
  }

  /** Stops without telling anyone: the others detect this node as dead (what a crash looks like). */
  stop(): Promise<void> {
    this.#finished ??= this.#backend.stop();
    return this.#finished;
  }

  /** Byte and drop counters as last reported by the protocol thread: drops at most ~1 s old, bytes as of then (refreshStats for fresh ones). */
  stats(): MembershipStats {
    return this.#stats;
  }

  /** Fresh counters straight from the protocol thread. */
  async refreshStats(): Promise<MembershipStats> {
    if (this.#finished !== undefined) return this.#stats;
    const before = this.#stats;
    this.#backend.requestStats();
    while (this.#stats === before) await new Promise((resolve) => setTimeout(resolve, 1));
    return this.#stats;
  }
}

function fail(field: string, reason: string): never {
  throw new FerrolbError(ErrorCode.membership, `membership options: ${field}: ${reason}`);
}

function validateOptions(options: MembershipOptions): void {
  if (!options.nodeName) fail('nodeName', 'must not be empty');
  if (isIP(options.bindAddress) === 0)
    fail('bindAddress', `${JSON.stringify(options.bindAddress)} is not an IP address`);
  if (options.advertiseAddress !== undefined && isIP(options.advertiseAddress) === 0) {
    fail('advertiseAddress', `${JSON.stringify(options.advertiseAddress)} is not an IP address`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
    fail('port', `${options.port} is not a UDP port`);
  for (const [index, seed] of options.seeds.entries()) {
    if (isIP(seed.address) === 0)
      fail(`seeds[${index}].address`, `${JSON.stringify(seed.address)} is not an IP address`);
  }
  if (options.secret !== undefined && options.secret.byteLength === 0) fail('secret', 'is empty');
  for (const [key, value] of Object.entries(options.timings ?? {})) {
    if (!(key in DEFAULT_TIMINGS)) fail(`timings.${key}`, 'unknown timing');
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value))
      fail(`timings.${key}`, 'must be a number >= 0');
  }
  if (options.metadata !== undefined) validateMetadata(options.metadata);
}

function validateMetadata(metadata: Record<string, unknown>): void {
  let text: string;
  try {
    text = JSON.stringify(metadata);
  } catch (error) {
    fail('metadata', `not serializable as JSON (${(error as Error).message})`);
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    fail('metadata', 'must be an object');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_METADATA_BYTES) fail('metadata', `${bytes} bytes encoded, more than ${MAX_METADATA_BYTES}`);
}
