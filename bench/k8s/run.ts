// bench/k8s: the controller against the real API server (test harness), with 5,000 Services.
//   1. create 5,000 LoadBalancer Services -> time until every one has an IP;
//      baseline, same run: a trivial client that creates the same number of Services and writes
//      each status itself right away (the API server's own floor for this much work).
//   2. restart the controller with the 5,000 Services -> time until ready (initial pass done) and
//      the number of IPs moved (must be 0); baseline: one plain list of all Services.
// Addresses: an IPv6 pool inside 2001:db8:1::/64 (API data only; nothing goes on a wire here).
import { cpus } from 'node:os';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { CoreV1Api as DaemonCoreV1Api } from '../../src/k8s/api/index.js';
import { loadKubeConfig, writeServiceStatus } from '../../src/k8s/index.js';
import { type ControllerProcess, startControllerProcess } from '../../test/k8s/harness/controller-process.js';
import { startTestCluster, type TestCluster } from '../../test/k8s/harness/index.js';
import { ingressOf, poolManifest, serviceManifest, userClients } from '../../test/k8s/harness/objects.js';
import { eventually } from '../../test/k8s/harness/waiting.js';

const COUNT = Number(process.env.FERROLB_BENCH_SERVICES ?? 5000);
const CONCURRENCY = 32;
const BASELINE_CLASS = 'bench.ferrolb.io/baseline';

function ipv6Service(namespace: string, name: string, loadBalancerClass?: string): V1Service {
  return serviceManifest(namespace, name, {
    spec: {
      ipFamilies: ['IPv6'],
      ipFamilyPolicy: 'SingleStack',
      // 10,000 Services would exhaust the 2,768 NodePorts; the load balancer needs none here.
      allocateLoadBalancerNodePorts: false,
      ...(loadBalancerClass ? { loadBalancerClass } : {}),
    },
  });
}

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function ipsOf(core: CoreV1Api, namespace: string): Promise<Map<string, string>> {
  const list = await core.listNamespacedService({ namespace });
  return new Map(list.items.map((service) => [service.metadata?.name ?? '', ingressOf(service).join(',')]));
}

async function allAllocated(
  core: CoreV1Api,
  namespace: string,
  controller: ControllerProcess,
): Promise<Map<string, string>> {
  return eventually(
    `${COUNT} Services with IPs`,
    async () => {
      const ips = await ipsOf(core, namespace);
      const done = [...ips.values()].filter((value) => value !== '').length;
      return done === COUNT ? ips : undefined;
    },
    { timeoutMs: 30 * 60_000, intervalMs: 1_000, context: () => controller.log() },
  );
}

async function baselineSeconds(cluster: TestCluster, names: readonly string[]): Promise<number> {
  const user = userClients(cluster.admin);
  await user.createNamespace('bench-baseline');
  const core = loadKubeConfig(cluster.kubeconfigPath('admin')).makeApiClient(DaemonCoreV1Api);
  const started = performance.now();
  await inBatches([...names.keys()], async (index) => {
    const created = await user.createService(
      ipv6Service('bench-baseline', names[index] as string, BASELINE_CLASS),
    );
    await writeServiceStatus(core, created, {
      ips: [`2001:db8:1::2:${index.toString(16)}`],
      pool: 'baseline',
    });
  });
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${COUNT} Services`);
  const cluster = await startTestCluster();
  const user = userClients(cluster.admin);
  const core = cluster.admin.makeApiClient(CoreV1Api);
  const names = Array.from({ length: COUNT }, (_, index) => `svc-${index}`);
  try {
    await user.createPool(poolManifest('bench', ['2001:db8:1::1:0/112']));
    const baseline = await baselineSeconds(cluster, names);
    const start = (name: string) =>
      startControllerProcess({
        runDirectory: cluster.server.runDirectory,
        kubeconfigPath: cluster.kubeconfigPath('controller'),
        name,
      });
    const first = await start('bench-1');
    await eventually('controller ready', async () =>
      (await first.get('/readyz')).status === 200 ? true : undefined,
    );
    await user.createNamespace('bench');
    const started = performance.now();
    await inBatches(names, (name) => user.createService(ipv6Service('bench', name)));
    const created = (performance.now() - started) / 1000;
    const before = await allAllocated(core, 'bench', first);
    const allocated = (performance.now() - started) / 1000;
    await first.stop();

    const listStarted = performance.now();
    await core.listServiceForAllNamespaces();
    const listSeconds = (performance.now() - listStarted) / 1000;
    const restartStarted = performance.now();
    const second = await start('bench-2');
    await eventually(
      'initial pass done',
      () => (second.log(400).includes('initial pass done') ? true : undefined),
      {
        timeoutMs: 10 * 60_000,
        intervalMs: 100,
      },
    );
    const ready = (performance.now() - restartStarted) / 1000;
    const after = await ipsOf(core, 'bench');
    const moved = [...before].filter(([name, ips]) => after.get(name) !== ips).length;
    await second.stop();

    console.log(
      `create ${COUNT} Services + write each status directly (baseline, API floor): ${baseline.toFixed(1)} s`,
    );
    console.log(
      `create ${COUNT} Services (ferrolb controller running): created in ${created.toFixed(1)} s, all with IPs after ${allocated.toFixed(1)} s (ratio to baseline ${(allocated / baseline).toFixed(2)}; last IP ${(allocated - created).toFixed(1)} s after the last create)`,
    );
    console.log(
      `restart with ${COUNT} Services: list all Services (baseline) ${listSeconds.toFixed(2)} s; controller process start -> initial pass done ${ready.toFixed(1)} s; IPs moved: ${moved}`,
    );
    if (moved !== 0) process.exitCode = 1;
  } finally {
    await cluster.stop();
  }
}

await main();
