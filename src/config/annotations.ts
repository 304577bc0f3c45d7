/**
 * Every Service and pool annotation key ferrolb reads or writes, each `metallb.io/*` key next to
 * its deprecated `metallb.universe.tf/*` twin (metallb-behaviour N1).
 */
export const Annotation = {
  addressPool: { current: 'metallb.io/address-pool', deprecated: 'metallb.universe.tf/address-pool' },
  loadBalancerIPs: {
    current: 'metallb.io/loadBalancerIPs',
    deprecated: 'metallb.universe.tf/loadBalancerIPs',
  },
  allowSharedIP: { current: 'metallb.io/allow-shared-ip', deprecated: 'metallb.universe.tf/allow-shared-ip' },
  shareAddressPool: {
    current: 'metallb.io/share-address-pool',
    deprecated: 'metallb.universe.tf/share-address-pool',
  },
} as const;

/** Written by the controller with the pool name; removed when the allocation is cleared (N1). */
export const ALLOCATED_FROM_POOL = 'metallb.io/ip-allocated-from-pool';

/** Prefix of the deprecated keys, for the `deprecatedAnnotation` warning (N4). */
export const DEPRECATED_PREFIX = 'metallb.universe.tf';

/** Node label that removes a node from L2 candidates unless `--ignore-exclude-lb` (E5). */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
/** Taint that marks a node out of service (metallb#3116): not a candidate (DESIGN election). */
export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

/** ServiceL2Status labels (R4). */
export const ServiceL2StatusLabel = {
  node: 'metallb.io/node',
  serviceName: 'metallb.io/service-name',
  serviceNamespace: 'metallb.io/service-namespace',
} as const;

/** ConfigurationState labels (R6). */
export const ConfigurationStateLabel = {
  componentType: 'metallb.io/component-type',
  nodeName: 'metallb.io/node-name',
} as const;

type AnnotationPair = (typeof Annotation)[keyof typeof Annotation];

/**
 * N1: the `metallb.io/` key wins when present, even with an empty value; otherwise the
 * `metallb.universe.tf/` key is read. Returns undefined when neither is set.
 */
export function readAnnotation(
  annotations: Readonly<Record<string, string>> | undefined,
  pair: AnnotationPair,
): string | undefined {
  if (!annotations) return undefined;
  if (Object.hasOwn(annotations, pair.current)) return annotations[pair.current];
  if (Object.hasOwn(annotations, pair.deprecated)) return annotations[pair.deprecated];
  return undefined;
}
