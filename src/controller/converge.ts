import {
  ALLOCATED_FROM_POOL,
  Annotation,
  DEPRECATED_PREFIX,
  readAnnotation,
  type ServiceSpec,
} from '../config/index.js';
import type { Allocator, HoldingView, Outcome, PoolReason } from '../ipam/index.js';
import { allocateIPs } from './allocate-ips.js';
import { Events, type ServiceEvent } from './events.js';
import {
  allocateRequestFor,
  desiredIPs,
  familyOfAddresses,
  sameAddressSet,
  serviceFamily,
} from './service-inputs.js';

/** C10: what the caller does next with this Service. */
export type SyncResult = 'success' | 'error' | 'reprocessAll' | 'errorNoRetry';

/** Why the Service has no address, for `plan` and logs: MetalLB's message and each pool's reason. */
export interface Failure {
  readonly message: string;
  readonly poolReasons: readonly PoolReason[];
}

/** The outcome of reconciling one Service (A1–A12): what to write, which Events, what next. */
export interface Decision {
  readonly serviceKey: string;
  /** `status.loadBalancer.ingress[].ip` to write, in order (A11); empty clears the status. */
  readonly ingress: readonly string[];
  /** `metallb.io/ip-allocated-from-pool` to write, or undefined to remove it (A11). */
  readonly pool: string | undefined;
  readonly events: readonly ServiceEvent[];
  readonly sync: SyncResult;
  /** Whether ingress or the pool annotation differ from the Service as given (A11: write only then). */
  readonly changed: boolean;
  readonly failure: Failure | undefined;
}

/** One reconcile in progress; `ips` is MetalLB's `lbIPs`. */
interface Pass {
  readonly service: ServiceSpec;
  readonly allocator: Allocator;
  readonly previous: HoldingView | undefined;
  readonly events: ServiceEvent[];
  ips: readonly string[];
  /** Set when an IP is dropped for a reason MetalLB reports with no Event (DESIGN). */
  lossReason: string | undefined;
  failure: Failure | undefined;
}

/** MetalLB's `clearServiceState`: unassign; the caller writes an empty status and no annotation. */
function clear(pass: Pass, lossReason?: string): void {
  pass.allocator.unassign(pass.service.key);
  pass.ips = [];
  pass.lossReason ??= lossReason;
}

/**
 * The pure per-Service reconcile, MetalLB's `convergeBalancer` (A1–A12) with ferrolb's fixes:
 * ingress order is never re-sorted (Q1) and PreferDualStack tops up only with two cluster IPs (Q3).
 * The allocator is updated in place; everything else is returned as a Decision.
 */
export function converge(service: ServiceSpec, allocator: Allocator): Decision {
  return convergeService(service, allocator, false) as Decision;
}

/**
 * Like `converge`, but in a restore pass (C8): when the Service would need a new address, its
 * turn is deferred (undefined) so that every held address is restored before any new one is chosen.
 */
export function convergeService(
  service: ServiceSpec,
  allocator: Allocator,
  restoreOnly: boolean,
): Decision | undefined {
  const pass: Pass = {
    service,
    allocator,
    previous: allocator.holdingOf(service.key),
    events: [],
    ips: [],
    lossReason: undefined,
    failure: undefined,
  };
  const early = checkPreconditions(pass);
  if (early) return decide(pass, early);
  const revalidated = revalidateHeld(pass);
  if (revalidated) return decide(pass, revalidated);
  if (restoreOnly && needsAllocation(pass)) return undefined;
  const allocated = topUpOrAllocate(pass);
  if (allocated) return decide(pass, allocated);
  if (!allocator.holdingOf(service.key)) {
    pass.events.push(Events.internalError('allocated an IP that has no pool'));
    clear(pass, 'internal error');
    return decide(pass, 'error');
  }
  return decide(pass, syncAfterSuccess(pass));
}

/** A1, A2, A3, A5: conditions that clear the Service before any address is considered. */
function checkPreconditions(pass: Pass): SyncResult | undefined {
  const { service, allocator } = pass;
  if (service.type !== 'LoadBalancer') {
    clear(pass, 'the Service is not of type LoadBalancer');
    return freedAddressInPool(pass) ? 'reprocessAll' : 'success';
  }
  if (allocator.poolCount === 0) {
    clear(pass, 'no address pool is configured');
    return 'errorNoRetry';
  }
  if (service.clusterIPs.length === 0 && service.clusterFamilies.length === 0) {
    clear(pass, 'the Service has no cluster IP');
    return 'error';
  }
  if (service.ipFamilyPolicy === 'RequireDualStack' && service.clusterFamilies.length < 2) {
    pass.events.push(Events.notEnoughClusterIPs(service.clusterIPs));
    clear(pass);
    return 'error';
  }
  return undefined;
}

/** A6, A7: keep the held ingress only while its family, the config, the pool and the request allow it. */
function revalidateHeld(pass: Pass): SyncResult | undefined {
  const { service, allocator } = pass;
  pass.ips = [...service.ingressIPs];
  if (pass.ips.length === 0) {
    clear(pass);
    return undefined;
  }
  const held = familyOfAddresses(pass.ips);
  if (!held.ok) pass.events.push(Events.noLoadBalancerIPsFamily(pass.ips, held.message));
  const cluster = serviceFamily(service);
  if (!cluster.ok) {
    pass.events.push(
      Events.noClusterIPsFamily(service.clusterIPs, service.clusterIPs[0] ?? '', cluster.message),
    );
    return 'error';
  }
  const dualAccepted = cluster.family === 'dual' && service.ipFamilyPolicy === 'PreferDualStack';
  if (!held.ok || (held.family !== cluster.family && !dualAccepted)) {
    clear(pass, 'its IP family no longer matches the Service');
    return undefined;
  }
  const assigned = allocator.assign(allocateRequestFor(service, cluster.family), pass.ips);
  if (!assigned.ok) {
    pass.events.push(Events.clearAssignment(service.key, assigned.message));
    clear(pass);
  } else pass.ips = assigned.ips;
  return checkRequests(pass);
}

/** A7b–A7d: a different pool or different requested IPs clear the held ones; a bad request stops. */
function checkRequests(pass: Pass): SyncResult | undefined {
  const { service, allocator } = pass;
  const desiredPool = readAnnotation(service.annotations, Annotation.addressPool) ?? '';
  if (pass.ips.length > 0 && desiredPool !== '' && allocator.holdingOf(service.key)?.pool !== desiredPool) {
    clear(pass, `pool ${desiredPool} was requested`);
  }
  const desired = desiredIPs(service);
  if (!desired.ok) {
    pass.events.push(Events.loadBalancerFailed(desired.message));
    pass.failure = { message: desired.message, poolReasons: [] };
    return 'error';
  }
  if (pass.ips.length > 0 && desired.ips.length > 0 && !sameAddressSet(pass.ips, desired.ips)) {
    clear(pass, 'different IPs were requested');
  }
  return undefined;
}

/** Whether the Service would now take a new address (A8 top-up or A9 allocation). */
function needsAllocation(pass: Pass): boolean {
  return pass.ips.length === 0 || canTopUp(pass);
}

/** A8 with Q3 fixed: one IP held, PreferDualStack, and really two cluster IPs. */
function canTopUp(pass: Pass): boolean {
  return (
    pass.ips.length === 1 &&
    pass.service.ipFamilyPolicy === 'PreferDualStack' &&
    pass.service.clusterFamilies.length === 2
  );
}

/** A8, A9: add the missing family, or allocate when nothing is held. */
function topUpOrAllocate(pass: Pass): SyncResult | undefined {
  const { service, allocator } = pass;
  const family = serviceFamily(service);
  const request = allocateRequestFor(service, family.ok ? family.family : 'IPv4');
  if (canTopUp(pass)) {
    const added = allocator.allocateAdditionalFamily(request);
    if (added.ok) {
      pass.events.push(Events.assignedAdditional(added.ips[added.ips.length - 1] as string));
      pass.ips = added.ips;
    } else pass.events.push(Events.additionalAssignFailed(added.message));
  }
  if (pass.ips.length > 0) return undefined;
  const outcome: Outcome = family.ok ? allocateIPs(service, allocator, request) : failed(family.message);
  if (!outcome.ok) {
    pass.events.push(Events.allocationFailed(service.key, outcome.message));
    pass.failure = { message: outcome.message, poolReasons: outcome.poolReasons };
    return 'errorNoRetry';
  }
  pass.events.push(Events.assigned(outcome.ips));
  pass.ips = outcome.ips;
  return undefined;
}

function failed(message: string): Outcome {
  return { ok: false, code: 'wrongFamily', message, poolReasons: [] };
}

/** Whether an address this Service held was freed while still inside a pool (A1, A11). */
function freedAddressInPool(pass: Pass): boolean {
  const kept = new Set(pass.ips);
  return (pass.previous?.ips ?? []).some((ip) => !kept.has(ip) && pass.allocator.isInSomePool(ip));
}

/** A11: ReprocessAll when an address was freed inside a pool or the allocation key changed. */
function syncAfterSuccess(pass: Pass): SyncResult {
  if (freedAddressInPool(pass)) return 'reprocessAll';
  const { previous } = pass;
  const now = pass.allocator.holdingOf(pass.service.key);
  if (previous && now && (previous.sharingKey !== now.sharingKey || previous.backendKey !== now.backendKey)) {
    return 'reprocessAll';
  }
  return 'success';
}

/** Builds the Decision: the write-back (A11), the DESIGN loss Event and N4's deprecation warnings. */
function decide(pass: Pass, sync: SyncResult): Decision {
  const { service } = pass;
  const pool = pass.ips.length > 0 ? pass.allocator.holdingOf(service.key)?.pool : undefined;
  const ingressChanged = !sameList(pass.ips, service.ingressIPs);
  const changed = ingressChanged || pool !== service.annotations[ALLOCATED_FROM_POOL];
  if (ingressChanged && service.ingressIPs.length > 0 && pass.lossReason !== undefined) {
    pass.events.push(Events.allocationChanged(service.ingressIPs, pass.ips, pass.lossReason));
  }
  if (changed) {
    const deprecated = Object.keys(service.annotations).filter((key) => key.startsWith(DEPRECATED_PREFIX));
    for (const key of deprecated.sort()) pass.events.push(Events.deprecatedAnnotation(key));
  }
  return {
    serviceKey: service.key,
    ingress: pass.ips,
    pool,
    events: pass.events,
    sync,
    changed,
    failure: pass.failure,
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** A12: a deleted Service frees its addresses; ReprocessAll lets waiting Services retry. */
export function forgetService(serviceKey: string, allocator: Allocator): SyncResult {
  return allocator.unassign(serviceKey) ? 'reprocessAll' : 'success';
}
