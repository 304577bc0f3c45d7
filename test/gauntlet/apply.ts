// Writes the gauntlet's model to the API server as a user (and a controller-manager) would:
// Nodes with labels, taints and conditions; pools; L2Advertisements; Services; EndpointSlices.
import { ApiException, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import { SYSTEM_NAMESPACE } from '../k8s/harness/index.js';
import type { userClients } from '../k8s/harness/objects.js';
import { mergePatch } from './environment.js';
import {
  type AdvertisementModel,
  advertisementObject,
  endpointSliceName,
  endpointSliceObject,
  type NodeModel,
  nodeConditions,
  nodeLabels,
  nodeTaints,
  type PoolModel,
  poolObject,
  type ServiceModel,
  serviceAnnotations,
  serviceFamilySpec,
  serviceSpec,
  sliceFamilies,
  type World,
} from './model.js';

type UserClients = ReturnType<typeof userClients>;
const metallb = { group: 'metallb.io', version: 'v1beta1', namespace: SYSTEM_NAMESPACE };

/** The API calls the operations make. */
export class Applier {
  private readonly discovery: DiscoveryV1Api;

  constructor(
    private readonly user: UserClients,
    admin: KubeConfig,
  ) {
    this.discovery = admin.makeApiClient(DiscoveryV1Api);
  }

  async createNode(node: NodeModel): Promise<void> {
    await this.user.core.createNode({ body: { metadata: { name: node.name, labels: {} } } });
    await this.applyNode(node);
  }

  async applyNode(node: NodeModel): Promise<void> {
    await this.user.core.patchNode(
      {
        name: node.name,
        body: { metadata: { labels: nodeLabels(node) }, spec: { taints: nodeTaints(node) } },
      },
      mergePatch,
    );
    await this.user.core.patchNodeStatus(
      { name: node.name, body: { status: { conditions: nodeConditions(node) } } },
      mergePatch,
    );
  }

  async applyPool(pool: PoolModel, create: boolean): Promise<void> {
    const body = poolObject(pool);
    if (create)
      await this.user.custom.createNamespacedCustomObject({ ...metallb, plural: 'ipaddresspools', body });
    else {
      await this.user.custom.patchNamespacedCustomObject(
        { ...metallb, plural: 'ipaddresspools', name: pool.name, body: { spec: body.spec } },
        mergePatch,
      );
    }
  }

  async deleteObject(plural: 'ipaddresspools' | 'l2advertisements', name: string): Promise<void> {
    await this.user.custom.deleteNamespacedCustomObject({ ...metallb, plural, name });
  }

  async applyAdvertisement(advertisement: AdvertisementModel, create: boolean): Promise<void> {
    const body = advertisementObject(advertisement);
    if (create) {
      await this.user.custom.createNamespacedCustomObject({ ...metallb, plural: 'l2advertisements', body });
      return;
    }
    const live = (await this.user.custom.getNamespacedCustomObject({
      ...metallb,
      plural: 'l2advertisements',
      name: advertisement.name,
    })) as { metadata: { resourceVersion: string } };
    await this.user.custom.replaceNamespacedCustomObject({
      ...metallb,
      plural: 'l2advertisements',
      name: advertisement.name,
      body: { ...body, metadata: { ...body.metadata, resourceVersion: live.metadata.resourceVersion } },
    });
  }

  async createService(service: ServiceModel, world: World): Promise<void> {
    const annotations = Object.fromEntries(
      Object.entries(serviceAnnotations(service)).filter(
        (entry): entry is [string, string] => entry[1] !== null,
      ),
    );
    const spec = Object.fromEntries(
      Object.entries(serviceSpec(service)).filter(([, value]) => value !== null),
    );
    await this.user.core.createNamespacedService({
      namespace: service.namespace,
      body: {
        metadata: { name: service.name, namespace: service.namespace, annotations },
        spec: { ...spec, ...serviceFamilySpec(service), selector: { app: service.name } },
      },
    });
    for (const family of sliceFamilies(service.family)) {
      await this.discovery.createNamespacedEndpointSlice({
        namespace: service.namespace,
        body: endpointSliceObject(service, world.nodes, family),
      });
    }
  }

  async patchService(service: ServiceModel): Promise<void> {
    await this.user.core.patchNamespacedService(
      {
        namespace: service.namespace,
        name: service.name,
        body: { metadata: { annotations: serviceAnnotations(service) }, spec: serviceSpec(service) },
      },
      mergePatch,
    );
  }

  async applyEndpoints(service: ServiceModel, world: World): Promise<void> {
    for (const family of sliceFamilies(service.family)) {
      const body = endpointSliceObject(service, world.nodes, family);
      await this.discovery.replaceNamespacedEndpointSlice({
        namespace: service.namespace,
        name: body.metadata.name,
        body,
      });
    }
  }

  async deleteService(service: ServiceModel): Promise<void> {
    await this.user.core.deleteNamespacedService({ namespace: service.namespace, name: service.name });
    for (const family of sliceFamilies(service.family)) {
      try {
        await this.discovery.deleteNamespacedEndpointSlice({
          namespace: service.namespace,
          name: endpointSliceName(service, family),
        });
      } catch (error) {
        if (!(error instanceof ApiException) || error.code !== 404) throw error;
      }
    }
  }
}
