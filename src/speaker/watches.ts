// The speaker's informer caches (I/O shell): Services, EndpointSlices, Nodes, Namespaces (cluster
// wide) and IPAddressPools, L2Advertisements, ServiceL2Statuses (MetalLB namespace). Each cache
// reports only changes that can alter a decision (toolchain §4: informers report every status write).
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from '../k8s/api/index.js';
import { type WatchedCollection, watchResource } from '../k8s/index.js';
import type { Logger } from '../log.js';
import { counter } from '../metrics/registry.js';
import { endpointsByService, readNode, readService } from './objects.js';
import { slimEndpointSlice, slimL2Status, slimNode, slimService } from './slim.js';

/** Every cache the speaker reads. */
export interface SpeakerWatches {
  readonly services: WatchedCollection<KubernetesObject>;
  readonly endpointSlices: WatchedCollection<KubernetesObject>;
  readonly nodes: WatchedCollection<KubernetesObject>;
  readonly namespaces: WatchedCollection<KubernetesObject>;
  readonly pools: WatchedCollection<KubernetesObject>;
  readonly advertisements: WatchedCollection<KubernetesObject>;
  readonly l2Statuses: WatchedCollection<KubernetesObject>;
}

type Reader = (object: KubernetesObject) => unknown;

/** A change matters when the part the speaker reads differs. */
function differsBy(read: Reader): (previous: KubernetesObject, current: KubernetesObject) => boolean {
  return (previous, current) => JSON.stringify(read(previous)) !== JSON.stringify(read(current));
}

/** Config objects: spec, labels and annotations matter; status (pool counts the controller writes) does not. */
const configPart: Reader = (object) => {
  const fields = object as KubernetesObject & { spec?: unknown };
  return [fields.spec, object.metadata?.labels, object.metadata?.annotations];
};

/** What the speaker cuts from each kind before caching it. */
const SLIMMED: Readonly<Record<string, (object: KubernetesObject) => void>> = {
  nodes: slimNode,
  services: slimService,
  endpointslices: slimEndpointSlice,
  servicel2statuses: slimL2Status,
};

/** ServiceL2Status objects are only read back; add and delete still reach the speaker. */
const never = () => false;

/** Starts every watch; `onChange(kind)` is called for each relevant change. */
export function startSpeakerWatches(
  config: KubeClient,
  context: { readonly namespace: string; readonly logger: Logger; readonly onChange: (kind: string) => void },
): SpeakerWatches {
  const { namespace, logger } = context;
  const watch: Watch = (kind, path, read) =>
    watchResource<KubernetesObject>({
      client: config,
      path,
      ...(SLIMMED[kind] ? { slim: SLIMMED[kind] } : {}),
      isRelevantChange: read === never ? never : differsBy(read),
      onChange: () => {
        counter('k8sClientUpdatesTotal').inc();
        context.onChange(kind);
      },
      onError: () => counter('k8sClientUpdateErrorsTotal').inc(),
      logger: logger.child({ watch: kind }),
    });
  return {
    services: watch('services', '/api/v1/services', readService),
    endpointSlices: watch('endpointslices', '/apis/discovery.k8s.io/v1/endpointslices', (object) => [
      ...endpointsByService([object]),
    ]),
    nodes: watch('nodes', '/api/v1/nodes', readNode),
    namespaces: watch('namespaces', '/api/v1/namespaces', (object) => object.metadata?.labels),
    ...metallbWatches(watch, namespace),
  };
}

type Watch = (kind: string, path: string, read: Reader) => WatchedCollection<KubernetesObject>;

/** The MetalLB CRs in the speaker's namespace (C2). */
function metallbWatches(watch: Watch, namespace: string) {
  const metallb = (plural: string, read: Reader) =>
    watch(plural, `/apis/metallb.io/v1beta1/namespaces/${namespace}/${plural}`, read);
  return {
    pools: metallb('ipaddresspools', configPart),
    advertisements: metallb('l2advertisements', configPart),
    l2Statuses: metallb('servicel2statuses', never),
  };
}

/** Resolves once every cache holds its first full list. */
export async function watchesSynced(watches: SpeakerWatches): Promise<void> {
  await Promise.all(
    Object.values(watches).map((collection: WatchedCollection<unknown>) => collection.synced),
  );
}

/** Stops every watch. */
export async function stopWatches(watches: SpeakerWatches): Promise<void> {
  await Promise.all(
    Object.values(watches).map((collection: WatchedCollection<unknown>) => collection.stop()),
  );
}
