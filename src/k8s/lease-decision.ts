/** The parts of a coordination.k8s.io/v1 Lease the election reads. */
export interface LeaseRecord {
  readonly holderIdentity: string | undefined;
  readonly leaseDurationSeconds: number | undefined;
  readonly leaseTransitions: number | undefined;
}

/** What this candidate should do with the Lease it just read. */
export type LeaseDecision =
  | { readonly action: 'create' }
  | { readonly action: 'renew' }
  | { readonly action: 'acquire'; readonly transitions: number }
  | { readonly action: 'wait'; readonly holder: string };

/**
 * client-go's tryAcquireOrRenew, as a pure function. Expiry is judged by the local clock from when
 * this candidate last saw the record change (`observedAtMs`), never by the holder's renewTime, so
 * clock skew between nodes cannot hand the Lease to two holders.
 */
export function decideLease(
  record: LeaseRecord | undefined,
  candidate: { identity: string; observedAtMs: number; nowMs: number },
): LeaseDecision {
  if (record === undefined) return { action: 'create' };
  const holder = record.holderIdentity ?? '';
  if (holder === candidate.identity) return { action: 'renew' };
  const durationMs = (record.leaseDurationSeconds ?? 0) * 1000;
  // An empty holder means the last leader released the Lease on a clean shutdown.
  const expired = holder === '' || candidate.observedAtMs + durationMs <= candidate.nowMs;
  if (!expired) return { action: 'wait', holder };
  return { action: 'acquire', transitions: (record.leaseTransitions ?? 0) + 1 };
}

/** True when two reads of the Lease differ in anything the holder writes (renewals included). */
export function leaseRecordChanged(
  previous: { holder: string | undefined; renewTime: string | undefined } | undefined,
  current: { holder: string | undefined; renewTime: string | undefined },
): boolean {
  return previous?.holder !== current.holder || previous?.renewTime !== current.renewTime;
}
