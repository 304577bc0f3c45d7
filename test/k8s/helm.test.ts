// The Helm chart, rendered by a real `helm template` / `helm lint` (helm built from the Go module
// proxy) and applied to the real test API server, whose validation includes the CRD schemas.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CustomObjectsApi,
  type KubernetesObject,
  type V1DaemonSet,
  type V1Deployment,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { statusCodeOf } from '../../src/k8s/index.js';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import {
  applyObjects,
  readManifest,
  SYSTEM_NAMESPACE,
  startTestCluster,
  type TestCluster,
} from './harness/index.js';
import {
  CHART,
  ensureHelm,
  findObject,
  helm,
  renderChart,
  valuesFile,
  withoutHelmLabels,
} from './helm-render.js';
import { METALLB_VALUES } from './metallb-values.js';

const SHARE_ANNOTATION = 'metallb.universe.tf/share-address-pool';

/** A values file using every knob a MetalLB user would: pools, advertisements, class, gossip. */
const CONFIGURED = {
  loadBalancerClass: 'ferrolb.io/lb',
  defaultPool: { addresses: ['203.0.113.10-203.0.113.50', '2001:db8:1::100/120'] },
  sharedDefaultPool: true,
  pools: [
    {
      name: 'reserved',
      addresses: ['198.51.100.200/29'],
      autoAssign: false,
      avoidBuggyIPs: true,
      serviceAllocation: { priority: 10, namespaces: ['team-a'] },
    },
    { name: 'shared-extra', addresses: ['198.51.100.240/30'], shared: true, labels: { tier: 'edge' } },
  ],
  defaultL2Advertisement: {
    interfaces: ['eth0'],
    nodeSelectors: [{ matchLabels: { 'ferrolb.io/edge': 'true' } }],
  },
  l2Advertisements: [{ name: 'edge', ipAddressPoolSelectors: [{ matchLabels: { tier: 'edge' } }] }],
  speaker: { memberlist: { secretKey: 'c2VjcmV0LWZvci10ZXN0cw', mlBindPort: 7947 }, ignoreExcludeLB: true },
};

let helmBinary: string;
let defaults: KubernetesObject[];
let configured: KubernetesObject[];

beforeAll(async () => {
  helmBinary = await ensureHelm();
  defaults = await renderChart(helmBinary);
  configured = await renderChart(helmBinary, { values: CONFIGURED, label: 'configured' });
});

function argsOf(
  objects: readonly KubernetesObject[],
  kind: 'Deployment' | 'DaemonSet',
  name: string,
): string[] {
  const workload = findObject<V1Deployment | V1DaemonSet>(objects, kind, name);
  return workload.spec?.template.spec?.containers[0]?.args ?? [];
}

describe('helm lint and template', () => {
  it.each([
    { rule: 'D11: the chart lints with its defaults', values: undefined },
    { rule: 'D11: the chart lints with pools, advertisements and gossip set', values: CONFIGURED },
    { rule: 'D11: the chart lints with a MetalLB values file', values: METALLB_VALUES },
  ])('$rule', async ({ values }) => {
    const args = ['lint', '--strict', CHART];
    if (values) args.push('-f', valuesFile(values, 'lint'));
    expect(await helm(helmBinary, args)).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('D11: the example values of docs/helm.md lint and render', async () => {
    const markdown = readFileSync(join(REPOSITORY_ROOT, 'docs', 'helm.md'), 'utf8');
    const example = /## Example values\s+```yaml\n([\s\S]*?)```/.exec(markdown)?.[1];
    expect(example, 'docs/helm.md has an example values block').toBeDefined();
    const values = parse(example ?? '') as Record<string, unknown>;
    expect(await helm(helmBinary, ['lint', '--strict', CHART, '-f', valuesFile(values, 'docs')])).toContain(
      '0 chart(s) failed',
    );
    const objects = await renderChart(helmBinary, { values, label: 'docs' });
    expect(findObject(objects, 'IPAddressPool', 'default').metadata?.annotations?.[SHARE_ANNOTATION]).toBe(
      'true',
    );
  });

  it.each(
    ['rbac.yaml', 'controller.yaml', 'speaker.yaml'].flatMap((file) =>
      readManifest(file).map((object) => ({ file, kind: object.kind, name: object.metadata?.name, object })),
    ),
  )('DESIGN drop-in: default render of $kind/$name equals deploy/$file', ({ kind, name, object }) => {
    const rendered = findObject(defaults, kind ?? '', name ?? '');
    expect(withoutHelmLabels(rendered)).toEqual(object);
  });

  it.each(['IPAddressPool', 'L2Advertisement'].map((kind) => ({ kind })))(
    'issue 13 #5: with no pool configured the chart renders no $kind',
    ({ kind }) => {
      expect(
        defaults.filter((object) => object.kind === kind).map((object) => object.metadata?.name),
      ).toEqual([]);
    },
  );

  it.each([
    {
      rule: 'DESIGN shared pools: sharedDefaultPool annotates the default pool',
      pool: 'default',
      want: 'true',
    },
    { rule: 'DESIGN shared pools: pools[].shared annotates that pool', pool: 'shared-extra', want: 'true' },
    { rule: 'DESIGN shared pools: other pools are not shared', pool: 'reserved', want: undefined },
  ])('$rule', ({ pool, want }) => {
    expect(findObject(configured, 'IPAddressPool', pool).metadata?.annotations?.[SHARE_ANNOTATION]).toBe(
      want,
    );
  });

  it('DESIGN shared pools: sharedDefaultPool false leaves the default pool unannotated', async () => {
    const objects = await renderChart(helmBinary, {
      values: { ...CONFIGURED, sharedDefaultPool: false },
      label: 'unshared',
    });
    expect(findObject(objects, 'IPAddressPool', 'default').metadata?.annotations).toBeUndefined();
  });

  it.each([
    { rule: 'C11: --lb-class reaches the controller', kind: 'Deployment' as const, name: 'controller' },
    { rule: 'C11: --lb-class reaches the speakers', kind: 'DaemonSet' as const, name: 'speaker' },
  ])('$rule', ({ kind, name }) => {
    expect(argsOf(configured, kind, name)).toContain('--lb-class=ferrolb.io/lb');
    expect(argsOf(defaults, kind, name).some((arg) => arg.startsWith('--lb-class'))).toBe(false);
  });

  it.each([
    { rule: 'ML2: a non-default gossip port is passed and exposed', want: '--ml-bindport=7947' },
    { rule: 'E5: ignoreExcludeLB is passed', want: '--ignore-exclude-lb' },
  ])('$rule', ({ want }) => {
    expect(argsOf(configured, 'DaemonSet', 'speaker')).toContain(want);
  });

  it('DESIGN drop-in: in another namespace both daemons get --namespace and the RBAC follows', async () => {
    const objects = await renderChart(helmBinary, { namespace: 'ferrolb-system', label: 'namespace' });
    expect(argsOf(objects, 'Deployment', 'controller')).toContain('--namespace=ferrolb-system');
    expect(argsOf(objects, 'DaemonSet', 'speaker')).toContain('--namespace=ferrolb-system');
    const binding = findObject(
      objects,
      'ClusterRoleBinding',
      'ferrolb-system:speaker',
    ) as KubernetesObject & {
      subjects?: { namespace?: string }[];
      roleRef?: { name?: string };
    };
    expect(binding.roleRef?.name).toBe('ferrolb-system:speaker');
    expect(binding.subjects?.[0]?.namespace).toBe('ferrolb-system');
    expect(argsOf(defaults, 'Deployment', 'controller').some((arg) => arg.startsWith('--namespace'))).toBe(
      false,
    );
  });

  it('ML1: with memberlist disabled the speaker gets no gossip address, port or Secret', async () => {
    const objects = await renderChart(helmBinary, {
      values: { speaker: { memberlist: { enabled: false } } },
      label: 'nogossip',
    });
    const speaker = findObject<V1DaemonSet>(objects, 'DaemonSet', 'speaker').spec?.template.spec;
    const container = speaker?.containers[0];
    expect(container?.env?.map((variable) => variable.name)).not.toContain('METALLB_ML_BIND_ADDR');
    expect(container?.ports?.map((port) => port.name)).toEqual(['monitoring']);
    expect(speaker?.volumes?.map((volume) => volume.name)).toEqual(['metallb-excludel2']);
  });

  it('ML3: a configured secret key is written to the Secret the speakers mount', () => {
    const secret = findObject(configured, 'Secret', 'memberlist') as KubernetesObject & {
      stringData?: Record<string, string>;
    };
    expect(secret.stringData).toEqual({ secretkey: CONFIGURED.speaker.memberlist.secretKey });
    expect(defaults.some((object) => object.kind === 'Secret')).toBe(false);
  });

  it('M1, issue 13 #6: prometheus.podMonitor renders a PodMonitor with job="metallb", off by default', async () => {
    const objects = await renderChart(helmBinary, {
      values: { prometheus: { podMonitor: { enabled: true } } },
      label: 'podmonitor',
    });
    const monitor = findObject(objects, 'PodMonitor', 'ferrolb') as KubernetesObject & {
      spec?: { selector?: unknown; podMetricsEndpoints?: { port?: string; relabelings?: unknown[] }[] };
    };
    expect(monitor.spec?.selector).toEqual({
      matchLabels: { app: 'metallb', 'app.kubernetes.io/instance': 'ferrolb' },
    });
    expect(monitor.spec?.podMetricsEndpoints?.map((endpoint) => endpoint.port)).toEqual(['monitoring']);
    expect(monitor.spec?.podMetricsEndpoints?.[0]?.relabelings).toEqual([
      { targetLabel: 'job', replacement: 'metallb' },
    ]);
    expect(defaults.some((object) => object.kind === 'PodMonitor')).toBe(false);
  });

  it('issue 13 #5, R3: the default advertisement names only the default pool, with its interfaces and node selectors', () => {
    const advertisement = findObject(configured, 'L2Advertisement', 'default') as KubernetesObject & {
      spec?: Record<string, unknown>;
    };
    expect(advertisement.spec).toEqual({ ipAddressPools: ['default'], ...CONFIGURED.defaultL2Advertisement });
  });

  it.each([
    {
      rule: 'issue 13 #5: pools of their own but no default pool: no catch-all advertisement',
      values: { pools: [{ name: 'own', addresses: ['198.51.100.8/29'] }] },
      want: [],
    },
    {
      rule: 'issue 13 #5: a renamed default pool is the one advertised',
      values: { defaultPool: { name: 'lan', addresses: ['198.51.100.16/29'] } },
      want: [{ name: 'default', spec: { ipAddressPools: ['lan'] } }],
    },
    {
      rule: 'issue 13 #5: defaultL2Advertisement.enabled false renders none beside the default pool',
      values: {
        defaultPool: { addresses: ['198.51.100.16/29'] },
        defaultL2Advertisement: { enabled: false },
      },
      want: [],
    },
  ])('$rule', async ({ values, want }) => {
    const objects = await renderChart(helmBinary, { values, label: 'advertisements' });
    const advertisements = objects
      .filter((object) => object.kind === 'L2Advertisement')
      .map((object) => ({ name: object.metadata?.name, spec: (object as { spec?: unknown }).spec }));
    expect(advertisements).toEqual(want);
  });

  it('V1: a pool without addresses fails to render, naming the pool', async () => {
    await expect(
      renderChart(helmBinary, { values: { pools: [{ name: 'empty' }] }, label: 'invalid' }),
    ).rejects.toThrow('pool empty needs addresses');
  });
});

describe('rendered objects on the test API server', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('D11: every rendered object (CRDs first) is accepted by the API server', async () => {
    const crds = configured.filter((object) => object.kind === 'CustomResourceDefinition');
    const rest = configured.filter((object) => object.kind !== 'CustomResourceDefinition');
    await applyObjects(cluster.admin, crds);
    await applyObjects(cluster.admin, rest);
    const custom = cluster.admin.makeApiClient(CustomObjectsApi);
    const pool = (await custom.getNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: SYSTEM_NAMESPACE,
      plural: 'ipaddresspools',
      name: 'default',
    })) as KubernetesObject & { spec: { autoAssign: boolean } };
    expect(pool.metadata?.annotations?.[SHARE_ANNOTATION]).toBe('true');
    expect(pool.spec.autoAssign).toBe(true);
  });

  it('R3: the schema check is live: a malformed L2Advertisement is refused', async () => {
    const malformed = {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'malformed', namespace: SYSTEM_NAMESPACE },
      spec: { interfaces: 'eth0' },
    };
    const outcome = await applyObjects(cluster.admin, [malformed]).then(
      () => 200,
      (error: unknown) => statusCodeOf(error) ?? -1,
    );
    expect(outcome).toBe(422);
  });
});
