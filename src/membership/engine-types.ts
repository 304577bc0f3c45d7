import type { MembershipTimings } from './defaults.js';
import type { DropReason, Member, Seed } from './types.js';

/** Sends one datagram; the UDP socket in production, an in-memory network in tests. */
export interface Transport {
  send(packet: Buffer, address: string, port: number): void;
}

/** Monotonic time and timers, injected so tests drive the protocol with fake time. */
export interface Clock {
  now(): number;
  /** Calls `callback` after `delayMs`; the returned function cancels it. */
  setTimer(callback: () => void, delayMs: number): () => void;
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
  readonly onDrop?: (reason: DropReason) => void;
  readonly log?: (level: LogLevel, message: string, fields: Record<string, unknown>) => void;
}

/** An address a packet came from or goes to. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}
