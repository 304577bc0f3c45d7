// `helm install` and `helm uninstall` of the chart for real, against the test API server (no
// kubelet: the objects are stored, not run). What the API server stores is the last word on
// what Go's YAML made of the chart (volume modes, issue 11); the chart's crds/ must leave CRDs it
// did not create alone and keep every CRD on uninstall (issue 13 #4).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CustomObjectsApi,
  type KubernetesObject,
  PolicyV1Api,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from './harness/index.js';
import { CHART, ensureHelm, valuesFile } from './helm-render.js';
import { METALLB_VALUES } from './metallb-values.js';

const run = promisify(execFile);
const NAMESPACE = 'ferrolb-helm-install';
const OWN_CRD = 'servicel2statuses.metallb.io';

let cluster: TestCluster;
let helmBinary: string;

/** Runs helm against the test API server as its admin. */
async function helmRun(args: readonly string[]): Promise<string> {
  const kubeconfig = cluster.kubeconfigPath('admin');
  try {
    return (await run(helmBinary, [...args, '--kubeconfig', kubeconfig], { maxBuffer: 16 * 1024 * 1024 }))
      .stdout;
  } catch (error) {
    throw new Error(`helm ${args.join(' ')}: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}

/** MetalLB's values without the monitors (no Prometheus Operator CRDs on this API server), CRDs on. */
const VALUES = {
  ...METALLB_VALUES,
  crds: { enabled: true },
  prometheus: {
    ...METALLB_VALUES.prometheus,
    serviceMonitor: { enabled: false },
    prometheusRule: { enabled: false },
  },
  defaultPool: { addresses: ['198.51.100.64/28'] },
};

let installOutput: string;

beforeAll(async () => {
  helmBinary = await ensureHelm();
  cluster = await startTestCluster();
  // The harness applied deploy/crds with kubectl-like creates (no Helm owner). Remove one, so the
  // chart creates that one itself and leaves the three others to their owner.
  await cluster.admin.makeApiClient(ApiextensionsV1Api).deleteCustomResourceDefinition({ name: OWN_CRD });
  // The harness applied deploy/metrics-rbac.yaml; its cluster-wide reader objects would belong to
  // no release, as after `kubectl apply -k deploy/`, and Helm refuses to adopt them.
  const rbac = cluster.admin.makeApiClient(RbacAuthorizationV1Api);
  await rbac.deleteClusterRoleBinding({ name: 'metallb-metrics-reader' });
  await rbac.deleteClusterRole({ name: 'metallb-metrics-reader' });
  await waitForCrdGone(OWN_CRD);
  installOutput = await helmRun([
    'install',
    'metallb',
    CHART,
    '-n',
    NAMESPACE,
    '--create-namespace',
    '-f',
    valuesFile(VALUES, 'install'),
  ]);
});

afterAll(async () => {
  await cluster?.stop();
});

async function waitForCrdGone(name: string): Promise<void> {
  const api = cluster.admin.makeApiClient(ApiextensionsV1Api);
  for (let attempt = 0; attempt < 100; attempt++) {
    const present = await api.readCustomResourceDefinition({ name }).then(
      () => true,
      () => false,
    );
    if (!present) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`CRD ${name} was not deleted`);
}

const annotationsOf = async (name: string) =>
  (await cluster.admin.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name })).metadata
    ?.annotations ?? {};

describe('helm install of a MetalLB values file on the API server', () => {
  it('issue 11: the API server stores the speaker volume modes the chart means (0400, 0444)', async () => {
    const speaker = await cluster.admin
      .makeApiClient(AppsV1Api)
      .readNamespacedDaemonSet({ name: 'speaker', namespace: NAMESPACE });
    const modes = speaker.spec?.template.spec?.volumes?.map((volume) => [
      volume.name,
      (volume.secret?.defaultMode ?? volume.configMap?.defaultMode)?.toString(8),
    ]);
    expect(modes).toEqual([
      ['memberlist', '400'],
      ['metallb-excludel2', '444'],
    ]);
    expect(speaker.spec?.template.spec?.containers[0]?.securityContext?.runAsUser).toBe(0);
  });

  it('D11: the controller Deployment and its PodDisruptionBudget are stored with the MetalLB settings', async () => {
    const controller = await cluster.admin
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: 'controller', namespace: NAMESPACE });
    expect(controller.spec?.template.spec?.serviceAccountName).toBe('lb-controller');
    expect(controller.spec?.template.spec?.containers[0]?.livenessProbe?.periodSeconds).toBe(15);
    const budget = await cluster.admin
      .makeApiClient(PolicyV1Api)
      .readNamespacedPodDisruptionBudget({ name: 'controller', namespace: NAMESPACE });
    expect(budget.spec?.maxUnavailable).toBe(1);
  });

  it('D11: NOTES.txt names the pool and how to check it', () => {
    expect(installOutput).toContain(`ferrolb 0.1.0 is installed in namespace ${NAMESPACE}`);
    expect(installOutput).toContain('Pool default (198.51.100.64/28) is announced from every eligible node');
    expect(installOutput).toContain("MetalLB's BGP settings; ferrolb is layer 2 only");
  });

  it('issue 11: NOTES.txt warns when the speaker is set to run as non-root, and says no pool was made', async () => {
    const output = await helmRun([
      'install',
      'nonroot',
      CHART,
      '-n',
      'ferrolb-helm-nonroot',
      '--create-namespace',
      '--dry-run=server',
      '--set',
      'speaker.containerSecurityContext.runAsUser=65534',
      // A second release beside `metallb`: the cluster-wide objects (HTTPS-metrics reader role,
      // the webhook configuration) are that one's.
      '--set',
      'rbac.create=false',
      '--set',
      'webhook.enabled=false',
    ]);
    expect(output).toContain('WARNING: speaker.containerSecurityContext.runAsUser is 65534');
    expect(output).toContain('The chart created no default pool.');
  });

  it("issue 13 #4: a CRD someone else created is left alone; a missing one is created from the chart's crds/", async () => {
    expect(await annotationsOf('ipaddresspools.metallb.io')).not.toHaveProperty('meta.helm.sh/release-name');
    // Created by this install (the harness deleted it), from crds/: Helm neither owns nor deletes it.
    expect(await annotationsOf(OWN_CRD)).not.toHaveProperty('meta.helm.sh/release-name');
  });

  it('issue 13 #4: helm uninstall removes the workloads and the chart pool, keeps every CRD and the user pools', async () => {
    const custom = cluster.admin.makeApiClient(CustomObjectsApi);
    const pools = { group: 'metallb.io', version: 'v1beta1', namespace: NAMESPACE, plural: 'ipaddresspools' };
    const userPool: KubernetesObject & { spec: unknown } = {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'user-pool', namespace: NAMESPACE },
      spec: { addresses: ['198.51.100.80/28'] },
    };
    await custom.createNamespacedCustomObject({ ...pools, body: userPool });
    await helmRun(['uninstall', 'metallb', '-n', NAMESPACE, '--wait']);
    const apps = cluster.admin.makeApiClient(AppsV1Api);
    expect((await apps.listNamespacedDeployment({ namespace: NAMESPACE })).items).toEqual([]);
    for (const name of [OWN_CRD, 'ipaddresspools.metallb.io', 'l2advertisements.metallb.io'])
      expect(await annotationsOf(name).then(() => 'present')).toBe('present');
    const left = (await custom.listNamespacedCustomObject(pools)) as { items: KubernetesObject[] };
    expect(left.items.map((pool) => pool.metadata?.name)).toEqual(['user-pool']);
  });
});
