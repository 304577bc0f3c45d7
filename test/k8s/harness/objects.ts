import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { SYSTEM_NAMESPACE } from './bootstrap.js';

/** An IPAddressPool manifest in metallb-system. */
export function poolManifest(name: string, addresses: readonly string[], spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name, namespace: SYSTEM_NAMESPACE },
    spec: { addresses: [...addresses], ...spec },
  };
}

/** A LoadBalancer Service manifest on TCP/80. */
export function serviceManifest(
  namespace: string,
  name: string,
  extra: { annotations?: Record<string, string>; spec?: Record<string, unknown> } = {},
): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, annotations: extra.annotations },
    spec: {
      type: 'LoadBalancer',
      ports: [{ port: 80, protocol: 'TCP' }],
      selector: { app: name },
      ...extra.spec,
    },
  };
}

/**
 * The EndpointSlice a controller-manager would keep for a Service (none runs in the harness):
 * one endpoint per node with its address and readiness.
 */
export function endpointSliceManifest(slice: {
  readonly name: string;
  readonly namespace?: string;
  readonly service: string;
  readonly family?: 'IPv4' | 'IPv6';
  readonly endpoints: readonly { readonly node: string; readonly address: string; readonly ready: boolean }[];
  readonly ports?: readonly { readonly name?: string; readonly port: number; readonly protocol: string }[];
}) {
  return {
    metadata: {
      name: slice.name,
      ...(slice.namespace ? { namespace: slice.namespace } : {}),
      labels: { 'kubernetes.io/service-name': slice.service },
    },
    addressType: slice.family ?? 'IPv4',
    endpoints: slice.endpoints.map((endpoint) => ({
      addresses: [endpoint.address],
      nodeName: endpoint.node,
      conditions: { ready: endpoint.ready, serving: endpoint.ready },
    })),
    ports: (slice.ports ?? [{ port: 80, protocol: 'TCP' }]).map((port) => ({ ...port })),
  };
}

/** A ServiceL2Status (R4) as `kubectl get servicel2statuses -o yaml` shows it. */
export interface L2Status {
  readonly metadata: {
    readonly name: string;
    readonly labels?: Record<string, string>;
    readonly ownerReferences?: readonly { readonly kind: string; readonly name: string }[];
  };
  readonly status?: {
    readonly node?: string;
    readonly serviceName?: string;
    readonly serviceNamespace?: string;
    readonly interfaces?: readonly unknown[];
  };
}

/** A ConfigurationState (R6) as `kubectl get configurationstates -o yaml` shows it. */
export interface ConfigurationState {
  readonly metadata?: { readonly labels?: Record<string, string> };
  readonly status?: {
    readonly result?: string;
    readonly errorSummary?: string;
    readonly conditions?: readonly Record<string, unknown>[];
  };
}

/** Admin-side helpers the tests use to act as the user (kubectl). */
export function userClients(admin: KubeConfig) {
  const core = admin.makeApiClient(CoreV1Api);
  const custom = admin.makeApiClient(CustomObjectsApi);
  const pools = {
    group: 'metallb.io',
    version: 'v1beta1',
    namespace: SYSTEM_NAMESPACE,
    plural: 'ipaddresspools',
  };
  return {
    core,
    custom,
    createNamespace: (name: string) => core.createNamespace({ body: { metadata: { name } } }),
    createPool: (body: ReturnType<typeof poolManifest>) =>
      custom.createNamespacedCustomObject({ ...pools, body }),
    deletePool: (name: string) => custom.deleteNamespacedCustomObject({ ...pools, name }),
    readPool: (name: string) => custom.getNamespacedCustomObject({ ...pools, name }),
    createService: (service: V1Service) =>
      core.createNamespacedService({ namespace: service.metadata?.namespace ?? 'default', body: service }),
    readService: (namespace: string, name: string) => core.readNamespacedService({ namespace, name }),
    listServices: (namespace: string) => core.listNamespacedService({ namespace }),
    /** The ServiceL2Statuses of Service `namespace/name`. */
    l2StatusesFor: async (namespace: string, name: string): Promise<L2Status[]> => {
      const list = (await custom.listNamespacedCustomObject({ ...pools, plural: 'servicel2statuses' })) as {
        items: L2Status[];
      };
      return list.items.filter(
        (item) => item.status?.serviceName === name && item.status.serviceNamespace === namespace,
      );
    },
    /** The named ConfigurationState, or an empty object while it does not exist. */
    readConfigurationState: (name: string): Promise<ConfigurationState> =>
      custom
        .getNamespacedCustomObject({ ...pools, plural: 'configurationstates', name })
        .catch(() => ({})) as Promise<ConfigurationState>,
    serviceEvents: async (namespace: string, name: string) =>
      (await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })).items,
  };
}

/** The ingress IPs of a Service. */
export function ingressOf(service: V1Service): string[] {
  return (service.status?.loadBalancer?.ingress ?? []).flatMap((entry) => (entry.ip ? [entry.ip] : []));
}
