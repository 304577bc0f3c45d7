// docs/migration.md, run as written (issue 13 #7): every ```sh block marked `migration-test` is
// executed, in order, by bash with kubectl and helm against a real API server. MetalLB itself is
// played by a stand-in Helm release with what matters here copied from MetalLB's chart: the
// CRDs as ordinary templates behind `crds.enabled`, without a keep policy — so a plain
// `helm uninstall metallb` would delete every pool (checked first, to prove the stand-in bites).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import {
  applyObjects,
  kubeConfigFor,
  mintServiceAccountToken,
  writeKubeConfig,
} from './harness/bootstrap.js';
import { type RunningApiServer, startApiServerProcesses } from './harness/cluster.js';
import { type ControllerProcess, startControllerProcess } from './harness/controller-process.js';
import { ingressOf, poolManifest, serviceManifest } from './harness/objects.js';
import { eventually } from './harness/waiting.js';
import { ensureHelm } from './helm-render.js';

const run = promisify(execFile);
const DOC = join(REPOSITORY_ROOT, 'docs', 'migration.md');
const CRD_FILES = ['ipaddresspools', 'l2advertisements', 'servicel2statuses', 'configurationstates'].map(
  (name) => join(REPOSITORY_ROOT, 'deploy', 'crds', `metallb.io_${name}.yaml`),
);
const POOL = {
  group: 'metallb.io',
  version: 'v1beta1',
  plural: 'ipaddresspools',
  namespace: 'metallb-system',
};

/** The doc's shell blocks with `<!-- migration-test: NAME -->` before them, dedented, by name. */
function docBlocks(name: string): string[] {
  const text = readFileSync(DOC, 'utf8');
  const pattern = /<!-- migration-test: ([\w-]+) -->\n( *)```sh\n([\s\S]*?)\n *```/g;
  return [...text.matchAll(pattern)]
    .filter((match) => match[1] === name)
    .map((match) => {
      const indent = match[2]?.length ?? 0;
      return (match[3] ?? '')
        .split('\n')
        .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
        .join('\n');
    });
}

/** kubectl of the cluster's version when the e2e tooling built it, else the one on PATH. */
function kubectlDirectory(): string | undefined {
  const built = '/var/cache/ferrolb/k8s-v1.37.2/kubectl';
  return existsSync(built) ? dirname(built) : undefined;
}

let server: RunningApiServer;
let admin: KubeConfig;
let workDirectory: string;
let environment: NodeJS.ProcessEnv;
let controller: ControllerProcess | undefined;

async function shell(script: string): Promise<string> {
  try {
    // --norc: bash takes a socket on stdin (Node's pipes are socketpairs) for an ssh session and may
    // source /etc/bash.bashrc, which fails under -u.
    const { stdout, stderr } = await run('bash', ['--norc', '-euo', 'pipefail', '-c', script], {
      cwd: workDirectory,
      env: environment,
      maxBuffer: 16 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`script failed:\n${script}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
  }
}

/** Runs every block of the doc named `name`, as a reader would paste them. */
async function runDoc(name: string): Promise<void> {
  const blocks = docBlocks(name);
  expect(blocks.length, `docs/migration.md has blocks marked ${name}`).toBeGreaterThan(0);
  for (const block of blocks) await shell(block);
}

/** MetalLB's Helm chart as far as data loss goes: CRDs as templates behind crds.enabled. */
function writeStandInChart(): void {
  const chart = join(workDirectory, 'metallb', 'metallb');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(
    join(chart, 'Chart.yaml'),
    stringify({ apiVersion: 'v2', name: 'metallb', version: '0.15.2' }),
  );
  writeFileSync(join(chart, 'values.yaml'), stringify({ crds: { enabled: true } }));
  const crds = CRD_FILES.map((file) => readFileSync(file, 'utf8')).join('\n---\n');
  writeFileSync(
    join(chart, 'templates', 'crds.yaml'),
    `{{- if .Values.crds.enabled }}\n${crds}\n{{- end }}\n`,
  );
}

async function installStandIn(): Promise<void> {
  await shell('helm install metallb metallb/metallb -n metallb-system --create-namespace');
  await eventually('the stand-in CRDs to serve', () => shell('kubectl get ipaddresspools.metallb.io -A'));
}

async function poolNames(): Promise<string[]> {
  const api = admin.makeApiClient(CustomObjectsApi);
  const list = (await api.listNamespacedCustomObject(POOL)) as { items: { metadata: { name: string } }[] };
  return list.items.map((item) => item.metadata.name);
}

/** What MetalLB left behind: a pool and a Service holding one of its IPs. */
async function createMetallbState(): Promise<void> {
  await applyObjects(admin, [
    poolManifest('production', ['198.51.100.0/28']) as KubernetesObject,
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'production', namespace: 'metallb-system' },
      spec: { ipAddressPools: ['production'] },
    } as KubernetesObject,
  ]);
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespacedService({
    namespace: 'default',
    body: serviceManifest('default', 'web', {
      annotations: { 'metallb.io/ip-allocated-from-pool': 'production' },
    }),
  });
  await core.patchNamespacedServiceStatus(
    {
      name: 'web',
      namespace: 'default',
      body: { status: { loadBalancer: { ingress: [{ ip: '198.51.100.7' }] } } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

beforeAll(async () => {
  server = await startApiServerProcesses();
  admin = kubeConfigFor(server.url, 'ferrolb-admin', server.adminToken);
  const helmBinary = await ensureHelm();
  workDirectory = mkdtempSync(join(tmpdir(), 'ferrolb-migration-'));
  symlinkSync(join(REPOSITORY_ROOT, 'deploy'), join(workDirectory, 'deploy'));
  writeStandInChart();
  const path = [dirname(helmBinary), kubectlDirectory(), process.env.PATH].filter(Boolean).join(':');
  environment = {
    ...process.env,
    PATH: path,
    KUBECONFIG: writeKubeConfig(admin, server.runDirectory, 'admin'),
  };
});

afterAll(async () => {
  await controller?.stop();
  await server?.stop();
});

describe('docs/migration.md, every command against a real API server', () => {
  it('the stand-in bites: a plain helm uninstall of MetalLB deletes its CRDs and every pool', async () => {
    await installStandIn();
    await applyObjects(admin, [poolManifest('doomed', ['198.51.100.32/28']) as KubernetesObject]);
    expect(await poolNames()).toEqual(['doomed']);
    await shell('helm uninstall metallb -n metallb-system');
    await eventually('the CRDs to be deleted with the release', async () => {
      const crds = await shell('kubectl get crd -o name');
      return crds.includes('ipaddresspools.metallb.io') ? undefined : crds;
    });
  });

  it('Way 1: the pools survive MetalLB, ferrolb installs in its place and keeps every IP', async () => {
    await installStandIn();
    await createMetallbState();
    await runDoc('keep');
    expect(readFileSync(join(workDirectory, 'metallb-pools-backup.yaml'), 'utf8')).toContain('production');
    await runDoc('way-1');
    expect(await poolNames()).toEqual(['production']);
    expect(await shell('helm list -n metallb-system -q')).toBe('ferrolb\n');
    // The controller the chart installed, on the chart's ServiceAccount: the IP MetalLB gave stays.
    const token = await mintServiceAccountToken(admin, 'controller');
    const identity = kubeConfigFor(server.url, 'system:serviceaccount:metallb-system:controller', token);
    controller = await startControllerProcess({
      runDirectory: server.runDirectory,
      kubeconfigPath: writeKubeConfig(identity, server.runDirectory, 'chart-controller'),
      name: 'migrated-controller',
    });
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespacedService({ namespace: 'default', body: serviceManifest('default', 'fresh') });
    await eventually(
      'the migrated controller to allocate',
      async () => {
        const fresh = await core.readNamespacedService({ name: 'fresh', namespace: 'default' });
        return ingressOf(fresh).length === 1 ? fresh : undefined;
      },
      { context: () => controller?.log() ?? '' },
    );
    const web = await core.readNamespacedService({ name: 'web', namespace: 'default' });
    expect(ingressOf(web)).toEqual(['198.51.100.7']);
    expect(web.metadata?.annotations?.['metallb.io/ip-allocated-from-pool']).toBe('production');
    await controller.stop();
    controller = undefined;
    await shell('helm uninstall ferrolb -n metallb-system');
  });

  it('Way 2: side by side with a class; moved Services keep the class; MetalLB leaves, pools stay', async () => {
    await installStandIn();
    await runDoc('keep');
    await runDoc('way-2');
    expect(await poolNames()).toEqual(['production']);
    expect(await shell('helm list -A -q')).toBe('ferrolb\n');
    const core = admin.makeApiClient(CoreV1Api);
    const web = await core.readNamespacedService({ name: 'web', namespace: 'default' });
    expect(web.spec?.loadBalancerClass).toBe('ferrolb.io/l2');
    const values = await shell('helm get values ferrolb -n ferrolb-system -o json');
    expect(JSON.parse(values)).toMatchObject({ loadBalancerClass: 'ferrolb.io/l2' });
  });

  it("MetalLB's native manifest: its workloads and webhook go, its CRDs and pools stay", async () => {
    const manifest = join(workDirectory, 'native.yaml');
    writeFileSync(manifest, nativeWorkloads());
    await shell(`kubectl apply -f ${manifest}`);
    await runDoc('native');
    expect(await poolNames()).toEqual(['production']);
    const left = await shell(
      'kubectl get -n metallb-system deployment,daemonset -o name; kubectl get validatingwebhookconfiguration -o name',
    );
    expect(left).not.toMatch(
      /deployment.apps\/controller|daemonset.apps\/speaker|metallb-webhook-configuration/,
    );
  });
});

/** The objects MetalLB's native manifest adds beside the CRDs, as far as the doc removes them. */
function nativeWorkloads(): string {
  const pod = (name: string) => ({
    selector: { matchLabels: { app: 'metallb', component: name } },
    template: {
      metadata: { labels: { app: 'metallb', component: name } },
      spec: { containers: [{ name, image: 'quay.io/metallb/controller:v0.15.2' }] },
    },
  });
  const objects = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'controller', namespace: 'metallb-system' },
      spec: pod('controller'),
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'speaker', namespace: 'metallb-system' },
      spec: pod('speaker'),
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'metallb-webhook-configuration' },
      webhooks: [],
    },
  ];
  return objects.map((object) => stringify(object)).join('---\n');
}
