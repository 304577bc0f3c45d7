import type { Logger } from '../log.js';
import type { MembershipTimings } from './defaults.js';

/** SWIM member states; `suspect` still counts as live (E5). */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** One member as every node sees it. */
export interface Member {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly state: MemberState;
  readonly incarnation: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** A member as it travels in gossip: a suspect record names who suspected it (Lifeguard confirmations). */
export interface MemberRecord extends Member {
  readonly suspectedBy?: string;
  /**
   * The compact probe format this member answers (COMPACT_PROBE_VERSION); absent in the previous
   * release, whose members are probed with JSON pings (docs/gossip.md "Compact probes").
   */
  readonly compactProbes?: number;
}

/** A seed to join through: a static list (standalone) or speaker pod IPs (Kubernetes). */
export interface Seed {
  readonly address: string;
  readonly port?: number;
}

/**
 * Why a received packet was dropped (label of ferrolb_gossip_packets_dropped_total):
 * `replayed`/`stale` fail the freshness check (keyed gossip), `unknownSender` names a member that
 * is not allowed or comes from another address, `rateLimited` exceeds its source's budget,
 * `previousVersion` is a version-1 packet on a keyed node (no freshness: refused), `kernel` never
 * reached gossip: the socket's source filter dropped it (sender outside the allow-list) or the
 * receive buffer was full.
 */
export type DropReason =
  | 'authentication'
  | 'malformed'
  | 'plaintext'
  | 'encrypted'
  | 'misaddressed'
  | 'replayed'
  | 'stale'
  | 'unknownSender'
  | 'rateLimited'
  | 'previousVersion'
  | 'kernel';

/** Options of `Membership.start`. */
export interface MembershipOptions {
  readonly nodeName: string;
  readonly bindAddress: string;
  /** Default 7946. */
  readonly port: number;
  /** Address other members reach us on; default `bindAddress`. */
  readonly advertiseAddress?: string;
  readonly seeds: readonly Seed[];
  /** Shared secret (file bytes); undefined runs in plaintext with a loud warning (ML5). */
  readonly secret?: Uint8Array;
  readonly metadata?: Record<string, unknown>;
  /**
   * Only these (name → address) are members: standalone passes its configured members, the
   * Kubernetes speaker its speaker pods. Undefined admits anyone, up to MAX_MEMBERS.
   */
  readonly allowedMembers?: ReadonlyMap<string, string>;
  readonly timings?: Partial<MembershipTimings>;
  readonly logger: Logger;
  /** `'worker'` (default) runs the protocol in a worker_thread; `'main'` in this thread (simulations). */
  readonly thread?: 'worker' | 'main';
}

/** Byte and drop counters since start. */
export interface MembershipStats {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly packetsDropped: number;
  /** The largest datagram sent, envelope included (never above MAX_PACKET_BYTES). */
  readonly largestPacketBytes: number;
  readonly dropsByReason: Readonly<Partial<Record<DropReason, number>>>;
}
