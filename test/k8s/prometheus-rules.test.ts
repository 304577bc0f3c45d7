// The alert rules of deploy/monitoring, checked and exercised by Debian's real promtool: each alert
// fires on the series it is meant for and stays quiet below its threshold.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ensurePrometheus, promtool, writeRuleFile } from './prometheus-tools.js';

let directory: string;
let ruleFile: string;
let annotationsByAlert: Map<string, Record<string, string>>;

/** promtool compares annotations too: expand the rule's `{{ $labels.x }}` templates for `labels`. */
function expectedAnnotations(alertname: string, labels: Record<string, string>): Record<string, string> {
  const templates = annotationsByAlert.get(alertname) ?? {};
  return Object.fromEntries(
    Object.entries(templates).map(([key, text]) => [
      key,
      text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => labels[label] ?? ''),
    ]),
  );
}

beforeAll(async () => {
  await ensurePrometheus();
  directory = mkdtempSync(join(tmpdir(), 'ferrolb-promtool-'));
  ruleFile = writeRuleFile(directory);
  const groups = (
    parse(readFileSync(ruleFile, 'utf8')) as {
      groups: { rules: { alert: string; annotations: Record<string, string> }[] }[];
    }
  ).groups;
  annotationsByAlert = new Map(
    groups.flatMap((group) => group.rules).map((rule) => [rule.alert, rule.annotations]),
  );
});

afterAll(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

interface AlertCase {
  rule: string;
  series: { series: string; values: string }[];
  alertname: string;
  /** The labels of every alert expected to fire at 5m; empty: none may fire. */
  firing: Record<string, string>[];
}

const pool = (name: string, inUse: number, total: number) => [
  {
    series: `metallb_allocator_addresses_in_use_total{pool="${name}",pod="controller-1"}`,
    values: `${inUse}x10`,
  },
  { series: `metallb_allocator_addresses_total{pool="${name}",pod="controller-1"}`, values: `${total}x10` },
];

const cases: AlertCase[] = [
  {
    rule: 'M7: 80% used fires MetalLBAddressPoolUsage75Percent',
    series: pool('alpha', 8, 10),
    alertname: 'MetalLBAddressPoolUsage75Percent',
    firing: [{ pool: 'alpha', severity: 'warning' }],
  },
  {
    rule: 'M7: 80% used does not fire MetalLBAddressPoolUsage85Percent',
    series: pool('alpha', 8, 10),
    alertname: 'MetalLBAddressPoolUsage85Percent',
    firing: [],
  },
  {
    rule: 'M7: 90% used fires MetalLBAddressPoolUsage85Percent',
    series: pool('alpha', 9, 10),
    alertname: 'MetalLBAddressPoolUsage85Percent',
    firing: [{ pool: 'alpha', severity: 'warning' }],
  },
  {
    rule: 'M7: 96% used fires MetalLBAddressPoolUsage95Percent',
    series: pool('alpha', 96, 100),
    alertname: 'MetalLBAddressPoolUsage95Percent',
    firing: [{ pool: 'alpha', severity: 'critical' }],
  },
  {
    rule: 'M7: a full pool fires MetalLBAddressPoolExhausted, a fuller one does not',
    series: [...pool('full', 4, 4), ...pool('roomy', 3, 4)],
    alertname: 'MetalLBAddressPoolExhausted',
    firing: [{ pool: 'full', severity: 'critical' }],
  },
  {
    rule: 'M3: both controller replicas exporting the same pool do not break the usage alert',
    series: [
      ...pool('alpha', 8, 10),
      { series: 'metallb_allocator_addresses_in_use_total{pool="alpha",pod="controller-2"}', values: '8x10' },
      { series: 'metallb_allocator_addresses_total{pool="alpha",pod="controller-2"}', values: '10x10' },
    ],
    alertname: 'MetalLBAddressPoolUsage75Percent',
    firing: [{ pool: 'alpha', severity: 'warning' }],
  },
  {
    rule: 'M7: an empty pool (0 usable addresses) is not reported as 75% used',
    series: pool('empty', 0, 0),
    alertname: 'MetalLBAddressPoolUsage75Percent',
    firing: [],
  },
  {
    rule: 'M7: a stale configuration for over a minute fires MetalLBStaleConfig',
    series: [
      {
        series:
          'metallb_k8s_client_config_stale_bool{job="speaker",namespace="metallb-system",pod="speaker-x"}',
        values: '1x10',
      },
    ],
    alertname: 'MetalLBStaleConfig',
    firing: [{ job: 'speaker', namespace: 'metallb-system', pod: 'speaker-x', severity: 'warning' }],
  },
  {
    rule: 'M7: a configuration never loaded fires MetalLBConfigNotLoaded',
    series: [
      {
        series: 'metallb_k8s_client_config_loaded_bool{job="controller",namespace="metallb-system",pod="c"}',
        values: '0x10',
      },
    ],
    alertname: 'MetalLBConfigNotLoaded',
    firing: [{ job: 'controller', namespace: 'metallb-system', pod: 'c', severity: 'warning' }],
  },
  {
    rule: 'DESIGN conflict detection: a growing conflict counter fires FerrolbAddressConflict',
    series: [
      { series: 'ferrolb_layer2_conflicts_total{ip="203.0.113.7",pod="speaker-a"}', values: '0 0 3 5 9 12' },
    ],
    alertname: 'FerrolbAddressConflict',
    firing: [{ ip: '203.0.113.7', severity: 'critical' }],
  },
  {
    rule: 'DESIGN conflict detection: a flat conflict counter stays quiet',
    series: [{ series: 'ferrolb_layer2_conflicts_total{ip="203.0.113.7",pod="speaker-a"}', values: '4x10' }],
    alertname: 'FerrolbAddressConflict',
    firing: [],
  },
];

describe('alert rules under promtool', () => {
  it('M7: promtool check rules accepts the rule file', async () => {
    const result = await promtool(['check', 'rules', ruleFile], directory);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS: 7 rules found');
  });

  it.each(cases)('$rule', async ({ rule, series, alertname, firing }) => {
    const testFile = join(directory, `case-${cases.findIndex((entry) => entry.rule === rule)}.yaml`);
    writeFileSync(
      testFile,
      stringify({
        rule_files: [ruleFile],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: series,
            alert_rule_test: [
              {
                eval_time: '5m',
                alertname,
                exp_alerts: firing.map((labels) => ({
                  exp_labels: labels,
                  exp_annotations: expectedAnnotations(alertname, labels),
                })),
              },
            ],
          },
        ],
      }),
    );
    const result = await promtool(['test', 'rules', testFile], directory);
    expect(result.code, result.output).toBe(0);
  });
});
