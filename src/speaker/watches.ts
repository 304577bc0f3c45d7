// The speaker's informer caches (I/O shell): Services, EndpointSlices, Nodes, Namespaces (cluster
// wide) and IPAddressPools, L2Advertisements, ServiceL2Statuses (MetalLB namespace). Each cache
// reports only changes that can alter a decision (toolchain §4: informers report every status write).
import type { KubernetesObject } from '@kubernetes/client-node';
import { ServiceL2StatusLabel } from '../config/annotations.js';
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
  context: {
    readonly namespace: string;
    readonly nodeName: string;
    readonly logger: Logger;
    readonly onChange: (kind: string) => void;
  },
): SpeakerWatches {
  const { logger } = context;
  const watch: Watch = (kind, path, read, labelSelector) =>
    watchResource<KubernetesObject>({
      client: config,
      path,
      labelSelector,
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
    ...metallbWatches(watch, context),
  };
}

type Watch = (
  kind: string,
  path: string,
  read: Reader,
  labelSelector?: string,
) => WatchedCollection<KubernetesObject>;

/**
 * The MetalLB CRs in the speaker's namespace (C2). Of the ServiceL2Statuses only this node's: the
 * others are other speakers' to write, and at 10,000 Services they were two thirds of the cache and
 * of its watch events on each of 3 speakers (issue 14).
 */
function metallbWatches(watch: Watch, context: { readonly namespace: string; readonly nodeName: string }) {
  const metallb = (plural: string, read: Reader, labelSelector?: string) =>
    watch(plural, `/apis/metallb.io/v1beta1/namespaces/${context.namespace}/${plural}`, read, labelSelector);
  return {
    pools: metallb('ipaddresspools', configPart),
    advertisements: metallb('l2advertisements', configPart),
    l2Statuses: metallb('servicel2statuses', never, ownStatusSelector(context.nodeName)),
  };
}

/** A label value: at most 63 characters, alphanumeric at both ends (Kubernetes' IsValidLabelValue). */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * This node's ServiceL2Statuses; a node name that cannot be a label value (longer than 63
 * characters) would make the API server refuse the selector and the cache never sync, so then every
 * status is watched and the loop's own filter picks this node's.
 */
export function ownStatusSelector(nodeName: string): string | undefined {
  return LABEL_VALUE.test(nodeName) ? `${ServiceL2StatusLabel.node}=${nodeName}` : undefined;
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
