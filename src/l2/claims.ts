// What to do when another MAC claims an IP this node announces (DESIGN "Conflict detection" and
// "Ownership is re-asserted"). The claim itself is found by classify.ts detectConflict; this file
// decides, from plain data and the time passed in, whether it is a conflict worth a metric, an
// Event and a warning, or the election handing over, and whether to announce again.
import { CONFLICT_REPORT_INTERVAL_MS, REASSERT_ON_CLAIM_INTERVAL_MS } from '../config/defaults.js';

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
  /** Membership or this node's ownership changed within HANDOVER_SETTLE_MS: the election is still moving IPs. */
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

/** Remembers when claims were reported and answered; decides each claim. */
export class ClaimWatch {
  /** `kind|ip|mac` → when it was last reported. */
  private readonly reportedAtMs = new Map<string, number>();
  /** IP → when a claim was last answered with a round. */
  private readonly reassertedAtMs = new Map<string, number>();

  /** Forgets IPs no longer owned. */
  lost(ips: readonly string[]): void {
    for (const ip of ips) this.reassertedAtMs.delete(ip);
  }

  /** Decides one claim and records what it reports and re-asserts. */
  decide(claim: Claim, context: ClaimContext): ClaimDecision {
    const { nowMs } = context;
    const kind = context.handingOver || context.settling ? 'handover' : 'conflict';
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
