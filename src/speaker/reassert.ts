// DESIGN "Ownership is re-asserted", the membership half: from two successive views of gossip,
// whether this node may not have been the last to announce its IPs (it refuted its own suspicion
// or death, or a peer came back: a false death, a healed partition) and whether the election is
// still settling (issue 12 #12: a claim then is a hand-over, not a conflict). Pure, plus a small
// holder of the previous view.

/** One member as gossip reports it; `incarnation` when the membership exposes it. */
export interface MemberSnapshot {
  readonly name: string;
  readonly state: 'alive' | 'suspect' | 'dead' | 'left';
  readonly incarnation?: number;
}

/** Why owned IPs are announced again after a membership change. */
export type MembershipReassertReason = 'refuted' | 'peerReturned';

const isLive = (member: MemberSnapshot | undefined): boolean =>
  member !== undefined && (member.state === 'alive' || member.state === 'suspect');

/**
 * `refuted`: this node's incarnation rose (SWIM: it refuted a suspicion or death others spread,
 * so they may have moved its IPs). `peerReturned`: a peer live now was not live (or unknown) in
 * the previous view: it may have announced our IPs while it could not see us.
 */
export function membershipReassertReason(
  previous: readonly MemberSnapshot[],
  next: readonly MemberSnapshot[],
  self: string,
): MembershipReassertReason | undefined {
  const before = new Map(previous.map((member) => [member.name, member]));
  const selfBefore = before.get(self)?.incarnation;
  const selfNow = next.find((member) => member.name === self)?.incarnation;
  if (selfBefore !== undefined && selfNow !== undefined && selfNow > selfBefore) return 'refuted';
  const returned = next.some(
    (member) => member.name !== self && isLive(member) && !isLive(before.get(member.name)),
  );
  return returned ? 'peerReturned' : undefined;
}

/** Whether any member joined, vanished, or changed between live, dead and left. */
export function livenessChanged(
  previous: readonly MemberSnapshot[],
  next: readonly MemberSnapshot[],
): boolean {
  const summary = (members: readonly MemberSnapshot[]) =>
    members
      .map((member) => `${member.name}=${isLive(member) ? 'live' : member.state}`)
      .sort()
      .join(',');
  return summary(previous) !== summary(next);
}

/** What one membership view means for this node's announcements. */
export interface MembershipObservation {
  /** Announce owned IPs again (after the election has run on this view). */
  readonly reassert: MembershipReassertReason | undefined;
  /** The election may move IPs now: claims by other speakers are a hand-over for a while. */
  readonly handOverExpected: boolean;
}

/** Follows successive membership views for one node. */
export class MembershipTransitions {
  private previous: readonly MemberSnapshot[] | undefined;

  constructor(private readonly self: string) {}

  /** Takes the current view and compares it with the previous one. */
  observe(members: readonly MemberSnapshot[]): MembershipObservation {
    const snapshot = members.map(({ name, state, incarnation }) => ({ name, state, incarnation }));
    const previous = this.previous;
    this.previous = snapshot;
    // The first view (start-up) is no return: the start-up election announces anyway.
    if (previous === undefined) return { reassert: undefined, handOverExpected: true };
    return {
      reassert: membershipReassertReason(previous, snapshot, this.self),
      handOverExpected: livenessChanged(previous, snapshot),
    };
  }
}
