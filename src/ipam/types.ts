import type { Family, FamilyPolicy, ServicePort } from '../config/index.js';

/** The family of a Service from its cluster IPs (N6): one family, or both. */
export type ServiceFamily = 'IPv4' | 'IPv6' | 'dual';

/** Who asks, and with which sharing identity (A26). One object instead of MetalLB's 6–7 parameters. */
export interface ServiceRequest {
  /** `namespace/name`. */
  readonly serviceKey: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `(protocol, port)` pairs; protocol is part of identity, so TCP/53 and UDP/53 can share (A26). */
  readonly ports: readonly ServicePort[];
  /** The allow-shared-ip value; `''` means no sharing (A26). */
  readonly sharingKey: string;
  /** The selector as a sorted label string for `externalTrafficPolicy: Local`, else `''` (A26). */
  readonly backendKey: string;
}

/** A request for new addresses: the family wanted and how strictly (A16). */
export interface AllocateRequest extends ServiceRequest {
  readonly family: ServiceFamily;
  readonly policy: FamilyPolicy;
  /** PreferDualStack's preferred family: IPv4 unless `spec.ipFamilies[0]` is IPv6 (N6). */
  readonly primaryFamily: Family;
}

/** Why the allocator said no; the message is MetalLB's text for the same refusal. */
export type RefusalCode =
  | 'notAllowedInConfig'
  | 'poolNotCompatible'
  | 'tooManyAddresses'
  | 'sameFamily'
  | 'sharingConflict'
  | 'portInUse'
  | 'unknownPool'
  | 'wrongFamily'
  | 'noAvailableAddress';

/** One pool's reason for not serving a request, kept for `ferrolb plan`. */
export interface PoolReason {
  readonly pool: string;
  readonly message: string;
}

/** A refusal: a code, MetalLB's message, and each pool's own reason where several were tried. */
export interface Refusal {
  readonly ok: false;
  readonly code: RefusalCode;
  readonly message: string;
  readonly poolReasons: readonly PoolReason[];
}

/** A granted allocation: the addresses in the order to write them, and their pool. */
export interface Granted {
  readonly ok: true;
  readonly ips: readonly string[];
  readonly pool: string;
}

/** The outcome of every allocator operation. */
export type Outcome = Granted | Refusal;

/** Builds a refusal value. */
export function refuse(code: RefusalCode, message: string, poolReasons: readonly PoolReason[] = []): Refusal {
  return { ok: false, code, message, poolReasons };
}

/** How one held allocation changed when the pools changed (A34). */
export interface PoolChange {
  readonly serviceKey: string;
  readonly ips: readonly string[];
  readonly from: string;
  /** The new pool name, or undefined when no pool contains the addresses any more. */
  readonly to: string | undefined;
}

/** Per-pool counts (M3, R2): distinct addresses in use, so a shared address counts once. */
export interface PoolStats {
  readonly pool: string;
  readonly capacity: { readonly total: bigint; readonly ipv4: bigint; readonly ipv6: bigint };
  readonly inUse: { readonly total: number; readonly ipv4: number; readonly ipv6: number };
  /** Services holding addresses of this pool (Q16: ferrolb sets this gauge). */
  readonly services: number;
}
