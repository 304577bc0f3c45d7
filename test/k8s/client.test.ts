// src/k8s against the real API server, each call made with the controller's ServiceAccount token
// (deploy/ RBAC), so a verb missing from deploy/rbac.yaml fails here.

import { readFileSync, writeFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { createServer, connect as dial, type Server, type Socket } from 'node:net';
import { CoreV1Api as ClientNodeCoreV1Api, KubeConfig, type V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALLOCATED_FROM_POOL } from '../../src/config/annotations.js';
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeClient,
} from '../../src/k8s/api/index.js';
import {
  createEventRecorder,
  ensureMemberlistSecret,
  type LeaderElection,
  loadKubeConfig,
  startLeaderElection,
  watchResource,
  writePoolStatus,
  writeServiceStatus,
} from '../../src/k8s/index.js';
import { logger } from '../../src/log.js';
import { SYSTEM_NAMESPACE, startTestCluster, type TestCluster } from './harness/index.js';
import { ingressOf, poolManifest, serviceManifest, userClients } from './harness/objects.js';
import { eventually } from './harness/waiting.js';

let cluster: TestCluster;
let user: ReturnType<typeof userClients>;
const quiet = logger.child({ test: 'client' }, { level: 'silent' });

beforeAll(async () => {
  cluster = await startTestCluster();
  user = userClients(cluster.admin);
  await user.createNamespace('client-test');
});

afterAll(async () => {
  await cluster?.stop();
});

/** The daemons' own client, as the controller loads it from its kubeconfig. */
function controllerClient(): KubeClient {
  return loadKubeConfig(cluster.kubeconfigPath('controller'));
}

function controllerCore(): CoreV1Api {
  return controllerClient().makeApiClient(CoreV1Api);
}

describe('services/status writer', () => {
  it('A11: ingress and metallb.io/ip-allocated-from-pool land in one status update', async () => {
    const created = await user.createService(serviceManifest('client-test', 'one-write'));
    const outcome = await writeServiceStatus(controllerCore(), created, {
      ips: ['203.0.113.10'],
      pool: 'alpha',
    });
    expect(outcome.kind).toBe('written');
    const live = await user.readService('client-test', 'one-write');
    expect(ingressOf(live)).toEqual(['203.0.113.10']);
    expect(live.metadata?.annotations?.[ALLOCATED_FROM_POOL]).toBe('alpha');
  });

  it('A11: a clear removes ingress and the pool annotation', async () => {
    const created = await user.createService(serviceManifest('client-test', 'cleared'));
    const written = await writeServiceStatus(controllerCore(), created, {
      ips: ['203.0.113.11'],
      pool: 'alpha',
    });
    if (written.kind !== 'written') throw new Error('first write did not happen');
    await writeServiceStatus(controllerCore(), written.service, { ips: [], pool: undefined });
    const live = await user.readService('client-test', 'cleared');
    expect(ingressOf(live)).toEqual([]);
    expect(live.metadata?.annotations?.[ALLOCATED_FROM_POOL]).toBeUndefined();
  });

  it('409: a write from a stale resourceVersion is retried after a re-read, keeping the concurrent edit', async () => {
    const stale = await user.createService(serviceManifest('client-test', 'conflict'));
    await user.core.patchNamespacedService({
      name: 'conflict',
      namespace: 'client-test',
      body: [{ op: 'add', path: '/metadata/labels', value: { edited: 'yes' } }],
    });
    const outcome = await writeServiceStatus(controllerCore(), stale, {
      ips: ['203.0.113.12'],
      pool: 'alpha',
    });
    expect(outcome).toMatchObject({ kind: 'written', attempts: 2 });
    const live = await user.readService('client-test', 'conflict');
    expect(ingressOf(live)).toEqual(['203.0.113.12']);
    expect(live.metadata?.labels).toEqual({ edited: 'yes' });
  });

  it('A11: writing what the status already says makes no API call', async () => {
    const created = await user.createService(serviceManifest('client-test', 'unchanged'));
    const first = await writeServiceStatus(controllerCore(), created, {
      ips: ['203.0.113.13'],
      pool: 'alpha',
    });
    if (first.kind !== 'written') throw new Error('first write did not happen');
    const second = await writeServiceStatus(controllerCore(), first.service, {
      ips: ['203.0.113.13'],
      pool: 'alpha',
    });
    expect(second.kind).toBe('unchanged');
  });
});

describe('Events, pool status, memberlist Secret', () => {
  it('EV: an Event is recorded on the Service with source component metallb-controller', async () => {
    const created = await user.createService(serviceManifest('client-test', 'evented'));
    const recorder = createEventRecorder(controllerCore(), {
      component: 'metallb-controller',
      host: 'test',
      logger: quiet,
    });
    await recorder.record(
      {
        kind: 'Service',
        apiVersion: 'v1',
        namespace: 'client-test',
        name: 'evented',
        uid: created.metadata?.uid,
      },
      { type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["203.0.113.14"]' },
    );
    const events = await user.serviceEvents('client-test', 'evented');
    expect(events.map((event) => [event.reason, event.message, event.source?.component])).toEqual([
      ['IPAllocated', 'Assigned IP ["203.0.113.14"]', 'metallb-controller'],
    ]);
  });

  it('Q8: a repeated Event raises the count of the one written (client-go aggregation); an expired one is written anew', async () => {
    const created = await user.createService(serviceManifest('client-test', 'repeated'));
    const recorder = createEventRecorder(controllerCore(), {
      component: 'metallb-controller',
      host: 'test',
      logger: quiet,
    });
    const subject = {
      kind: 'Service',
      apiVersion: 'v1',
      namespace: 'client-test',
      name: 'repeated',
      uid: created.metadata?.uid,
    };
    const failed = {
      type: 'Normal' as const,
      reason: 'AdditionalAssignFailed',
      message: 'cannot assign additional IP in PreferDualStack: no available IPs',
    };
    for (let round = 0; round < 3; round++) await recorder.record(subject, failed);
    await recorder.record(subject, {
      ...failed,
      message: 'cannot assign additional IP in PreferDualStack: other',
    });
    const summary = async () =>
      (await user.serviceEvents('client-test', 'repeated'))
        .map((event) => [event.message, event.count])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(await summary()).toEqual([
      [failed.message, 3],
      ['cannot assign additional IP in PreferDualStack: other', 1],
    ]);
    const [written] = (await user.serviceEvents('client-test', 'repeated')).filter(
      (e) => e.message === failed.message,
    );
    await cluster.admin
      .makeApiClient(ClientNodeCoreV1Api)
      .deleteNamespacedEvent({ namespace: 'client-test', name: written?.metadata?.name ?? '' });
    await recorder.record(subject, failed);
    expect(await summary()).toEqual([
      [failed.message, 1],
      ['cannot assign additional IP in PreferDualStack: other', 1],
    ]);
  });

  it('R2: pool status counts are written through the status subresource', async () => {
    await user.createPool(poolManifest('status-pool', ['203.0.113.0/28']));
    const custom = controllerClient().makeApiClient(CustomObjectsApi);
    const counts = { assignedIPv4: 3n, assignedIPv6: 0n, availableIPv4: 13n, availableIPv6: 0n };
    await writePoolStatus(custom, { namespace: SYSTEM_NAMESPACE, name: 'status-pool' }, counts);
    const pool = (await user.readPool('status-pool')) as { status?: Record<string, number> };
    expect(pool.status).toEqual({ assignedIPv4: 3, assignedIPv6: 0, availableIPv4: 13, availableIPv6: 0 });
  });

  it('ML3: the memberlist Secret is created once, with a 22-character secretkey', async () => {
    const config = controllerClient();
    const clients = { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api) };
    const target = {
      namespace: SYSTEM_NAMESPACE,
      secretName: 'memberlist',
      deployment: 'controller',
      logger: quiet,
    };
    expect(await ensureMemberlistSecret(clients, target)).toBe('created');
    expect(await ensureMemberlistSecret(clients, target)).toBe('exists');
    const secret = await user.core.readNamespacedSecret({ name: 'memberlist', namespace: SYSTEM_NAMESPACE });
    expect(Buffer.from(secret.data?.secretkey ?? '', 'base64').toString()).toMatch(/^[A-Za-z0-9+/]{22}$/);
  });
});

describe('Lease leader election and informers', () => {
  it('Lease: of two candidates exactly one leads; release hands over to the other', async () => {
    const leading = new Set<string>();
    const coordination = controllerClient().makeApiClient(CoordinationV1Api);
    const candidate = (identity: string): LeaderElection =>
      startLeaderElection({
        coordination,
        namespace: SYSTEM_NAMESPACE,
        name: 'ferrolb-controller',
        identity,
        logger: quiet,
        onStartedLeading: () => leading.add(identity),
        onStoppedLeading: () => leading.delete(identity),
        leaseDurationSeconds: 3,
        renewDeadlineMs: 2_000,
        retryPeriodMs: 200,
      });
    const first = candidate('first');
    const second = candidate('second');
    const leader = await eventually('a leader', () => (leading.size > 0 ? [...leading][0] : undefined));
    // Longer than the renew deadline and the lease duration: a leader that failed to renew would be gone.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect([...leading]).toEqual([leader]);
    const [current, other] = leader === 'first' ? [first, 'second'] : [second, 'first'];
    await current.release();
    await eventually('hand-over', () => (leading.has(other) ? true : undefined), { timeoutMs: 10_000 });
    expect([...leading]).toEqual([other]);
    await (leader === 'first' ? second : first).release();
  });

  it("Lease: a leader renews from its last write without reading first (client-go's fast path)", async () => {
    const { coordination, election } = await leadAlone('only', { renewIntervalMs: 100 });
    const before = { reads: coordination.reads, writes: coordination.writes };
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(election.isLeader()).toBe(true);
    expect(coordination.writes - before.writes).toBeGreaterThanOrEqual(5);
    expect(coordination.reads - before.reads).toBe(0);
    await election.release();
  });

  it('Lease: a leader renews every renew interval, at most half the renew deadline, not every retry period (issue 14)', async () => {
    const { coordination, election } = await leadAlone('interval', {}, { timeoutMs: 10_000 });
    const before = coordination.writes;
    // The default interval (5 s) capped at half the 2 s deadline: about 3 writes in 3.5 s, not 35.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(election.isLeader()).toBe(true);
    expect(coordination.writes - before).toBeGreaterThanOrEqual(2);
    expect(coordination.writes - before).toBeLessThanOrEqual(5);
    await election.release();
  });

  it('informer: a label selector lists and watches only the objects it selects', async () => {
    const labelled = (name: string, owner: string) => {
      const manifest = serviceManifest('client-test', name);
      return { ...manifest, metadata: { ...manifest.metadata, labels: { owner } } };
    };
    await user.createService(labelled('selected-before', 'node-x'));
    await user.createService(labelled('other-before', 'node-y'));
    const seen: string[] = [];
    const watch = watchResource<V1Service>({
      client: controllerClient(),
      path: '/api/v1/namespaces/client-test/services',
      labelSelector: 'owner=node-x',
      isRelevantChange: () => true,
      onChange: (change) => seen.push(change.key),
      logger: quiet,
    });
    await watch.synced;
    await user.createService(labelled('other-after', 'node-y'));
    await user.createService(labelled('selected-after', 'node-x'));
    await eventually('the selected Service created after the list', () =>
      watch.get('client-test/selected-after') ? true : undefined,
    );
    expect(
      watch
        .list()
        .map((service) => service.metadata?.name)
        .sort(),
    ).toEqual(['selected-after', 'selected-before']);
    expect(seen.filter((key) => key.includes('other'))).toEqual([]);
    await watch.stop();
  });

  it('informer: a Service created while the API server restarts still arrives', async () => {
    const seen = new Set<string>();
    const config = controllerClient();
    const watch = watchResource<V1Service>({
      client: config,
      path: '/api/v1/services',
      isRelevantChange: () => true,
      onChange: (change) => seen.add(change.key),
      logger: quiet,
    });
    await watch.synced;
    await cluster.server.stopApiServer();
    await cluster.server.startApiServer();
    await user.createService(serviceManifest('client-test', 'after-restart'));
    await eventually('the new Service in the cache', () =>
      seen.has('client-test/after-restart') ? true : undefined,
    );
    expect(watch.get('client-test/after-restart')?.metadata?.name).toBe('after-restart');
    await watch.stop();
  });
});

/** CoordinationV1Api counting the Lease reads and writes it makes. */
class CountingCoordination extends CoordinationV1Api {
  reads = 0;
  writes = 0;
  override readNamespacedLease(where: Parameters<CoordinationV1Api['readNamespacedLease']>[0]) {
    this.reads += 1;
    return super.readNamespacedLease(where);
  }
  override replaceNamespacedLease(request: Parameters<CoordinationV1Api['replaceNamespacedLease']>[0]) {
    this.writes += 1;
    return super.replaceNamespacedLease(request);
  }
}

/** One candidate (3 s lease, 2 s deadline, 100 ms retry), once it leads, with its counted calls. */
async function leadAlone(
  identity: string,
  timings: { readonly renewIntervalMs?: number },
  wait: { readonly timeoutMs?: number } = {},
): Promise<{ coordination: CountingCoordination; election: LeaderElection }> {
  const coordination = new CountingCoordination(controllerClient().transport);
  const election = startLeaderElection({
    coordination,
    namespace: SYSTEM_NAMESPACE,
    name: 'ferrolb-controller',
    identity,
    logger: quiet,
    onStartedLeading: () => {},
    onStoppedLeading: () => {},
    leaseDurationSeconds: 3,
    renewDeadlineMs: 2_000,
    retryPeriodMs: 100,
    ...timings,
  });
  await eventually('leading', () => (election.isLeader() ? true : undefined), wait);
  return { coordination, election };
}

/** A TCP path to the API server that a test can cut (every open connection closed, new ones refused). */
async function cuttableApiPath(): Promise<{ kubeconfigPath: string; cut(): void; restore(): void }> {
  const upstream = new URL(cluster.server.url);
  const open = new Set<Socket>();
  let refusing = false;
  const proxy: Server = createServer((client) => {
    if (refusing) return void client.destroy();
    const server = dial(Number(upstream.port), upstream.hostname);
    for (const socket of [client, server]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(server).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  afterAll(() => void proxy.close());
  const address = proxy.address() as { port: number };
  const config = JSON.parse(readFileSync(cluster.kubeconfigPath('controller'), 'utf8'));
  config.clusters[0].cluster.server = `https://127.0.0.1:${address.port}`;
  const kubeconfigPath = `${cluster.server.runDirectory}/cuttable-controller.kubeconfig`;
  writeFileSync(kubeconfigPath, JSON.stringify(config));
  return {
    kubeconfigPath,
    cut: () => {
      refusing = true;
      for (const socket of open) socket.destroy();
    },
    restore: () => {
      refusing = false;
    },
  };
}

describe('informer relist (issue 14: own list and watch)', () => {
  it('a Service deleted and one created while the watch is cut are both reported when it reconnects', async () => {
    const path = await cuttableApiPath();
    await user.createService(serviceManifest('client-test', 'deleted-while-cut'));
    const changes: string[] = [];
    const watch = watchResource<V1Service>({
      client: loadKubeConfig(path.kubeconfigPath),
      path: '/api/v1/namespaces/client-test/services',
      isRelevantChange: () => true,
      onChange: (change) => changes.push(`${change.current ? 'set' : 'deleted'} ${change.key}`),
      logger: quiet,
    });
    await watch.synced;
    expect(watch.get('client-test/deleted-while-cut')).toBeDefined();
    path.cut();
    await user.core.deleteNamespacedService({ namespace: 'client-test', name: 'deleted-while-cut' });
    await user.createService(serviceManifest('client-test', 'created-while-cut'));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(changes).not.toContain('deleted client-test/deleted-while-cut');
    path.restore();
    await eventually('both changes after the reconnect', () =>
      changes.includes('deleted client-test/deleted-while-cut') &&
      changes.includes('set client-test/created-while-cut')
        ? true
        : undefined,
    );
    expect(watch.get('client-test/deleted-while-cut')).toBeUndefined();
    await watch.stop();
  });
});

describe('connection reuse (issue 14: client-node opens a new TLS connection per call)', () => {
  async function connectionsFor(list: () => Promise<unknown>, calls: number): Promise<number> {
    const connect = vi.spyOn(HttpsAgent.prototype, 'createConnection');
    try {
      for (let call = 0; call < calls; call += 1) await list();
      return connect.mock.calls.length;
    } finally {
      connect.mockRestore();
    }
  }

  it("the daemons' client reuses one keep-alive connection; client-node opens one per call", async () => {
    // The speaker may list pods in its own namespace (D8).
    const path = cluster.kubeconfigPath('speaker');
    const plain = new KubeConfig();
    plain.loadFromFile(path);
    const clientNode = plain.makeApiClient(ClientNodeCoreV1Api);
    const daemons = loadKubeConfig(path).makeApiClient(CoreV1Api);
    const namespace = SYSTEM_NAMESPACE;
    expect(await connectionsFor(() => clientNode.listNamespacedPod({ namespace }), 10)).toBe(10);
    expect(await connectionsFor(() => daemons.listNamespacedPod({ namespace }), 10)).toBe(1);
  });

  it('parallel calls share at most 8 connections (each would otherwise open its own TLS connection)', async () => {
    const daemons = loadKubeConfig(cluster.kubeconfigPath('speaker')).makeApiClient(CoreV1Api);
    const connect = vi.spyOn(HttpsAgent.prototype, 'createConnection');
    try {
      const calls = Array.from({ length: 30 }, () =>
        daemons.listNamespacedPod({ namespace: SYSTEM_NAMESPACE }),
      );
      expect((await Promise.all(calls)).every((list) => Array.isArray(list.items))).toBe(true);
      expect(connect.mock.calls.length).toBeGreaterThan(0);
      expect(connect.mock.calls.length).toBeLessThanOrEqual(8);
    } finally {
      connect.mockRestore();
    }
  });
});
