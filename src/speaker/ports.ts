// The speaker's I/O seams as narrow interfaces: src/l2's DataPlane and src/membership's Membership
// implement them structurally (as for the standalone speaker, src/standalone/ports.ts).
import type { Announcement } from './types.js';

/** One interface as the data plane reports it. */
export interface InterfaceReport {
  readonly name: string;
  readonly up: boolean;
  readonly usable: boolean;
  /** Why it is not used; `excluded`/`notSelected` ones do not count as existing (L2). */
  readonly skipReason?: string;
}

/** A second MAC claiming an IP this node announces (DESIGN "Conflict detection"). */
export interface ConflictReport {
  readonly ip: string;
  readonly mac: string;
  readonly interfaceName: string;
}

/** What the speaker needs of the data plane (src/l2 DataPlane). */
export interface DataPlanePort {
  /** Diffs against the previous call: gained IPs get a gratuitous burst and answers, lost ones stop. */
  setAnnouncements(owned: ReadonlyMap<string, Announcement>): void;
  interfaceStates(): readonly InterfaceReport[];
  /** Whether a packet socket is open on a usable interface (readiness, issue 11). */
  hasHealthyInterface(): boolean;
  on(event: 'interfaces', listener: () => void): unknown;
  stop(): Promise<void>;
}

/** One gossip member as the speaker reads it. */
export interface MemberReport {
  readonly name: string;
  /** The address gossip reaches it on. */
  readonly address?: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** What the speaker needs of gossip (src/membership Membership). */
export interface MembershipPort {
  /** Names alive or suspect (E5: suspect still counts), this node included. */
  liveMembers(): string[];
  members(): readonly MemberReport[];
  setMetadata(metadata: Record<string, unknown>): void;
  /** Replaces who may be a member (node name → pod IP), from re-listed speaker pods. */
  setAllowedMembers(allowed: ReadonlyMap<string, string>): void;
  /** Joins seeds found after start (ML6: re-listed speaker pods). */
  join(seeds: readonly { readonly address: string; readonly port?: number }[]): void;
  on(event: 'change', listener: () => void): unknown;
  /** Graceful: the others see this node leave and re-elect at once (ML7). */
  leave(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}
