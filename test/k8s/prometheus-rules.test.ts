// The alert rules, checked and exercised by Debian's real promtool: each alert fires on the series it
// is meant for, from the first sample where that matters, and stays quiet otherwise. The rules have
// one source, the chart's template; deploy/monitoring/prometheus-rules.yaml must be its default
// rendering (real helm), and values (thresholds, excludePools, extraAlerts) reach promtool too.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { readManifest } from './harness/index.js';
import { ensureHelm, findObject, renderChart, withoutHelmLabels } from './helm-render.js';
import {
  type AlertCase,
  CONFLICT_CASES,
  POOL_CASES,
  pool,
  SIDE_BY_SIDE_CASES,
} from './prometheus-rules-cases.js';
import { ensurePrometheus, promtool, writeRuleFile } from './prometheus-tools.js';

let directory: string;
let ruleFile: string;
let customRuleFile: string;
let helmBinary: string;

/** Values a MetalLB user sets on the rules: other thresholds, excluded pools, an extra alert. */
const CUSTOM = {
  prometheus: {
    prometheusRule: {
      enabled: true,
      addressPoolUsage: {
        thresholds: [{ percent: 50, labels: { severity: 'info' } }],
        excludePools: '^lab-.*',
      },
      addressConflict: { enabled: false },
      extraAlerts: [
        {
          alert: 'FerrolbSpeakerDown',
          expr: 'up{job="metallb"} == 0',
          for: '1m',
          labels: { severity: 'warning' },
        },
      ],
    },
  },
};

/** The chart's PrometheusRule for `values`, as a plain Prometheus rule file. */
async function chartRules(values: Record<string, unknown>, label: string): Promise<KubernetesObject> {
  return findObject(await renderChart(helmBinary, { values, label }), 'PrometheusRule', 'ferrolb');
}

beforeAll(async () => {
  await ensurePrometheus();
  helmBinary = await ensureHelm();
  directory = mkdtempSync(join(tmpdir(), 'ferrolb-promtool-'));
  ruleFile = writeRuleFile(directory);
  const custom = (await chartRules(CUSTOM, 'rules-custom')) as KubernetesObject & {
    spec: { groups: unknown };
  };
  customRuleFile = join(directory, 'custom-rules.yaml');
  writeFileSync(customRuleFile, stringify({ groups: custom.spec.groups }));
});

afterAll(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

/** promtool compares annotations too: expand the rule's `{{ $labels.x }}` templates for `labels`. */
function expectedAnnotations(file: string, alertname: string, labels: Record<string, string>) {
  const groups = (parse(readFileSync(file, 'utf8')) as { groups: { rules: Record<string, unknown>[] }[] })
    .groups;
  const rule = groups.flatMap((group) => group.rules).find((candidate) => candidate.alert === alertname);
  const templates = (rule?.annotations ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(templates).map(([key, text]) => [
      key,
      text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => labels[label] ?? ''),
    ]),
  );
}

let testFiles = 0;

/** Runs one case through `promtool test rules` against `file`. */
async function runCase(file: string, { series, alertname, expect: expectations }: AlertCase) {
  const testFile = join(directory, `case-${testFiles++}.yaml`);
  const alertTests = expectations.map(({ at, firing }) => ({
    eval_time: at,
    alertname,
    exp_alerts: firing.map((labels) => ({
      exp_labels: labels,
      exp_annotations: expectedAnnotations(file, alertname, labels),
    })),
  }));
  const tests = [{ interval: '1m', input_series: series, alert_rule_test: alertTests }];
  writeFileSync(testFile, stringify({ rule_files: [file], evaluation_interval: '1m', tests }));
  return promtool(['test', 'rules', testFile], directory);
}

describe('one source for the alerts', () => {
  it('issue 13 #6: deploy/monitoring/prometheus-rules.yaml is the chart template rendered with defaults', async () => {
    const rendered = await chartRules({ prometheus: { prometheusRule: { enabled: true } } }, 'rules-default');
    const [deployed] = readManifest('monitoring/prometheus-rules.yaml');
    expect(withoutHelmLabels(rendered)).toEqual(deployed);
  });
});

describe('alert rules under promtool', () => {
  it('M7: promtool check rules accepts the rule file', async () => {
    const result = await promtool(['check', 'rules', ruleFile], directory);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS: 7 rules found');
  });

  it.each([...POOL_CASES, ...SIDE_BY_SIDE_CASES, ...CONFLICT_CASES])('$rule', async (alertCase) => {
    const result = await runCase(ruleFile, alertCase);
    expect(result.code, result.output).toBe(0);
  });
});

describe('chart values reach the rules (issue 13 #4)', () => {
  it('D11: custom thresholds and an extra alert replace the defaults; the conflict alert can be turned off', async () => {
    const result = await promtool(['check', 'rules', customRuleFile], directory);
    expect(result.code, result.output).toBe(0);
    const names = (
      parse(readFileSync(customRuleFile, 'utf8')) as { groups: { rules: { alert: string }[] }[] }
    ).groups
      .flatMap((group) => group.rules)
      .map((rule) => rule.alert);
    expect(names).toEqual([
      'MetalLBStaleConfig',
      'MetalLBConfigNotLoaded',
      'MetalLBAddressPoolExhausted',
      'MetalLBAddressPoolUsage50Percent',
      'FerrolbSpeakerDown',
    ]);
  });

  it.each<AlertCase>([
    {
      rule: 'D11: a 50% threshold with its own labels fires at 60%, an excluded pool does not',
      series: [...pool('prod', 6, 10), ...pool('lab-1', 9, 10)],
      alertname: 'MetalLBAddressPoolUsage50Percent',
      expect: [{ at: '5m', firing: [{ pool: 'prod', severity: 'info' }] }],
    },
    {
      rule: 'D11: an extra alert from values is evaluated',
      series: [{ series: 'up{job="metallb",pod="speaker-a"}', values: '0x10' }],
      alertname: 'FerrolbSpeakerDown',
      expect: [{ at: '5m', firing: [{ job: 'metallb', pod: 'speaker-a', severity: 'warning' }] }],
    },
  ])('$rule', async (alertCase) => {
    const result = await runCase(customRuleFile, alertCase);
    expect(result.code, result.output).toBe(0);
  });
});

/** The dashboard's queries as Grafana sends them with every variable at "All" (the regex .*). */
const dashboardQueries = (
  JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'deploy/monitoring/grafana-dashboard.json'), 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  }
).panels.flatMap((panel) =>
  panel.targets.map((target) => ({
    title: panel.title,
    expr: target.expr.replace(/\$(job|namespace|pool|node)\b/g, '.*'),
  })),
);

describe('the dashboard tells installations apart (issue 13 #6)', () => {
  const twoInstallations = [
    ...pool('default', 8, 10, { job: 'metallb', namespace: 'ferrolb-system' }),
    ...pool('default', 4, 4, { job: 'metallb', namespace: 'metallb-system' }),
  ];

  it.each([
    {
      title: 'Pool usage',
      want: [
        { labels: '{job="metallb", namespace="ferrolb-system", pool="default"}', value: 80 },
        { labels: '{job="metallb", namespace="metallb-system", pool="default"}', value: 100 },
      ],
    },
  ])('M2: panel "$title" shows one series per installation, under promtool', async ({ title, want }) => {
    const query = dashboardQueries.find((entry) => entry.title === title);
    expect(query, `panel ${title}`).toBeDefined();
    const emptyRules = join(directory, 'no-rules.yaml');
    writeFileSync(emptyRules, stringify({ groups: [] }));
    const testFile = join(directory, `dashboard-${testFiles++}.yaml`);
    const expression = { expr: query?.expr, eval_time: '5m', exp_samples: want };
    const tests = [{ interval: '1m', input_series: twoInstallations, promql_expr_test: [expression] }];
    writeFileSync(testFile, stringify({ rule_files: [emptyRules], evaluation_interval: '1m', tests }));
    const result = await promtool(['test', 'rules', testFile], directory);
    expect(result.code, result.output).toBe(0);
  });

  it.each(dashboardQueries)('M2: panel "$title" keeps job and namespace: $expr', ({ expr }) => {
    for (const grouping of expr.match(/\bby \([^)]*\)/g) ?? [])
      expect(grouping).toMatch(/^by \(job, namespace\b/);
    expect(expr).not.toMatch(/\b(sum|min|max|count)\s*\(/);
  });
});
