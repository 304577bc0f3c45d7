import type { MembershipTimings } from './defaults.js';
import type { Member, MemberState, Seed } from './types.js';

/** Sends one datagram; the UDP socket in production, an in-memory network in tests. */
export interface Transport {
  send(packet: Buffer, address: string, port: number): void;
}

/** Monotonic time and timers, injected so tests drive the protocol with fake time. */
export interface Clock {
  now(): number;
  /** Calls `callback` after `delayMs`; the returned function cancels it. */
  setTimer(callback: () => void, delayMs: number): () => void;
  /**
   * Calls `callback` once the datagrams that have already arrived are handled (Node: setImmediate,
   * after this loop turn's poll). Absent: the caller goes on at once.
   */
  afterArrived?(callback: () => void): void;
}

/**
 * Probes run by another thread (the native compact prober, docs/gossip.md "Compact probes"): the
 * engine tells it whom to probe and how fast, and hears back only what needs it (a missed ack).
 */
export interface ProbeOffload {
  setTargets(targets: readonly { name: string; address: string; port: number }[]): void;
  /** The round and ack timeout, Lifeguard-scaled; `reportAcks` while local health is above 0. */
  configure(intervalMs: number, timeoutMs: number, reportAcks: boolean): void;
}

/** Log levels the engine uses; the shell maps them to pino. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Everything a `SwimEngine` needs; no sockets or threads of its own. */
export interface EngineOptions {
  readonly nodeName: string;
  readonly advertiseAddress: string;
  readonly port: number;
  readonly seeds: readonly Seed[];
  /** The derived AES-256 key; undefined is plaintext. */
  readonly key: Buffer | undefined;
  readonly metadata: Record<string, unknown>;
  readonly timings: MembershipTimings;
  readonly clock: Clock;
  readonly transport: Transport;
  /** Uniform in [0, 1); Math.random in production, seeded in tests. */
  readonly random: () => number;
  readonly onChange: (members: Member[]) => void;
  readonly onEvent?: (event: MembershipEvent) => void;
  /** Only these (name → address) may be members; undefined admits any (bounded by `maxMembers`). */
  readonly allowedMembers?: ReadonlyMap<string, string>;
  /** Default MAX_MEMBERS. */
  readonly maxMembers?: number;
  /** This life's boot time (wall-clock ms) and random 16-hex id, sent in every packet (freshness). */
  readonly epoch: { readonly boot: number; readonly id: string };
  /** Members that take compact probes are probed by this instead of by JSON pings. */
  readonly probeOffload?: ProbeOffload;
  /** Log each dropped packet at debug (off by default: a flood must not cost a log line a packet). */
  readonly logDrops?: boolean;
  readonly log?: (level: LogLevel, message: string, fields: Record<string, unknown>) => void;
}

/**
 * Membership events besides the member list (for re-announcing, DESIGN "Ownership is re-asserted"):
 * `refuted` — this node was suspected, declared dead or left by someone and came back alive with a
 * higher incarnation; `memberReturned` — a member seen dead or left is alive again (a restart or a
 * healed partition).
 */
export type MembershipEvent =
  | { readonly type: 'refuted'; readonly accusation: MemberState; readonly incarnation: number }
  | { readonly type: 'memberReturned'; readonly member: string; readonly from: MemberState };

/** An address a packet came from or goes to. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}
