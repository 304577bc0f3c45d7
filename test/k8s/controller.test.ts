// `ferrolb controller` as a real child process against the real API server, with the controller
// ServiceAccount token (deploy/ RBAC): allocation, pool changes, config refusal, lb-class, metrics.
import { CoordinationV1Api, type V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOCATED_FROM_POOL } from '../../src/config/annotations.js';
import { type ControllerProcess, startControllerProcess } from './harness/controller-process.js';
import { SYSTEM_NAMESPACE, startTestCluster, type TestCluster } from './harness/index.js';
import {
  type ConfigurationState,
  ingressOf,
  poolManifest,
  serviceManifest,
  userClients,
} from './harness/objects.js';
import { eventually } from './harness/waiting.js';

let cluster: TestCluster;
let user: ReturnType<typeof userClients>;
let controller: ControllerProcess;

beforeAll(async () => {
  cluster = await startTestCluster();
  user = userClients(cluster.admin);
  await user.createNamespace('apps');
  await user.createPool(poolManifest('alpha', ['203.0.113.0/28']));
  controller = await startControllerProcess({
    runDirectory: cluster.server.runDirectory,
    kubeconfigPath: cluster.kubeconfigPath('controller'),
    name: 'controller-a',
  });
});

afterAll(async () => {
  await controller?.stop();
  await cluster?.stop();
});

async function ingressEventually(name: string, accept: (ips: string[]) => boolean = (ips) => ips.length > 0) {
  return eventually(
    `ingress of apps/${name}`,
    async () => {
      const service = await user.readService('apps', name);
      return accept(ingressOf(service)) ? service : undefined;
    },
    { context: () => controller.log() },
  );
}

/** The controller's ConfigurationState (R6), once `accept` holds. */
function configurationStateEventually(accept: (state: ConfigurationState) => boolean) {
  return eventually(
    'ConfigurationState controller',
    async () => {
      const state = await user.readConfigurationState('controller');
      return accept(state) ? state : undefined;
    },
    { context: () => controller.log() },
  );
}

function metricValue(body: string, name: string, labels = ''): number | undefined {
  const line = body
    .split('\n')
    .find((text) => text.startsWith(`${name}${labels} `) || text.startsWith(`${name}${labels}{`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('ferrolb controller', () => {
  it('A9/A11/EV1: a new LoadBalancer Service gets an IP in status, the pool annotation and an IPAllocated Event', async () => {
    await user.createService(serviceManifest('apps', 'web'));
    const service = await ingressEventually('web');
    expect(ingressOf(service)).toEqual(['203.0.113.0']);
    expect(service.metadata?.annotations?.[ALLOCATED_FROM_POOL]).toBe('alpha');
    const events = await eventually('IPAllocated event', async () => {
      const found = (await user.serviceEvents('apps', 'web')).filter(
        (event) => event.reason === 'IPAllocated',
      );
      return found.length > 0 ? found : undefined;
    });
    expect(events[0]?.message).toBe('Assigned IP ["203.0.113.0"]');
    expect(events[0]?.source?.component).toBe('metallb-controller');
  });

  it('A13: a requested IP (metallb.io/loadBalancerIPs) is honoured', async () => {
    await user.createService(
      serviceManifest('apps', 'pinned', { annotations: { 'metallb.io/loadBalancerIPs': '203.0.113.9' } }),
    );
    expect(ingressOf(await ingressEventually('pinned'))).toEqual(['203.0.113.9']);
  });

  it('C11: a Service of another loadBalancerClass is left alone', async () => {
    await user.createService(
      serviceManifest('apps', 'other-class', { spec: { loadBalancerClass: 'example.com/other' } }),
    );
    await user.createService(serviceManifest('apps', 'after-other-class'));
    await ingressEventually('after-other-class');
    expect(ingressOf(await user.readService('apps', 'other-class'))).toEqual([]);
  });

  it('ML3: the controller creates the memberlist Secret', async () => {
    const secret = await eventually('memberlist secret', () =>
      user.core.readNamespacedSecret({ name: 'memberlist', namespace: SYSTEM_NAMESPACE }),
    );
    expect(Buffer.from(secret.data?.secretkey ?? '', 'base64').toString()).toHaveLength(22);
  });

  it('R2/M3: pool status and allocator gauges count the IPs in use', async () => {
    await ingressEventually('web');
    const pool = await eventually('pool status', async () => {
      const read = (await user.readPool('alpha')) as {
        status?: { assignedIPv4?: number; availableIPv4?: number };
      };
      return read.status?.assignedIPv4 === 3 ? read : undefined;
    });
    // web, pinned and after-other-class hold one IPv4 each out of the /28's 16.
    expect(pool.status).toMatchObject({ assignedIPv4: 3, availableIPv4: 13, assignedIPv6: 0 });
    const metrics = await controller.get('/metrics');
    expect(metricValue(metrics.body, 'metallb_allocator_addresses_in_use_total', '{pool="alpha"}')).toBe(3);
    expect(metricValue(metrics.body, 'metallb_allocator_addresses_total', '{pool="alpha"}')).toBe(16);
    expect(metricValue(metrics.body, 'metallb_k8s_client_config_loaded_bool')).toBe(1);
    expect((await controller.get('/readyz')).status).toBe(200);
  });

  it('A7a/EV3: deleting the pool a Service uses moves it to another pool with a ClearAssignment Event', async () => {
    await user.createPool(poolManifest('beta', ['203.0.113.64/28']));
    await user.createService(
      serviceManifest('apps', 'mover', { annotations: { 'metallb.io/address-pool': 'beta' } }),
    );
    expect(ingressOf(await ingressEventually('mover'))).toEqual(['203.0.113.64']);
    await user.core.patchNamespacedService({
      name: 'mover',
      namespace: 'apps',
      body: [{ op: 'remove', path: '/metadata/annotations/metallb.io~1address-pool' }],
    });
    await user.deletePool('beta');
    const moved = await ingressEventually('mover', (ips) => ips.length === 1 && ips[0] !== '203.0.113.64');
    expect(moved.metadata?.annotations?.[ALLOCATED_FROM_POOL]).toBe('alpha');
    const reasons = (await user.serviceEvents('apps', 'mover')).map((event) => event.reason);
    expect(reasons).toContain('ClearAssignment');
  });

  it.each([
    {
      rule: 'V8/C3: an overlapping pool is refused; the old config keeps serving',
      pool: poolManifest('gamma-overlap', ['203.0.113.8/29']),
    },
    {
      rule: 'V2/C3: a malformed pool is refused; the old config keeps serving',
      pool: poolManifest('gamma-bad', ['203.0.113.300/32']),
    },
  ])('$rule', async ({ pool }) => {
    const before: V1Service = await user.readService('apps', 'web');
    await user.createPool(pool);
    await eventually('config_stale_bool 1', async () =>
      metricValue((await controller.get('/metrics')).body, 'metallb_k8s_client_config_stale_bool') === 1
        ? true
        : undefined,
    );
    // R6: `kubectl get configurationstates` names the refused pool without reading logs.
    const invalid = await configurationStateEventually((state) => state.status?.result === 'Invalid');
    expect(invalid.metadata?.labels).toEqual({ 'metallb.io/component-type': 'controller' });
    expect(invalid.status?.errorSummary).toMatch(
      new RegExp(
        `^poolReconcilerValid: IPAddressPool ${SYSTEM_NAMESPACE}/${pool.metadata.name} spec\\.addresses(\\[\\d+\\])?: .+`,
      ),
    );
    expect(invalid.status?.conditions).toEqual([
      expect.objectContaining({ type: 'poolReconcilerValid', status: 'False', reason: 'ConfigurationError' }),
    ]);
    // V14: the whole set is refused, so a valid pool added meanwhile is not in force either.
    const later = `delta-${pool.metadata.name}`;
    await user.createPool(poolManifest(later, ['203.0.113.32/28']));
    await user.createService(
      serviceManifest('apps', `wants-${later}`, { annotations: { 'metallb.io/address-pool': later } }),
    );
    await user.createService(serviceManifest('apps', `during-${pool.metadata.name}`));
    const served = await ingressEventually(`during-${pool.metadata.name}`);
    expect(ingressOf(served)[0]).toMatch(/^203\.0\.113\.(\d|1[0-5])$/);
    expect(ingressOf(await user.readService('apps', 'web'))).toEqual(ingressOf(before));
    expect(ingressOf(await user.readService('apps', `wants-${later}`))).toEqual([]);
    await user.deletePool(pool.metadata.name);
    await eventually('config_stale_bool 0', async () =>
      metricValue((await controller.get('/metrics')).body, 'metallb_k8s_client_config_stale_bool') === 0
        ? true
        : undefined,
    );
    const valid = await configurationStateEventually((state) => state.status?.result === 'Valid');
    expect(valid.status).toEqual({
      result: 'Valid',
      errorSummary: '',
      conditions: [
        expect.objectContaining({
          type: 'poolReconcilerValid',
          status: 'True',
          reason: 'Reconciled',
          message: '',
        }),
      ],
    });
    // With the bad pool gone the new set loads, and the waiting Service gets its pool's first IP.
    expect(ingressOf(await ingressEventually(`wants-${later}`))).toEqual(['203.0.113.32']);
    await user.core.deleteNamespacedService({ name: `wants-${later}`, namespace: 'apps' });
    await user.deletePool(later);
  });

  it('409: Services edited while the controller writes their status all end with an IP and the edit kept', async () => {
    const names = Array.from({ length: 10 }, (_, index) => `racer-${index}`);
    await user.createPool(poolManifest('racers', ['203.0.113.128/27']));
    await Promise.all(names.map((name) => user.createService(serviceManifest('apps', name))));
    await Promise.all(
      names.map((name) =>
        user.core.patchNamespacedService({
          name,
          namespace: 'apps',
          body: [{ op: 'add', path: '/metadata/labels', value: { edited: 'yes' } }],
        }),
      ),
    );
    for (const name of names) {
      const service = await ingressEventually(name);
      expect(service.metadata?.labels).toEqual({ edited: 'yes' });
    }
  });

  it('SIGTERM: the controller releases its Lease and exits 0', async () => {
    expect(await controller.stop()).toBe(0);
    const coordination = cluster.admin.makeApiClient(CoordinationV1Api);
    const lease = await coordination.readNamespacedLease({
      name: 'ferrolb-controller',
      namespace: SYSTEM_NAMESPACE,
    });
    expect(lease.spec?.holderIdentity).toBe('');
  });
});
