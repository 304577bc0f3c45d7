/**
 * Every membership timing and limit, with its default and the reason for it (DESIGN "Membership").
 * Defaults aim at detecting a crashed node in about half a second on a LAN while a node that is
 * merely slow gets time to refute (Lifeguard scales the local timeouts by the node's own health).
 */
export interface MembershipTimings {
  /** One probe round: ping one member (round-robin). MetalLB's memberlist LAN default is 1 s (ML8). */
  readonly probeIntervalMs: number;
  /** Wait for a direct ack before asking `indirectChecks` peers; LAN round trips are well under 1 ms. */
  readonly probeTimeoutMs: number;
  /** Peers asked to probe on our behalf when the direct ack is late (SWIM §3.1; memberlist: 3). */
  readonly indirectChecks: number;
  /** Suspicion lasts this many probe intervals × max(1, log10 n) before the member is declared dead. */
  readonly suspicionMultiplier: number;
  /** Upper bound of the suspicion timeout as a multiple of the minimum, used while confirmations are awaited. */
  readonly suspicionMaxMultiplier: number;
  /**
   * Independent confirmations that shrink suspicion from the maximum to the minimum (Lifeguard).
   * 0 uses the minimum at once: refutation and the local-health scaling carry the safety, which is
   * what sub-second failover needs in small clusters.
   */
  readonly suspicionConfirmations: number;
  /** How often queued updates are pushed to `gossipFanout` members besides piggy-backing on probes. */
  readonly gossipIntervalMs: number;
  /** Members each gossip round sends to. */
  readonly gossipFanout: number;
  /** Each update is sent at most this × ceil(log10(n + 1)) times (SWIM's λ·log n bound). */
  readonly retransmitMultiplier: number;
  /** Full-state exchange with one random member, scaled by ceil(n / 32), to repair lost updates. */
  readonly syncIntervalMs: number;
  /** First retry of a seed or dead member not currently alive (partitions heal through this). */
  readonly rejoinIntervalMs: number;
  /** Retries to the same unreachable address back off (doubling) up to this. */
  readonly rejoinMaxIntervalMs: number;
  /** Dead members still receive gossip this long, so a falsely accused node hears it and refutes. */
  readonly gossipToDeadMs: number;
  /** Dead and left members are forgotten after this long. */
  readonly deadRetentionMs: number;
  /** Rounds of sending `left` to every live member on a graceful leave. */
  readonly leaveRounds: number;
  /** Pause between leave rounds. */
  readonly leaveRoundIntervalMs: number;
  /** Lifeguard local-health ceiling: local timeouts are multiplied by (health + 1). */
  readonly maxLocalHealth: number;
}

/** The defaults: sub-second detection on a LAN, bounded bandwidth (see each field). */
export const DEFAULT_TIMINGS: MembershipTimings = {
  probeIntervalMs: 100,
  probeTimeoutMs: 50,
  indirectChecks: 3,
  suspicionMultiplier: 3,
  suspicionMaxMultiplier: 2,
  suspicionConfirmations: 0,
  gossipIntervalMs: 50,
  gossipFanout: 3,
  retransmitMultiplier: 4,
  syncIntervalMs: 10_000,
  rejoinIntervalMs: 1_000,
  rejoinMaxIntervalMs: 8_000,
  gossipToDeadMs: 2_000,
  deadRetentionMs: 60_000,
  leaveRounds: 3,
  leaveRoundIntervalMs: 20,
  maxLocalHealth: 8,
};

/** Default gossip port, TCP and UDP in MetalLB (ML2); ferrolb uses UDP only. */
export const DEFAULT_GOSSIP_PORT = 7946;

/**
 * Largest datagram ferrolb sends: an Ethernet MTU of 1500 minus IPv6 (40) and UDP (8) headers,
 * with margin, so no datagram is ever fragmented; full state goes out in chunks of this size.
 */
export const MAX_PACKET_BYTES = 1400;

/** Largest encoded member metadata; keeps one member record far below a datagram. */
export const MAX_METADATA_BYTES = 512;

/** Bytes the AES-256-GCM envelope adds: version (1) + nonce (12) + tag (16). */
export const ENVELOPE_OVERHEAD_BYTES = 29;

/** The worker reports new gossip drops (with its byte counters) to the main thread at most this often. */
export const STATS_REPORT_INTERVAL_MS = 1000;

/** Membership housekeeping (forgetting old dead members, rejoin retries) runs this often. */
export const HOUSEKEEPING_INTERVAL_MS = 500;

/**
 * Wire format version (docs/gossip.md): first byte 2 (plaintext) or 3 (AES-256-GCM), and inside the
 * authenticated payload `v`, the sender's boot epoch and a per-sender packet counter. Version 1
 * (first byte 0 or 1, no freshness fields) is the previous release's.
 */
export const WIRE_VERSION = 2;

/**
 * Compact probe format (first byte 4 or 5, native/gossip_probe.c) a member advertises in its
 * record's `compactProbes`; members without it get JSON pings.
 */
export const COMPACT_PROBE_VERSION = 1;

/**
 * Incarnations stay below this (2^32): an accusation is accepted only below LIMIT − 1, so its
 * refutation (+1) always fits, and nothing ever nears Number.MAX_SAFE_INTEGER.
 */
export const INCARNATION_LIMIT = 2 ** 32;

/** Most members one node keeps (any state): forged joins cannot grow the table past it. */
export const MAX_MEMBERS = 1024;

/** Packets accepted from one source address per second; legitimate peers send well under 100. */
export const MAX_PACKETS_PER_SOURCE_PER_SECOND = 2_000;

/** Distinct source addresses tracked per second; beyond it the others share one budget. */
export const MAX_TRACKED_SOURCES = 4_096;

/** Packets of one sender epoch that may arrive out of order (an IPsec-style replay window). */
export const REPLAY_WINDOW = 32;

/** Senders whose epoch and counter are remembered (oldest forgotten first beyond it). */
export const MAX_REPLAY_SENDERS = 2 * MAX_MEMBERS;
