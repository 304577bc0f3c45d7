import { INCARNATION_LIMIT } from './defaults.js';
import type { MemberRecord } from './types.js';

/**
 * The highest incarnation an accusation (suspect, dead, left) may carry: one below the highest an
 * alive record may carry, so the accused can always refute at +1 (docs/gossip.md "Incarnations").
 */
export const MAX_ACCUSATION_INCARNATION = INCARNATION_LIMIT - 2;

/** The highest incarnation any record may carry. */
export const MAX_INCARNATION = INCARNATION_LIMIT - 1;

/** What to do with one incoming member record (SWIM §4.2 with incarnation numbers). */
export type Verdict =
  | { readonly kind: 'ignore' }
  /** Store `member`; start or stop this node's suspicion timer for it as told. */
  | { readonly kind: 'accept'; readonly member: MemberRecord; readonly suspicion: 'start' | 'stop' | 'keep' }
  /** Another node confirms a suspicion we already hold (Lifeguard). */
  | { readonly kind: 'confirm'; readonly suspectedBy: string | undefined }
  /** The record accuses this node (or an older life of it): come back alive at `incarnation`. */
  | { readonly kind: 'refute'; readonly incarnation: number };

const IGNORE: Verdict = { kind: 'ignore' };

/**
 * Judges `incoming` against this node's view `local` of the same member (undefined if unknown).
 * `self` is this node's own record: records about it are refuted, never stored.
 */
export function judgeUpdate(
  local: MemberRecord | undefined,
  incoming: MemberRecord,
  self: MemberRecord,
): Verdict {
  // Above the cap nothing is believed: a forged huge incarnation must not push anyone past it.
  if (incoming.state !== 'alive' && incoming.incarnation > MAX_ACCUSATION_INCARNATION) return IGNORE;
  if (incoming.incarnation > MAX_INCARNATION) return IGNORE;
  if (incoming.name === self.name) return judgeAboutSelf(self, incoming);
  switch (incoming.state) {
    case 'alive':
      return judgeAlive(local, incoming);
    case 'suspect':
      return judgeSuspect(local, incoming);
    default:
      return judgeDeparture(local, incoming);
  }
}

function judgeAboutSelf(self: MemberRecord, incoming: MemberRecord): Verdict {
  // A node that is leaving lets the accusation stand: it is going away anyway.
  if (self.state === 'left' || incoming.incarnation < self.incarnation) return IGNORE;
  if (incoming.state === 'alive' && incoming.incarnation === self.incarnation) return IGNORE;
  // Suspect/dead/left at our incarnation or above, or alive above it (a previous life of this name
  // that restarted with incarnation 0): outbid it so every node takes our current record.
  // Capped: an accusation is at most MAX_ACCUSATION_INCARNATION, so +1 still outbids it.
  return { kind: 'refute', incarnation: Math.min(incoming.incarnation + 1, MAX_INCARNATION) };
}

function judgeAlive(local: MemberRecord | undefined, incoming: MemberRecord): Verdict {
  if (local !== undefined && incoming.incarnation <= local.incarnation) return IGNORE;
  const member = withoutSuspecter(incoming);
  return { kind: 'accept', member, suspicion: local?.state === 'suspect' ? 'stop' : 'keep' };
}

function judgeSuspect(local: MemberRecord | undefined, incoming: MemberRecord): Verdict {
  // An unknown member is learnt only from an alive record; a suspicion alone adds nothing.
  if (local === undefined || local.state === 'dead' || local.state === 'left') return IGNORE;
  if (incoming.incarnation < local.incarnation) return IGNORE;
  if (local.state === 'suspect' && incoming.incarnation === local.incarnation) {
    return { kind: 'confirm', suspectedBy: incoming.suspectedBy };
  }
  const member: MemberRecord = {
    ...withoutSuspecter(local),
    state: 'suspect',
    incarnation: incoming.incarnation,
    ...(incoming.suspectedBy === undefined ? {} : { suspectedBy: incoming.suspectedBy }),
  };
  return { kind: 'accept', member, suspicion: local.state === 'suspect' ? 'keep' : 'start' };
}

function judgeDeparture(local: MemberRecord | undefined, incoming: MemberRecord): Verdict {
  if (local === undefined || incoming.incarnation < local.incarnation) return IGNORE;
  if (local.state === 'left' || (local.state === 'dead' && incoming.state === 'dead')) return IGNORE;
  const member: MemberRecord = {
    ...withoutSuspecter(local),
    state: incoming.state,
    incarnation: incoming.incarnation,
  };
  return { kind: 'accept', member, suspicion: 'stop' };
}

/**
 * A full-state record (join or periodic sync) is softer than gossip: a remote `dead` becomes a
 * suspicion here, so a member that is alive after all gets the time to refute (memberlist mergeState).
 */
export function softenForSync(record: MemberRecord): MemberRecord {
  return record.state === 'dead' ? { ...record, state: 'suspect' } : record;
}

function withoutSuspecter(record: MemberRecord): MemberRecord {
  if (record.suspectedBy === undefined) return record;
  const { suspectedBy: _dropped, ...rest } = record;
  return rest;
}
