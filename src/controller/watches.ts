import type { KubernetesObject, V1Namespace, V1Service } from '@kubernetes/client-node';
import type { KubeClient } from '../k8s/api/index.js';
import { type WatchedCollection, watchResource } from '../k8s/index.js';
import type { Logger } from '../log.js';
import { counter } from '../metrics/registry.js';
import { isRelevantNamespaceChange, isRelevantPoolChange, isRelevantServiceChange } from './relevance.js';

/** The controller's three informers (C2: pools and namespaces feed the config). */
export interface Watches {
  readonly services: WatchedCollection<V1Service>;
  readonly pools: WatchedCollection<KubernetesObject>;
  readonly namespaces: WatchedCollection<V1Namespace>;
}

/** Starts the informers; `onChange` gets the collection and the object key of every relevant change. */
export function startWatches(
  config: KubeClient,
  onChange: (kind: keyof Watches, key: string) => void,
  logger: Logger,
): Watches {
  const common = { client: config, logger, onError: () => counter('k8sClientUpdateErrorsTotal').inc() };
  return {
    services: watchResource<V1Service>({
      ...common,
      path: '/api/v1/services',
      isRelevantChange: isRelevantServiceChange,
      onChange: (change) => onChange('services', change.key),
    }),
    pools: watchResource<KubernetesObject>({
      ...common,
      // Pools of every namespace: one outside `namespace` is not used, but is reported (ConfigurationState).
      path: '/apis/metallb.io/v1beta1/ipaddresspools',
      isRelevantChange: isRelevantPoolChange,
      onChange: (change) => onChange('pools', change.key),
    }),
    namespaces: watchResource<V1Namespace>({
      ...common,
      path: '/api/v1/namespaces',
      isRelevantChange: isRelevantNamespaceChange,
      onChange: (change) => onChange('namespaces', change.key),
    }),
  };
}

/** Stops every informer. */
export async function stopWatches(watches: Watches): Promise<void> {
  await Promise.all([watches.services.stop(), watches.pools.stop(), watches.namespaces.stop()]);
}
