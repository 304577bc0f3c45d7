// The world the gauntlet has applied to the API server: what it believes Nodes, pools,
// L2Advertisements, Services and endpoints look like. Operations change it and then the API; the
// invariant checkers compare what ferrolb did against it. Pure data and manifest builders.

import { Annotation, EXCLUDE_LB_LABEL, OUT_OF_SERVICE_TAINT } from '../../src/config/annotations.js';
import { SYSTEM_NAMESPACE } from '../k8s/harness/index.js';
import { endpointSliceManifest } from '../k8s/harness/objects.js';

/** Label the L2Advertisement node selectors use. */
export const ZONE_LABEL = 'gauntlet.ferrolb.test/zone';
export const ZONES = ['east', 'west'] as const;
/** Namespaces the Services live in; `pinned` pool is for the first one only. */
export const APP_NAMESPACES = ['gauntlet-a', 'gauntlet-b'] as const;
/** The three lab nodes (test/helpers/lab.ts names them). */
export const NODE_NAMES = ['node-a', 'node-b', 'node-c'] as const;

export interface NodeModel {
  readonly name: string;
  readonly ipv4: string;
  readonly ipv6: string;
  zone: (typeof ZONES)[number];
  excluded: boolean;
  networkUnavailable: boolean;
  outOfService: boolean;
}

export interface PoolModel {
  readonly name: string;
  addresses: string[];
  /** serviceAllocation.namespaces, when the pool is pinned. */
  readonly namespaces?: readonly string[];
}

export interface AdvertisementModel {
  readonly name: string;
  readonly pools: readonly string[];
  zone?: (typeof ZONES)[number];
  interfaces: string[];
}

export interface PortModel {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

/**
 * The families a Service asks for (spec.ipFamilyPolicy and spec.ipFamilies, fixed at creation):
 * SingleStack IPv4 or IPv6, or PreferDualStack / RequireDualStack with ipFamilies [IPv4, IPv6].
 */
export type ServiceFamily = 'IPv4' | 'IPv6' | 'PreferDualStack' | 'RequireDualStack';

export interface ServiceModel {
  readonly namespace: string;
  readonly name: string;
  readonly family: ServiceFamily;
  ports: PortModel[];
  sharingKey?: string;
  requestedIp?: string;
  pool?: string;
  local: boolean;
  loadBalancer: boolean;
  /** Nodes with a ready endpoint of this Service. */
  readyNodes: string[];
  /** Left alone by the churn, so speaker faults always find an announced IP to fail over. */
  readonly anchor?: boolean;
}

/**
 * Two Services the churn never touches, announced from the pinned pool by every eligible node: one
 * IPv4, one dual-stack, so speaker faults always have an IPv4 and an IPv6 address to fail over.
 */
export function anchorServices(nodes: readonly { name: string }[]): ServiceModel[] {
  const anchors = [
    ['anchor-1', 'IPv4'],
    ['anchor-2', 'RequireDualStack'],
  ] as const;
  return anchors.map(([name, family]) => ({
    namespace: APP_NAMESPACES[0],
    name,
    family,
    ports: [{ port: 80, protocol: 'TCP' }],
    pool: PINNED_POOL,
    local: false,
    loadBalancer: true,
    readyNodes: nodes.map((node) => node.name),
    anchor: true,
  }));
}

/**
 * Every pool's address variants: the pool resize operations move between them (no overlaps).
 * IPv6 ranges sit in the lab link's 2001:db8:1::/64, far from the lab hosts (::11.., ::100, ::fa),
 * so no VIP shares a solicited-node group with a host address.
 */
export const POOL_VARIANTS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'pool-a': [['203.0.113.0/28'], ['203.0.113.0/27'], ['203.0.113.0/26']],
  'pool-b': [['203.0.113.64/29'], ['203.0.113.64/28'], ['203.0.113.64/28', '203.0.113.96-203.0.113.99']],
  'pool-c': [['203.0.113.128/29'], ['203.0.113.128/28']],
  'pool-v6': [
    ['2001:db8:1::6:0/125'],
    ['2001:db8:1::6:0/124'],
    ['2001:db8:1::6:0/124', '2001:db8:1::6:20-2001:db8:1::6:23'],
  ],
  'pool-dual': [
    ['203.0.113.160/29', '2001:db8:1::d:0/125'],
    ['203.0.113.160/28', '2001:db8:1::d:0/124'],
  ],
};
/** Pools the churn resizes (pool-c also comes and goes). */
export const CHURNED_POOLS = ['pool-a', 'pool-b', 'pool-c', 'pool-v6', 'pool-dual'] as const;
export const PINNED_POOL = 'pinned';

/** The whole applied world. */
export interface World {
  readonly nodes: NodeModel[];
  readonly pools: Map<string, PoolModel>;
  readonly advertisements: Map<string, AdvertisementModel>;
  readonly services: Map<string, ServiceModel>;
}

/** `namespace/name`. */
export function serviceKey(service: { namespace: string; name: string }): string {
  return `${service.namespace}/${service.name}`;
}

/** The starting world: three east/west nodes, pools a, b, v6 and dual, one ad per pool, no Services. */
export function initialWorld(nodes: readonly { name: string; ipv4: string; ipv6: string }[]): World {
  const world: World = {
    nodes: nodes.map((node, index) => ({
      name: node.name,
      ipv4: node.ipv4,
      ipv6: node.ipv6,
      zone: index === 0 ? 'west' : 'east',
      excluded: false,
      networkUnavailable: false,
      outOfService: false,
    })),
    pools: new Map(),
    advertisements: new Map(),
    services: new Map(),
  };
  for (const name of ['pool-a', 'pool-b', 'pool-v6', 'pool-dual']) {
    world.pools.set(name, { name, addresses: [...(POOL_VARIANTS[name]?.[1] ?? [])] });
  }
  world.pools.set(PINNED_POOL, {
    name: PINNED_POOL,
    addresses: ['203.0.113.192/29', '2001:db8:1::c:0/125'],
    namespaces: [APP_NAMESPACES[0]],
  });
  for (const pool of [...CHURNED_POOLS, PINNED_POOL]) {
    world.advertisements.set(`ad-${pool}`, { name: `ad-${pool}`, pools: [pool], interfaces: [] });
  }
  return world;
}

const objectMeta = (name: string) => ({ name, namespace: SYSTEM_NAMESPACE });

/** The IPAddressPool object for `pool`. */
export function poolObject(pool: PoolModel) {
  const serviceAllocation = pool.namespaces
    ? { serviceAllocation: { namespaces: [...pool.namespaces] } }
    : {};
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: objectMeta(pool.name),
    spec: { addresses: [...pool.addresses], ...serviceAllocation },
  };
}

/** The L2Advertisement object for `advertisement`. */
export function advertisementObject(advertisement: AdvertisementModel) {
  const spec: Record<string, unknown> = { ipAddressPools: [...advertisement.pools] };
  if (advertisement.zone) spec.nodeSelectors = [{ matchLabels: { [ZONE_LABEL]: advertisement.zone } }];
  if (advertisement.interfaces.length > 0) spec.interfaces = [...advertisement.interfaces];
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: objectMeta(advertisement.name),
    spec,
  };
}

/** Annotations of a Service, with null for every key the model does not set (merge patch). */
export function serviceAnnotations(service: ServiceModel): Record<string, string | null> {
  return {
    [Annotation.allowSharedIP.current]: service.sharingKey ?? null,
    [Annotation.loadBalancerIPs.current]: service.requestedIp ?? null,
    [Annotation.addressPool.current]: service.pool ?? null,
  };
}

/** The Service spec fields the gauntlet controls, for create and merge patch alike. */
export function serviceSpec(service: ServiceModel): Record<string, unknown> {
  const ports = service.ports.map((port) => ({
    name: `${port.protocol.toLowerCase()}-${port.port}`,
    port: port.port,
    protocol: port.protocol,
  }));
  if (!service.loadBalancer) return { type: 'ClusterIP', ports, externalTrafficPolicy: null };
  return { type: 'LoadBalancer', ports, externalTrafficPolicy: service.local ? 'Local' : 'Cluster' };
}

/** spec.ipFamilyPolicy and spec.ipFamilies for `service`, set at creation. */
export function serviceFamilySpec(service: ServiceModel) {
  if (service.family === 'IPv4' || service.family === 'IPv6')
    return { ipFamilyPolicy: 'SingleStack', ipFamilies: [service.family] };
  return { ipFamilyPolicy: service.family, ipFamilies: ['IPv4', 'IPv6'] };
}

/** The address families of the EndpointSlices a Service of `family` has (one slice per family). */
export function sliceFamilies(family: ServiceFamily): ('IPv4' | 'IPv6')[] {
  return family === 'IPv4' || family === 'IPv6' ? [family] : ['IPv4', 'IPv6'];
}

/** Name of the EndpointSlice the harness keeps for `service` in `family`. */
export function endpointSliceName(service: { name: string }, family: 'IPv4' | 'IPv6'): string {
  return family === 'IPv4' ? `${service.name}-gauntlet` : `${service.name}-gauntlet-v6`;
}

/** The EndpointSlice of `family` the harness keeps for `service` (no controller-manager runs). */
export function endpointSliceObject(
  service: ServiceModel,
  nodes: readonly NodeModel[],
  family: 'IPv4' | 'IPv6' = 'IPv4',
) {
  return endpointSliceManifest({
    name: endpointSliceName(service, family),
    namespace: service.namespace,
    service: service.name,
    family,
    endpoints: nodes.map((node) => ({
      node: node.name,
      address: family === 'IPv4' ? node.ipv4 : node.ipv6,
      ready: service.readyNodes.includes(node.name),
    })),
    ports: service.ports.map((port) => ({
      name: `${port.protocol.toLowerCase()}-${port.port}`,
      port: port.port,
      protocol: port.protocol,
    })),
  });
}

/** Node labels with null for a label to remove (merge patch). */
export function nodeLabels(node: NodeModel): Record<string, string | null> {
  return {
    'kubernetes.io/hostname': node.name,
    [ZONE_LABEL]: node.zone,
    [EXCLUDE_LB_LABEL]: node.excluded ? '' : null,
  };
}

/** Node taints for the spec. */
export function nodeTaints(node: NodeModel) {
  return node.outOfService ? [{ key: OUT_OF_SERVICE_TAINT, value: 'nodeshutdown', effect: 'NoExecute' }] : [];
}

/** Node conditions for the status. */
export function nodeConditions(node: NodeModel) {
  const now = new Date().toISOString();
  return [
    {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'gauntlet',
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    },
    {
      type: 'NetworkUnavailable',
      status: node.networkUnavailable ? 'True' : 'False',
      reason: 'Gauntlet',
      message: 'set by the gauntlet',
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    },
  ];
}
