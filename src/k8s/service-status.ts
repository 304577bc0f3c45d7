import { ALLOCATED_FROM_POOL } from '../config/annotations.js';

/** What the controller wants a Service's status to say: its IPs in order and their pool. */
export interface ServiceAllocationStatus {
  readonly ips: readonly string[];
  /** Pool the IPs come from; undefined when cleared. */
  readonly pool: string | undefined;
}

/** The fields of a Service this module reads and writes (structurally a V1Service). */
export interface ServiceLike {
  metadata?: { annotations?: { [key: string]: string } };
  status?: { loadBalancer?: { ingress?: readonly { ip?: string }[] } };
}

/** The ingress IPs currently written on `service`, in order (hostname-only entries skipped, A4). */
export function ingressIPs(service: ServiceLike): string[] {
  return (service.status?.loadBalancer?.ingress ?? []).flatMap((entry) => (entry.ip ? [entry.ip] : []));
}

/** The `metallb.io/ip-allocated-from-pool` annotation, if set. */
export function allocatedPool(service: ServiceLike): string | undefined {
  return service.metadata?.annotations?.[ALLOCATED_FROM_POOL];
}

/**
 * `service` carrying `desired` (A11: ingress `[{ip}]` in the given order, never re-sorted (Q1), plus
 * the pool annotation), or undefined when it already says exactly that, so nothing is written.
 */
export function withAllocationStatus<T extends ServiceLike>(
  service: T,
  desired: ServiceAllocationStatus,
): T | undefined {
  const sameIPs =
    ingressIPs(service).length === desired.ips.length &&
    ingressIPs(service).every((ip, index) => ip === desired.ips[index]);
  if (sameIPs && allocatedPool(service) === desired.pool) return undefined;
  const annotations = { ...(service.metadata?.annotations ?? {}) };
  if (desired.pool === undefined) delete annotations[ALLOCATED_FROM_POOL];
  else annotations[ALLOCATED_FROM_POOL] = desired.pool;
  const loadBalancer = desired.ips.length === 0 ? {} : { ingress: desired.ips.map((ip) => ({ ip })) };
  return {
    ...service,
    metadata: { ...service.metadata, annotations },
    status: { ...service.status, loadBalancer },
  } as T;
}
