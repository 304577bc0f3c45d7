// What to do when another MAC claims an IP this node announces (DESIGN "Conflict detection" and
// "Ownership is re-asserted"). The claim itself is found by classify.ts detectConflict; this file
// decides, from plain data and the time passed in, whether it is a conflict worth a metric, an
// Event and a warning, or the election handing over, and whether to announce again.
import {
  CONFLICT_REPORT_INTERVAL_MS,
  HANDOVER_SETTLE_MS,
  REASSERT_ON_CLAIM_INTERVAL_MS,
} from '../config/defaults.js';

/** One claim: another MAC answering for `ip`. */
export interface Claim {
  readonly ip: string;
  readonly mac: string;
}

/** Where ownership stands when the claim arrives. */
export interface ClaimContext {
  readonly nowMs: number;
  /** This node is handing over (SIGTERM): the next owner announcing is the point. */
  readonly handingOver: boolean;
  /** Membership changed within HANDOVER_SETTLE_MS: the election is still moving IPs. */
  readonly settling: boolean;
}

/**
 * `handover`: the election moving the IP (no metric, Event or warning; issue 12 #12), `conflict`
 * otherwise. `report`: log it (and, for a conflict, raise the Event) — at most once per IP and MAC
 * per CONFLICT_REPORT_INTERVAL_MS. `reassert`: send one gratuitous round now (never while handing over).
 */
export interface ClaimDecision {
  readonly kind: 'conflict' | 'handover';
  readonly report: boolean;
  readonly reassert: boolean;
}

/** Remembers when IPs were gained, reported and re-asserted; decides each claim. */
export class ClaimWatch {
  /** IP → when this node gained it. */
  private readonly gainedAtMs = new Map<string, number>();
  /** `kind|ip|mac` → when it was last reported. */
  private readonly reportedAtMs = new Map<string, number>();
  /** IP → when a claim was last answered with a round. */
  private readonly reassertedAtMs = new Map<string, number>();

  /** Records IPs gained now: their previous owner may still answer inside its grace period. */
  gained(ips: readonly string[], nowMs: number): void {
    for (const ip of ips) this.gainedAtMs.set(ip, nowMs);
  }

  /** Forgets IPs no longer owned. */
  lost(ips: readonly string[]): void {
    for (const ip of ips) {
      this.gainedAtMs.delete(ip);
      this.reassertedAtMs.delete(ip);
    }
  }

  /** Decides one claim and records what it reports and re-asserts. */
  decide(claim: Claim, context: ClaimContext): ClaimDecision {
    const { nowMs } = context;
    const gainedAtMs = this.gainedAtMs.get(claim.ip);
    const recentlyGained = gainedAtMs !== undefined && nowMs - gainedAtMs < HANDOVER_SETTLE_MS;
    const kind = context.handingOver || context.settling || recentlyGained ? 'handover' : 'conflict';
    const reportKey = `${kind}|${claim.ip}|${claim.mac}`;
    const reportedAtMs = this.reportedAtMs.get(reportKey);
    const report = reportedAtMs === undefined || nowMs - reportedAtMs >= CONFLICT_REPORT_INTERVAL_MS;
    if (report) this.reportedAtMs.set(reportKey, nowMs);
    const reassertedAtMs = this.reassertedAtMs.get(claim.ip);
    const reassert =
      !context.handingOver &&
      (reassertedAtMs === undefined || nowMs - reassertedAtMs >= REASSERT_ON_CLAIM_INTERVAL_MS);
    if (reassert) this.reassertedAtMs.set(claim.ip, nowMs);
    return { kind, report, reassert };
  }
}
