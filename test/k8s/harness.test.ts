// The test API server itself: real RBAC from deploy/, TokenRequest identities, restart survival.
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  VersionApi,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusCodeOf } from '../../src/k8s/index.js';
import { adminGetStatus } from './harness/cluster.js';
import { SYSTEM_NAMESPACE, startTestCluster, type TestCluster } from './harness/index.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

async function outcome(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (error) {
    return statusCodeOf(error) ?? -1;
  }
}

describe('test API server harness', () => {
  it('serves a current Kubernetes (>= 1.29: EndpointSlice v1, loadBalancerClass)', async () => {
    const version = await cluster.admin.makeApiClient(VersionApi).getCode();
    expect(Number(version.minor.replace(/\D.*$/, ''))).toBeGreaterThanOrEqual(29);
    console.log(`k8s suite runs against kube-apiserver ${version.gitVersion}`);
    const status = await adminGetStatus(
      cluster.server.url,
      cluster.server.adminToken,
      '/apis/discovery.k8s.io/v1',
    );
    expect(status).toBe(200);
  });

  it.each([
    {
      rule: 'D6: controller may list Services',
      identity: 'controller' as const,
      call: 'listServices',
      want: 200,
    },
    {
      rule: 'D6: controller may not delete Services',
      identity: 'controller' as const,
      call: 'deleteService',
      want: 403,
    },
    {
      rule: 'D7: controller may list IPAddressPools in metallb-system',
      identity: 'controller' as const,
      call: 'listPools',
      want: 200,
    },
    {
      rule: 'D7: controller may read its own Lease only',
      identity: 'controller' as const,
      call: 'readOtherLease',
      want: 403,
    },
    {
      rule: 'D9: speaker may not write Service status',
      identity: 'speaker' as const,
      call: 'replaceStatus',
      want: 403,
    },
    {
      rule: 'D9: speaker may list EndpointSlices',
      identity: 'speaker' as const,
      call: 'listSlices',
      want: 200,
    },
  ])('$rule', async ({ identity, call, want }) => {
    const config = cluster.configFor(identity);
    const core = config.makeApiClient(CoreV1Api);
    const custom = config.makeApiClient(CustomObjectsApi);
    const calls: Record<string, () => Promise<unknown>> = {
      listServices: () => core.listServiceForAllNamespaces(),
      deleteService: () => core.deleteNamespacedService({ name: 'kubernetes', namespace: 'default' }),
      listPools: () =>
        custom.listNamespacedCustomObject({
          group: 'metallb.io',
          version: 'v1beta1',
          namespace: SYSTEM_NAMESPACE,
          plural: 'ipaddresspools',
        }),
      readOtherLease: () =>
        config
          .makeApiClient(CoordinationV1Api)
          .readNamespacedLease({ name: 'someone-else', namespace: SYSTEM_NAMESPACE }),
      replaceStatus: () =>
        core.replaceNamespacedServiceStatus({ name: 'kubernetes', namespace: 'default', body: {} }),
      listSlices: () => config.makeApiClient(DiscoveryV1Api).listEndpointSliceForAllNamespaces(),
    };
    expect(await outcome(calls[call] as () => Promise<unknown>)).toBe(want);
  });

  it('harness: objects survive an API server restart (etcd keeps them)', async () => {
    const core = cluster.admin.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'survives-restart' } } });
    await cluster.restartApiServer();
    const namespace = await core.readNamespace({ name: 'survives-restart' });
    expect(namespace.metadata?.name).toBe('survives-restart');
  });
});
