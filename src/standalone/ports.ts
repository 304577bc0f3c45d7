// The two I/O seams of the standalone speaker, as narrow interfaces: the real DataPlane (src/l2)
// and Membership (src/membership) implement them structurally; unit tests may pass fakes.
import type { OwnedAnnouncement } from './ownership.js';

/** What the standalone speaker needs of the data plane (src/l2 DataPlane). */
export interface DataPlanePort {
  /** Diffs against the previous call: gained IPs get a GARP burst and answers, lost ones stop. */
  setAnnouncements(owned: ReadonlyMap<string, OwnedAnnouncement>): void;
  /** Stops gratuitous announcements, keeps answering (hand-over). */
  stopAnnouncing(): void;
  interfaceStates(): readonly { readonly name: string; readonly up: boolean; readonly usable: boolean }[];
  /** Whether a packet socket is open on a usable interface (readiness, issue 11). */
  hasHealthyInterface(): boolean;
  on(event: 'interfaces', listener: () => void): unknown;
  stop(): Promise<void>;
}

/** One member as gossip sees it. */
export interface MemberView {
  readonly name: string;
  readonly state: 'alive' | 'suspect' | 'dead' | 'left';
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** What the standalone speaker needs of gossip (src/membership Membership). */
export interface MembershipPort {
  /** Names alive or suspect (E5: suspect still counts). */
  liveMembers(): string[];
  members(): readonly MemberView[];
  setMetadata(metadata: Record<string, unknown>): void;
  on(event: 'change', listener: () => void): unknown;
  /** Graceful: tell the others we left, so they re-elect at once. */
  leave(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}
