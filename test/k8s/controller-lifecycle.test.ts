// Controller restarts, API-server restarts and leader hand-over between two replicas: no IP moves.
import { CoordinationV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControllerProcess, startControllerProcess } from './harness/controller-process.js';
import { SYSTEM_NAMESPACE, startTestCluster, type TestCluster } from './harness/index.js';
import { ingressOf, poolManifest, serviceManifest, userClients } from './harness/objects.js';
import { eventually } from './harness/waiting.js';

let cluster: TestCluster;
let user: ReturnType<typeof userClients>;
const running: ControllerProcess[] = [];

beforeAll(async () => {
  cluster = await startTestCluster();
  user = userClients(cluster.admin);
  await user.createPool(poolManifest('main', ['203.0.113.0/24']));
});

afterAll(async () => {
  for (const controller of running) await controller.stop();
  await cluster?.stop();
});

async function startController(name: string): Promise<ControllerProcess> {
  const controller = await startControllerProcess({
    runDirectory: cluster.server.runDirectory,
    kubeconfigPath: cluster.kubeconfigPath('controller'),
    name,
  });
  running.push(controller);
  return controller;
}

/** Every Service of `namespace` with its IPs, once all `count` of them have one. */
async function allocated(
  namespace: string,
  count: number,
  context: () => string,
): Promise<Map<string, string>> {
  return eventually(
    `${count} Services in ${namespace} with IPs`,
    async () => {
      const items = (await user.listServices(namespace)).items;
      const withIPs = items.filter((service) => ingressOf(service).length > 0);
      if (withIPs.length !== count) return undefined;
      return new Map(withIPs.map((service) => [service.metadata?.name ?? '', ingressOf(service).join(',')]));
    },
    { timeoutMs: 180_000, intervalMs: 500, context },
  );
}

async function createServices(namespace: string, names: readonly string[]): Promise<void> {
  for (let start = 0; start < names.length; start += 20) {
    await Promise.all(
      names.slice(start, start + 20).map((name) => user.createService(serviceManifest(namespace, name))),
    );
  }
}

async function leaseHolder(): Promise<string | undefined> {
  const lease = await cluster.admin
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ name: 'ferrolb-controller', namespace: SYSTEM_NAMESPACE });
  return lease.spec?.holderIdentity || undefined;
}

function eventHosts(events: readonly CoreV1Event[]): string[] {
  return [...new Set(events.map((event) => event.source?.host ?? ''))];
}

describe('controller lifecycle', () => {
  it('C8: 100 Services survive a controller restart with zero IPs moved (holes left by deletions stay holes)', async () => {
    await user.createNamespace('restart');
    // Names in non-alphabetical creation order, so list order differs from allocation order.
    const names = Array.from(
      { length: 100 },
      (_, index) => `svc-${((index * 37) % 100).toString().padStart(3, '0')}`,
    );
    const first = await startController('restart-1');
    await createServices('restart', names);
    const before = await allocated('restart', 100, () => first.log());
    for (const name of names.filter((_, index) => index % 10 === 3)) {
      await user.core.deleteNamespacedService({ name, namespace: 'restart' });
      before.delete(name);
    }
    expect(await first.stop()).toBe(0);
    const second = await startController('restart-2');
    await user.createService(serviceManifest('restart', 'zz-new-after-restart'));
    const after = await allocated('restart', 91, () => second.log());
    const moved = [...before].filter(([name, ips]) => after.get(name) !== ips);
    expect(moved).toEqual([]);
    // The new Service takes a hole left by a deletion, never an IP still held.
    expect([...before.values()]).not.toContain(after.get('zz-new-after-restart'));
    expect(await second.stop()).toBe(0);
  });

  it('API-server restart mid-run: every Service created before, during and after gets one distinct IP, none moves', async () => {
    await user.createNamespace('apiserver-restart');
    const controller = await startController('apiserver-restart');
    await createServices(
      'apiserver-restart',
      Array.from({ length: 20 }, (_, index) => `before-${index}`),
    );
    const early = await allocated('apiserver-restart', 20, () => controller.log());
    await cluster.restartApiServer();
    await createServices(
      'apiserver-restart',
      Array.from({ length: 20 }, (_, index) => `after-${index}`),
    );
    const all = await allocated('apiserver-restart', 40, () => controller.log());
    expect([...early].filter(([name, ips]) => all.get(name) !== ips)).toEqual([]);
    expect(new Set(all.values()).size).toBe(40);
    expect(await controller.stop()).toBe(0);
  });

  it('Lease: of two replicas only the leader writes; when it dies the other takes over without moving IPs', async () => {
    await user.createNamespace('handover');
    const one = await startController('replica-one');
    const two = await startController('replica-two');
    // An earlier test's controller may still hold the Lease until it expires.
    const holder = await eventually(
      'a replica to hold the lease',
      async () => {
        const current = await leaseHolder();
        return current?.startsWith('replica-') ? current : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const [leader, standby] = holder.startsWith('replica-one') ? [one, two] : [two, one];
    await createServices('handover', ['first-0', 'first-1', 'first-2']);
    const before = await allocated('handover', 3, () => leader.log());
    const writers = eventHosts((await user.core.listNamespacedEvent({ namespace: 'handover' })).items);
    expect(writers).toEqual([holder]);
    await leader.kill();
    const newHolder = await eventually(
      'the standby to take the lease',
      async () => {
        const current = await leaseHolder();
        return current?.startsWith(standby.name) ? current : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, context: () => standby.log() },
    );
    await createServices('handover', ['second-0']);
    const after = await allocated('handover', 4, () => standby.log());
    expect([...before].filter(([name, ips]) => after.get(name) !== ips)).toEqual([]);
    const secondEvents = (await user.serviceEvents('handover', 'second-0')).filter(
      (event) => event.reason === 'IPAllocated',
    );
    expect(eventHosts(secondEvents)).toEqual([newHolder]);
  });
});
