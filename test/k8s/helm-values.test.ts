// issue 13 #4: MetalLB's chart values, honoured by ferrolb's chart as rendered by the real helm: a
// MetalLB values file renders and keeps its layer-2 settings, values.schema.json refuses bad
// types, names follow nameOverride/fullnameOverride, and the objects MetalLB's chart has (NOTES,
// ServiceMonitors, PrometheusRule, PodDisruptionBudget, component labels) are there.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  KubernetesObject,
  V1ClusterRoleBinding,
  V1DaemonSet,
  V1Deployment,
  V1PodDisruptionBudget,
  V1Role,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { ensureHelm, findObject, renderChart, renderChartText } from './helm-render.js';
import { METALLB_VALUES } from './metallb-values.js';

let helmBinary: string;
let metallb: KubernetesObject[];
let defaults: KubernetesObject[];

beforeAll(async () => {
  helmBinary = await ensureHelm();
  metallb = await renderChart(helmBinary, { values: METALLB_VALUES, release: 'metallb', label: 'metallb' });
  defaults = await renderChart(helmBinary);
});

const deployment = (objects: KubernetesObject[], name = 'controller') =>
  findObject<V1Deployment>(objects, 'Deployment', name);
const daemonSet = (objects: KubernetesObject[], name = 'speaker') =>
  findObject<V1DaemonSet>(objects, 'DaemonSet', name);
const kinds = (objects: KubernetesObject[]) => objects.map((object) => object.kind);

describe('a MetalLB values file keeps its layer-2 settings', () => {
  it('D11: the controller keeps scheduling, account, security, probes, labels and log level', () => {
    const controller = deployment(metallb);
    const pod = controller.spec?.template.spec;
    const container = pod?.containers[0];
    expect(controller.spec?.strategy).toEqual(METALLB_VALUES.controller.strategy);
    expect(pod?.serviceAccountName).toBe('lb-controller');
    expect(pod?.nodeSelector).toMatchObject(METALLB_VALUES.controller.nodeSelector);
    expect(pod?.tolerations).toEqual(METALLB_VALUES.controller.tolerations);
    expect(pod?.priorityClassName).toBe('system-cluster-critical');
    expect(pod?.runtimeClassName).toBe('runc');
    expect(pod?.affinity?.nodeAffinity).toEqual(METALLB_VALUES.controller.affinity.nodeAffinity);
    expect(pod?.securityContext).toMatchObject(METALLB_VALUES.controller.securityContext);
    expect(pod?.imagePullSecrets).toEqual([{ name: 'registry' }]);
    expect(controller.spec?.template.metadata?.labels).toMatchObject({ team: 'network' });
    expect(controller.spec?.template.metadata?.annotations).toEqual({ 'example.com/owner': 'network' });
    expect(container?.resources?.limits).toEqual({ cpu: '100m', memory: '100Mi' });
    expect(container?.args).toContain('--log-level=debug');
    expect(container?.livenessProbe).toMatchObject({
      failureThreshold: 5,
      initialDelaySeconds: 20,
      periodSeconds: 15,
      successThreshold: 1,
      timeoutSeconds: 2,
    });
    expect(container?.readinessProbe).toBeUndefined();
    expect(container?.image, 'one ferrolb image, not MetalLB per-component images').toBe(
      'ghcr.io/ferrolb/ferrolb:0.1.0',
    );
  });

  it('D11: the speaker keeps its account, gossip Secret, strategy, probes and flags, and stays uid 0', () => {
    const speaker = daemonSet(metallb);
    const pod = speaker.spec?.template.spec;
    const container = pod?.containers[0];
    expect(speaker.spec?.updateStrategy).toEqual(METALLB_VALUES.speaker.updateStrategy);
    expect(pod?.serviceAccountName).toBe('existing-speaker');
    expect(pod?.tolerations, 'tolerateMaster: false').toEqual(METALLB_VALUES.speaker.tolerations);
    expect(pod?.priorityClassName).toBe('system-node-critical');
    expect(pod?.volumes?.find((volume) => volume.name === 'memberlist')?.secret?.secretName).toBe(
      'lb-memberlist',
    );
    expect(container?.args).toEqual(expect.arrayContaining(['--log-level=warn', '--ignore-exclude-lb']));
    expect(container?.startupProbe).toMatchObject({ failureThreshold: 40, periodSeconds: 3 });
    expect(container?.livenessProbe).toMatchObject({
      failureThreshold: 4,
      periodSeconds: 7,
      timeoutSeconds: 3,
    });
    expect(container?.securityContext).toMatchObject({ runAsUser: 0, capabilities: { add: ['NET_RAW'] } });
    const env = deployment(metallb).spec?.template.spec?.containers[0]?.env;
    expect(env?.find((variable) => variable.name === 'METALLB_ML_SECRET_NAME')?.value).toBe('lb-memberlist');
  });

  it('D11: accounts: the controller one is created with its annotations, the speaker one is not', () => {
    // The HTTPS metrics reader's account comes with the metrics RBAC (rbac.create), not from these values.
    const accounts = metallb.filter(
      (object) => object.kind === 'ServiceAccount' && object.metadata?.name !== 'metallb-metrics-reader',
    );
    expect(accounts.map((account) => [account.metadata?.name, account.metadata?.annotations])).toEqual([
      ['lb-controller', { 'example.com/role': 'lb' }],
    ]);
    const binding = findObject<V1ClusterRoleBinding>(metallb, 'ClusterRoleBinding', 'metallb-system:speaker');
    expect(binding.subjects?.[0]?.name).toBe('existing-speaker');
    const role = findObject<V1Role>(metallb, 'Role', 'speaker');
    expect((role.rules ?? []).flatMap((rule) => rule.resourceNames ?? [])).toContain('lb-memberlist');
  });

  it('D11: crds.enabled (MetalLB) is accepted: the CRDs stay in crds/ (--skip-crds leaves them out); scrapeAnnotations false none on the pods', () => {
    expect(kinds(metallb).filter((kind) => kind === 'CustomResourceDefinition')).toHaveLength(4);
    expect(daemonSet(metallb).spec?.template.metadata?.annotations).toBeUndefined();
  });

  it('M1, issue 13 #6: ServiceMonitors carry the labels and interval, and set job="metallb"', () => {
    const monitor = findObject(metallb, 'ServiceMonitor', 'speaker-monitor') as KubernetesObject & {
      spec: { endpoints: { interval?: string; relabelings?: unknown[] }[] };
    };
    expect(monitor.metadata?.labels).toMatchObject({ release: 'kps' });
    expect(monitor.spec.endpoints[0]?.interval).toBe('30s');
    expect(monitor.spec.endpoints[0]?.relabelings).toEqual([
      { targetLabel: 'job', replacement: 'metallb' },
      ...METALLB_VALUES.prometheus.serviceMonitor.relabelings,
    ]);
    expect(findObject(metallb, 'Service', 'speaker-monitor')).toBeDefined();
  });

  it('M7: the PrometheusRule follows the rule values (threshold 70, a rule off, an extra alert)', () => {
    const rule = findObject(metallb, 'PrometheusRule', 'ferrolb') as KubernetesObject & {
      spec: { groups: { rules: { alert: string; labels: Record<string, string> }[] }[] };
    };
    const rules = rule.spec.groups.flatMap((group) => group.rules);
    expect(rule.metadata?.labels).toMatchObject({ release: 'kps' });
    expect(rules.map((entry) => entry.alert)).toEqual([
      'MetalLBStaleConfig',
      'MetalLBAddressPoolExhausted',
      'MetalLBAddressPoolUsage70Percent',
      'FerrolbAddressConflict',
      'MetalLBSpeakerDown',
    ]);
    expect(rules[1]?.labels).toEqual({ severity: 'page' });
  });
});

describe('values.schema.json', () => {
  it.each([
    { set: 'controller.replicas=two', want: "at '/controller/replicas': got string, want integer" },
    { set: 'speaker.logLevel=verbose', want: "at '/speaker/logLevel'" },
    { set: 'prometheus.metricsPort=0', want: "at '/prometheus/metricsPort'" },
    { set: 'speaker.livenessProbe.periodSeconds=often', want: "at '/speaker/livenessProbe/periodSeconds'" },
  ])('D11: --set $set fails to render, naming the value', async ({ set, want }) => {
    const rendered = renderChartText(helmBinary, { label: 'schema', values: setValue(set) });
    await expect(rendered).rejects.toThrow(want);
  });

  it('D11: MetalLB log levels all and none are accepted', async () => {
    const objects = await renderChart(helmBinary, { values: { speaker: { logLevel: 'all' } }, label: 'all' });
    expect(daemonSet(objects).spec?.template.spec?.containers[0]?.args).toContain('--log-level=all');
  });
});

/** `a.b.c=v` as a nested values object (the value kept a string, as `--set-string` would). */
function setValue(assignment: string): Record<string, unknown> {
  const [path = '', value] = assignment.split('=');
  return path
    .split('.')
    .reverse()
    .reduce<unknown>(
      (inner, key) => ({ [key]: inner }),
      Number.isNaN(Number(value)) ? value : Number(value),
    ) as Record<string, unknown>;
}

describe('names, RBAC, labels and the disruption budget', () => {
  it.each([
    {
      rule: 'D11: fullnameOverride prefixes every workload',
      values: { fullnameOverride: 'lb' },
      release: 'x',
      want: 'lb',
    },
    {
      rule: "D11: nameOverride takes MetalLB's fullname rule",
      values: { nameOverride: 'metallb' },
      release: 'metallb',
      want: 'metallb',
    },
    {
      rule: 'D11: nameOverride beside another release name',
      values: { nameOverride: 'metallb' },
      release: 'edge',
      want: 'edge-metallb',
    },
  ])('$rule', async ({ values, release, want }) => {
    const objects = await renderChart(helmBinary, { values, release, label: 'names' });
    const controller = deployment(objects, `${want}-controller`);
    expect(daemonSet(objects, `${want}-speaker`).spec?.template.spec?.serviceAccountName).toBe(
      `${want}-speaker`,
    );
    expect(controller.spec?.template.spec?.serviceAccountName).toBe(`${want}-controller`);
    const env = controller.spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.find((variable) => variable.name === 'METALLB_DEPLOYMENT')?.value).toBe(`${want}-controller`);
    const role = findObject<V1Role>(objects, 'Role', `${want}-controller`);
    expect((role.rules ?? []).find((rule) => rule.resources?.includes('deployments'))?.resourceNames).toEqual(
      [`${want}-controller`],
    );
    findObject(objects, 'ClusterRole', `metallb-system:${want}-speaker`);
    findObject(objects, 'PodDisruptionBudget', `${want}-controller`);
  });

  it('D11: rbac.create false renders no role or binding, but still the accounts', async () => {
    const objects = await renderChart(helmBinary, { values: { rbac: { create: false } }, label: 'norbac' });
    expect(kinds(objects).filter((kind) => /Role/.test(kind ?? ''))).toEqual([]);
    expect(kinds(objects).filter((kind) => kind === 'ServiceAccount')).toHaveLength(2);
  });

  it.each(['Deployment', 'DaemonSet', 'PodDisruptionBudget'])(
    'D11: %s carries app.kubernetes.io/component, its pods too',
    (kind) => {
      const object = defaults.find((candidate) => candidate.kind === kind) as V1Deployment;
      const component = kind === 'DaemonSet' ? 'speaker' : 'controller';
      expect(object.metadata?.labels?.['app.kubernetes.io/component']).toBe(component);
      if (kind !== 'PodDisruptionBudget')
        expect(object.spec?.template.metadata?.labels?.['app.kubernetes.io/component']).toBe(component);
    },
  );

  it('D11: the controller PodDisruptionBudget lets one replica go, selects the controllers, can be off', async () => {
    const budget = findObject<V1PodDisruptionBudget>(defaults, 'PodDisruptionBudget', 'controller');
    expect(budget.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { app: 'metallb', component: 'controller' } },
    });
    const objects = await renderChart(helmBinary, {
      values: { controller: { podDisruptionBudget: { enabled: false } } },
      label: 'nopdb',
    });
    expect(kinds(objects)).not.toContain('PodDisruptionBudget');
  });

  it('D11: probes can be turned off one by one', async () => {
    const objects = await renderChart(helmBinary, {
      values: { speaker: { livenessProbe: { enabled: false }, startupProbe: { enabled: false } } },
      label: 'probes',
    });
    const container = daemonSet(objects).spec?.template.spec?.containers[0];
    expect([container?.livenessProbe, container?.startupProbe]).toEqual([undefined, undefined]);
    expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
  });
});

/** MetalLB's values as docs/helm.md lists them: Kubernetes objects and alert blocks as a whole. */
const WHOLE =
  /(^|\.)(resources|nodeSelector|securityContext|affinity|strategy|updateStrategy|labels|additionalLabels|annotations|podAnnotations|tlsConfig|image|tolerations|livenessProbe|readinessProbe|startupProbe|serviceAccount|frr|reloader|frrMetrics|initContainers|tls|frrk8s|frr-k8s|networkpolicies|staleConfig|configNotLoaded|addressPoolExhausted|addressPoolUsage|bgpSessionDown|memberlist|excludeInterfaces|crds|rbac)$/;

function metallbPaths(node: unknown, prefix: string): string[] {
  const isMap = typeof node === 'object' && node !== null && !Array.isArray(node);
  if (!isMap || Object.keys(node).length === 0 || WHOLE.test(prefix)) return [prefix];
  return Object.entries(node).flatMap(([key, child]) =>
    metallbPaths(child, prefix ? `${prefix}.${key}` : key),
  );
}

describe("docs/helm.md says what happens to each of MetalLB's values", () => {
  const markdown = readFileSync(join(REPOSITORY_ROOT, 'docs', 'helm.md'), 'utf8');
  const section = markdown.slice(
    markdown.indexOf("## MetalLB's values"),
    markdown.indexOf('## Example values'),
  );

  it.each(metallbPaths(METALLB_VALUES, ''))('D11: %s', (path) => {
    expect(section).toContain(`\`${path}\``);
  });
});
