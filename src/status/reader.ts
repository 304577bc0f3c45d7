// The thin I/O shell of `ferrolb status`: three list calls, converted to plain data at once.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  type EventObject,
  type ServiceL2StatusObject,
  type StatusSnapshot,
  toStatusEvent,
  toStatusOwner,
  toStatusService,
} from './snapshot.js';

/** R4: where the speakers record which node announces each Service. */
const SERVICE_L2_STATUS = { group: 'metallb.io', version: 'v1beta1', plural: 'servicel2statuses' } as const;

/** What `status` reads: every Service, the ServiceL2Statuses in `namespace`, Warning Events on Services. */
export async function readStatusSnapshot(config: KubeConfig, namespace: string): Promise<StatusSnapshot> {
  const core = config.makeApiClient(CoreV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const [services, statuses, events] = await Promise.all([
    core.listServiceForAllNamespaces(),
    custom.listNamespacedCustomObject({ ...SERVICE_L2_STATUS, namespace }) as Promise<{
      items?: ServiceL2StatusObject[];
    }>,
    core.listEventForAllNamespaces({ fieldSelector: 'type=Warning,involvedObject.kind=Service' }),
  ]);
  return {
    services: services.items.flatMap((service) => toStatusService(service) ?? []),
    owners: (statuses.items ?? []).flatMap((status) => toStatusOwner(status) ?? []),
    events: events.items.flatMap((event) => toStatusEvent(event as EventObject) ?? []),
  };
}
