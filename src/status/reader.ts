// The thin I/O shell of `ferrolb status`: four list calls, converted to plain data at once.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  type ConfigurationStateObject,
  type EventObject,
  type ServiceL2StatusObject,
  type StatusSnapshot,
  toConfigurationRefusal,
  toStatusEvent,
  toStatusOwner,
  toStatusService,
} from './snapshot.js';

/** R4: where the speakers record which node announces each Service. */
const SERVICE_L2_STATUS = { group: 'metallb.io', version: 'v1beta1', plural: 'servicel2statuses' } as const;

const CONFIGURATION_STATE = {
  group: 'metallb.io',
  version: 'v1beta1',
  plural: 'configurationstates',
} as const;

/**
 * What `status` reads: every Service, the ServiceL2Statuses in `namespace`, Warning Events on
 * Services, and the ConfigurationStates (R6) — optional: a cluster without that CRD, or an
 * identity that may not list them, still gets the table.
 */
export async function readStatusSnapshot(config: KubeConfig, namespace: string): Promise<StatusSnapshot> {
  const core = config.makeApiClient(CoreV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const [services, statuses, events, states] = await Promise.all([
    core.listServiceForAllNamespaces(),
    custom.listNamespacedCustomObject({ ...SERVICE_L2_STATUS, namespace }) as Promise<{
      items?: ServiceL2StatusObject[];
    }>,
    core.listEventForAllNamespaces({ fieldSelector: 'type=Warning,involvedObject.kind=Service' }),
    (
      custom.listNamespacedCustomObject({ ...CONFIGURATION_STATE, namespace }) as Promise<{
        items?: ConfigurationStateObject[];
      }>
    ).catch(() => ({ items: [] })),
  ]);
  return {
    services: services.items.flatMap((service) => toStatusService(service) ?? []),
    owners: (statuses.items ?? []).flatMap((status) => toStatusOwner(status) ?? []),
    events: events.items.flatMap((event) => toStatusEvent(event as EventObject) ?? []),
    refusals: (states.items ?? []).flatMap((state) => toConfigurationRefusal(state) ?? []),
  };
}
