// `ferrolb status` as a user runs it (the compiled CLI with a kubeconfig), against the real API
// server, with the real controller allocating and a ServiceL2Status written with the speaker's token.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { kubeConfigFor, writeKubeConfig } from './harness/bootstrap.js';
import { type ControllerProcess, startControllerProcess } from './harness/controller-process.js';
import { SYSTEM_NAMESPACE, startTestCluster, type TestCluster } from './harness/index.js';
import { ingressOf, poolManifest, serviceManifest, userClients } from './harness/objects.js';
import { eventually } from './harness/waiting.js';

const CLI = join(REPOSITORY_ROOT, 'bin', 'ferrolb.js');

let cluster: TestCluster;
let user: ReturnType<typeof userClients>;
let controller: ControllerProcess;

/** Runs `ferrolb status` with `args`; resolves to exit code and output, never rejects. */
async function status(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, 'status', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The table's cells for `service` (columns split on runs of two or more spaces). */
function rowOf(table: string, service: string): string[] | undefined {
  const line = table.split('\n').find((text) => text.startsWith(`${service} `) || text === service);
  return line?.split(/ {2,}/);
}

async function writeOwner(serviceName: string, node: string, interfaces: string[]): Promise<void> {
  // The speaker's own token: ServiceL2Status create and status update are in its deploy/ Role (R4).
  const custom = cluster.configFor('speaker').makeApiClient(CustomObjectsApi);
  const target = {
    group: 'metallb.io',
    version: 'v1beta1',
    namespace: SYSTEM_NAMESPACE,
    plural: 'servicel2statuses',
  };
  const name = `l2-${serviceName}`;
  await custom.createNamespacedCustomObject({
    ...target,
    body: {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'ServiceL2Status',
      metadata: { name, namespace: SYSTEM_NAMESPACE },
    },
  });
  const created = (await custom.getNamespacedCustomObject({ ...target, name })) as Record<string, unknown>;
  await custom.replaceNamespacedCustomObjectStatus({
    ...target,
    name,
    body: {
      ...created,
      status: {
        node,
        serviceName,
        serviceNamespace: 'apps',
        interfaces: interfaces.map((interfaceName) => ({ name: interfaceName })),
      },
    },
  });
}

beforeAll(async () => {
  cluster = await startTestCluster();
  user = userClients(cluster.admin);
  await user.createNamespace('apps');
  await user.createPool(poolManifest('alpha', ['203.0.113.0/30']));
  controller = await startControllerProcess({
    runDirectory: cluster.server.runDirectory,
    kubeconfigPath: cluster.kubeconfigPath('controller'),
    name: 'controller-status',
  });
  await user.createService(serviceManifest('apps', 'web'));
  await user.createService(
    serviceManifest('apps', 'pinned', { annotations: { 'metallb.io/loadBalancerIPs': '203.0.113.2' } }),
  );
  await user.createService(
    serviceManifest('apps', 'outside', { annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.77' } }),
  );
  await user.createService(
    serviceManifest('apps', 'classy', { spec: { loadBalancerClass: 'example.com/other' } }),
  );
  for (const name of ['web', 'pinned']) {
    await eventually(
      `ingress of apps/${name}`,
      async () => (ingressOf(await user.readService('apps', name)).length > 0 ? true : undefined),
      { context: () => controller.log() },
    );
  }
  await eventually(
    'a Warning Event for apps/outside',
    async () =>
      (await user.serviceEvents('apps', 'outside')).some((event) => event.type === 'Warning')
        ? true
        : undefined,
    { context: () => controller.log() },
  );
  await writeOwner('web', 'node-a', ['eth0']);
  await writeOwner('pinned', 'node-b', []);
});

afterAll(async () => {
  await controller?.stop();
  await cluster?.stop();
});

describe('ferrolb status', () => {
  it.each([
    {
      rule: 'R4: an announced Service shows IP, pool, owner node and its interfaces',
      service: 'apps/web',
      want: ['apps/web', '203.0.113.0', 'alpha', 'node-a', 'eth0'],
    },
    {
      rule: 'R4: a ServiceL2Status without interfaces reads as every interface',
      service: 'apps/pinned',
      want: ['apps/pinned', '203.0.113.2', 'alpha', 'node-b', '(all)'],
    },
  ])('$rule', async ({ service, want }) => {
    const result = await status([`--kubeconfig=${cluster.kubeconfigPath('admin')}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(rowOf(result.stdout, service)).toEqual(want);
  });

  it('EV2: a Service without an IP shows the controller Warning that explains why', async () => {
    const result = await status(['--kubeconfig', cluster.kubeconfigPath('admin')]);
    const events = (await user.serviceEvents('apps', 'outside')).filter((event) => event.type === 'Warning');
    const latest = events.at(-1);
    const row = rowOf(result.stdout, 'apps/outside');
    expect(row?.slice(0, 5)).toEqual(['apps/outside', '-', '-', '-', '-']);
    expect(row?.[5]).toContain(`no IP: ${latest?.reason}: `);
    expect(row?.[5]).toContain('198.51.100.77');
  });

  it('C11: a Service of another loadBalancerClass is listed with the reason it has no IP', async () => {
    const result = await status(['--kubeconfig', cluster.kubeconfigPath('admin')]);
    expect(rowOf(result.stdout, 'apps/classy')?.[5]).toContain('loadBalancerClass example.com/other');
  });

  it('status: the header comes first and every LoadBalancer Service has one row', async () => {
    const result = await status(['--kubeconfig', cluster.kubeconfigPath('admin')]);
    console.log(`ferrolb status against the test API server:\n${result.stdout}`);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]?.split(/ {2,}/)).toEqual(['SERVICE', 'IPS', 'POOL', 'NODE', 'INTERFACES', 'NOTE']);
    expect(lines.slice(1).map((line) => line.split(' ')[0])).toEqual([
      'apps/classy',
      'apps/outside',
      'apps/pinned',
      'apps/web',
    ]);
  });

  it('D9: an identity that may not list Events fails with exit 1 and the API server reason', async () => {
    const result = await status(['--kubeconfig', cluster.kubeconfigPath('speaker')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTP 403');
    expect(result.stdout).toBe('');
  });

  it('status: an unreachable API server is exit 1 naming the server', async () => {
    const unreachable = kubeConfigFor('https://127.0.0.1:1', 'nobody', 'x');
    const path = writeKubeConfig(unreachable, cluster.server.runDirectory, 'unreachable');
    const result = await status(['--kubeconfig', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('reading the cluster at https://127.0.0.1:1 failed');
  });

  it('CLI: a kubeconfig that cannot be read is exit 2 naming the file', async () => {
    const result = await status(['--kubeconfig', '/nonexistent/kubeconfig']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--kubeconfig: cannot read /nonexistent/kubeconfig');
  });

  it('CLI: an unknown flag is exit 2', async () => {
    const result = await status(['--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown flag --bogus');
  });

  it('R6: a refused configuration is a warning on stderr naming the pool; the table is unchanged', async () => {
    const before = await status(['--kubeconfig', cluster.kubeconfigPath('admin')]);
    expect(before.stderr).toBe('');
    await user.createPool(poolManifest('overlapping', ['203.0.113.0/31']));
    await eventually(
      'controller ConfigurationState Invalid',
      async () =>
        (await user.readConfigurationState('controller')).status?.result === 'Invalid' ? true : undefined,
      { context: () => controller.log() },
    );
    const result = await status(['--kubeconfig', cluster.kubeconfigPath('admin')]);
    await user.deletePool('overlapping');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(before.stdout);
    expect(result.stderr).toMatch(
      new RegExp(
        `^warning: ConfigurationState ${SYSTEM_NAMESPACE}/controller is Invalid \\(the last good configuration is in force\\): poolReconcilerValid: IPAddressPool ${SYSTEM_NAMESPACE}/overlapping .*overlaps`,
      ),
    );
  });
});
