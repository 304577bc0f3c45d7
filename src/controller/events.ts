import { goList, goQuote, goQuoteList } from '../config/index.js';

/** A Kubernetes Event for a Service: MetalLB's reasons and message formats (EV1–EV10). */
export interface ServiceEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** Event reasons, case-sensitive as MetalLB writes them (EV table). */
export const EventReason = {
  ipAllocated: 'IPAllocated',
  allocationFailed: 'AllocationFailed',
  clearAssignment: 'ClearAssignment',
  loadBalancerFailed: 'LoadBalancerFailed',
  additionalAssignFailed: 'AdditionalAssignFailed',
  notEnoughClusterIPs: 'not enough clusterips',
  noLoadBalancerIPsFamily: 'nolbIPsIPFamily',
  noClusterIPsFamily: 'noclusterIPsIPFamily',
  internalError: 'InternalError',
  deprecatedAnnotation: 'deprecatedAnnotation',
  /** DESIGN "Allocation": a change or loss of an IP for which MetalLB emits nothing. */
  allocationChanged: 'AllocationChanged',
} as const;

const normal = (reason: string, message: string): ServiceEvent => ({ type: 'Normal', reason, message });
const warning = (reason: string, message: string): ServiceEvent => ({ type: 'Warning', reason, message });

/** Builders for each event, one per EV row. */
export const Events = {
  /** EV1 */
  assigned: (ips: readonly string[]) => normal(EventReason.ipAllocated, `Assigned IP ${goQuoteList(ips)}`),
  /** EV1 */
  assignedAdditional: (ip: string) =>
    normal(EventReason.ipAllocated, `Assigned additional IP ${goQuote(ip)}`),
  /** EV2 */
  allocationFailed: (serviceKey: string, error: string) =>
    warning(EventReason.allocationFailed, `Failed to allocate IP for ${goQuote(serviceKey)}: ${error}`),
  /** EV3 */
  clearAssignment: (serviceKey: string, error: string) =>
    normal(
      EventReason.clearAssignment,
      `current IP for ${goQuote(serviceKey)} not allowed by config, will attempt for new IP assignment: ${error}`,
    ),
  /** EV4 */
  loadBalancerFailed: (error: string) =>
    warning(EventReason.loadBalancerFailed, `invalid requested loadbalancer IPs: ${error}`),
  /** EV5 */
  additionalAssignFailed: (error: string) =>
    normal(EventReason.additionalAssignFailed, `cannot assign additional IP in PreferDualStack: ${error}`),
  /** EV6 */
  notEnoughClusterIPs: (clusterIPs: readonly string[]) =>
    warning(
      EventReason.notEnoughClusterIPs,
      `Service requires dual stack but not enough clusterips ${goList(clusterIPs)}`,
    ),
  /** EV7 */
  noLoadBalancerIPsFamily: (ips: readonly string[], error: string) =>
    warning(
      EventReason.noLoadBalancerIPsFamily,
      `Failed to retrieve LBIPs IPFamily for ${goQuoteList(ips)}: ${error}`,
    ),
  /** EV8 */
  noClusterIPsFamily: (clusterIPs: readonly string[], clusterIP: string, error: string) =>
    warning(
      EventReason.noClusterIPsFamily,
      `Failed to retrieve ClusterIPs IPFamily for ${goQuoteList(clusterIPs)} ${clusterIP}: ${error}`,
    ),
  /** EV9 */
  internalError: (message: string) => warning(EventReason.internalError, message),
  /** EV10 */
  deprecatedAnnotation: (key: string) =>
    warning(EventReason.deprecatedAnnotation, `Service uses deprecated annotation ${key}`),
  /** DESIGN: every change or loss of an IP gets an Event. */
  allocationChanged: (before: readonly string[], after: readonly string[], reason: string) =>
    normal(
      EventReason.allocationChanged,
      after.length === 0
        ? `Released IP ${goQuoteList(before)}: ${reason}`
        : `Changed IP from ${goQuoteList(before)} to ${goQuoteList(after)}: ${reason}`,
    ),
} as const;
