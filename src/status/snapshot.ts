// Plain data `ferrolb status` works on, and the conversions from API objects (structural types, so
// this file stays pure: no Kubernetes client import).
import { ALLOCATED_FROM_POOL } from '../config/annotations.js';

/** What `status` needs of one LoadBalancer Service. */
export interface StatusService {
  readonly namespace: string;
  readonly name: string;
  /** `status.loadBalancer.ingress[].ip`, in order. */
  readonly ips: readonly string[];
  /** `metallb.io/ip-allocated-from-pool`, when the controller wrote it. */
  readonly pool: string | undefined;
  /** `spec.loadBalancerClass`, when set. */
  readonly loadBalancerClass: string | undefined;
}

/** One ServiceL2Status (R4): the node announcing a Service, and on which interfaces (none: all). */
export interface StatusOwner {
  readonly serviceNamespace: string;
  readonly serviceName: string;
  readonly node: string;
  readonly interfaces: readonly string[];
}

/** A Warning Event about a Service: the controller's (AllocationFailed…) or a speaker's. */
export interface StatusEvent {
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
  readonly message: string;
  /** Who reported it (`source.component`): `metallb-controller`, `metallb-speaker`, … */
  readonly component: string;
  /** Last time it happened, in ms since the epoch (0 when the Event has no time). */
  readonly timeMs: number;
}

/** Everything `status` read from the cluster. */
export interface StatusSnapshot {
  readonly services: readonly StatusService[];
  readonly owners: readonly StatusOwner[];
  readonly events: readonly StatusEvent[];
  /** R6: components that refused the configuration (empty when none, or when unreadable). */
  readonly refusals: readonly ConfigurationRefusal[];
}

/** A ConfigurationState whose result is Invalid: which component, and its error summary. */
export interface ConfigurationRefusal {
  readonly name: string;
  readonly summary: string;
}

/** The fields of a ConfigurationState read here. */
export interface ConfigurationStateObject {
  readonly metadata?: { readonly name?: string };
  readonly status?: { readonly result?: string; readonly errorSummary?: string };
}

/** The refusal a ConfigurationState reports, or undefined when it is not Invalid. */
export function toConfigurationRefusal(object: ConfigurationStateObject): ConfigurationRefusal | undefined {
  if (object.status?.result !== 'Invalid') return undefined;
  return { name: object.metadata?.name ?? '', summary: object.status.errorSummary ?? '' };
}

/** The fields of a v1 Service read here. */
export interface ServiceObject {
  metadata?: { namespace?: string; name?: string; annotations?: Readonly<Record<string, string>> };
  spec?: { type?: string; loadBalancerClass?: string };
  status?: { loadBalancer?: { ingress?: readonly { ip?: string }[] } };
}

/** The fields of a ServiceL2Status read here. */
export interface ServiceL2StatusObject {
  status?: {
    node?: string;
    serviceName?: string;
    serviceNamespace?: string;
    interfaces?: readonly { name?: string }[];
  };
}

/** The fields of a core/v1 Event read here (times as the client returns them: Date or string). */
export interface EventObject {
  type?: string;
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; namespace?: string; name?: string };
  source?: { component?: string };
  reportingComponent?: string;
  lastTimestamp?: Date | string;
  eventTime?: Date | string;
  firstTimestamp?: Date | string;
  metadata?: { creationTimestamp?: Date | string };
}

/** The Service as `status` sees it, or undefined when it is not of type LoadBalancer. */
export function toStatusService(object: ServiceObject): StatusService | undefined {
  if (object.spec?.type !== 'LoadBalancer') return undefined;
  const ingress = object.status?.loadBalancer?.ingress ?? [];
  return {
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
    ips: ingress.flatMap((entry) => (entry.ip ? [entry.ip] : [])),
    pool: object.metadata?.annotations?.[ALLOCATED_FROM_POOL] || undefined,
    loadBalancerClass: object.spec.loadBalancerClass || undefined,
  };
}

/** The owner a ServiceL2Status records, or undefined when it names no node or Service yet. */
export function toStatusOwner(object: ServiceL2StatusObject): StatusOwner | undefined {
  const status = object.status;
  if (!status?.node || !status.serviceName) return undefined;
  return {
    serviceNamespace: status.serviceNamespace ?? '',
    serviceName: status.serviceName,
    node: status.node,
    interfaces: (status.interfaces ?? []).flatMap((entry) => (entry.name ? [entry.name] : [])),
  };
}

function timeOf(value: Date | string | undefined): number {
  if (value === undefined) return Number.NaN;
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

/** The Event as `status` sees it, or undefined unless it is a Warning about a Service. */
export function toStatusEvent(object: EventObject): StatusEvent | undefined {
  if (object.type !== 'Warning' || object.involvedObject?.kind !== 'Service') return undefined;
  const times = [
    object.lastTimestamp,
    object.eventTime,
    object.firstTimestamp,
    object.metadata?.creationTimestamp,
  ]
    .map(timeOf)
    .filter((time) => Number.isFinite(time));
  return {
    namespace: object.involvedObject.namespace ?? '',
    name: object.involvedObject.name ?? '',
    reason: object.reason ?? '',
    message: object.message ?? '',
    component: object.source?.component || object.reportingComponent || '',
    timeMs: times[0] ?? 0,
  };
}
