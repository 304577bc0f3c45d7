import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MetricDefinitions } from '../../../src/metrics/definitions.js';

const root = join(import.meta.dirname, '..', '..', '..');
const dashboard = readFileSync(join(root, 'deploy/monitoring/grafana-dashboard.json'), 'utf8');
const rulesFile = parse(readFileSync(join(root, 'deploy/monitoring/prometheus-rules.yaml'), 'utf8')) as {
  spec: { groups: { rules: { alert: string; expr: string; labels?: Record<string, string> }[] }[] };
};
const rules = rulesFile.spec.groups.flatMap((group) => group.rules);

/** metallb-behaviour §13 M2 (BGP rows left out): exposition name, type and exact help text. */
const METALLB_METRICS = [
  ['metallb_allocator_addresses_total', 'Number of usable IP addresses, per pool'],
  ['metallb_allocator_ipv4_addresses_total', 'Number of usable IPV4 addresses, per pool'],
  ['metallb_allocator_ipv6_addresses_total', 'Number of usable IPV6 addresses, per pool'],
  ['metallb_allocator_addresses_in_use_total', 'Number of IP addresses in use, per pool'],
  ['metallb_allocator_ipv4_addresses_in_use_total', 'Number of IPV4 addresses in use, per pool'],
  ['metallb_allocator_ipv6_addresses_in_use_total', 'Number of IPV6 addresses in use, per pool'],
  ['metallb_allocator_services_allocated_total', 'Number of services allocated, per pool'],
  ['metallb_k8s_client_updates_total', 'Number of k8s object updates that have been processed.'],
  ['metallb_k8s_client_update_errors_total', 'Number of k8s object updates that failed for some reason.'],
  [
    'metallb_k8s_client_config_loaded_bool',
    '1 if the MetalLB configuration was successfully loaded at least once.',
  ],
  [
    'metallb_k8s_client_config_stale_bool',
    '1 if running on a stale configuration, because the latest config failed to load.',
  ],
  [
    'metallb_speaker_announced',
    'Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.',
  ],
  ['metallb_layer2_requests_received', 'Number of layer2 requests received for owned IPs'],
  ['metallb_layer2_responses_sent', 'Number of layer2 responses sent for owned IPs in response to requests'],
  [
    'metallb_layer2_gratuitous_sent',
    'Number of gratuitous layer2 packets sent for owned IPs as a result of failovers',
  ],
] as const;

const definedNames: ReadonlySet<string> = new Set(
  Object.values(MetricDefinitions).map((definition) => definition.name),
);
const histogramSuffix = /_(bucket|sum|count)$/;

/** Every metallb_* / ferrolb_* series a PromQL text mentions, histogram suffixes folded onto the family. */
function metricNamesIn(text: string): string[] {
  const found = text.match(/\b(?:metallb|ferrolb)_[a-z0-9_]+/g) ?? [];
  return [...new Set(found)].map((name) =>
    definedNames.has(name) ? name : name.replace(histogramSuffix, ''),
  );
}

describe('monitoring assets use only defined metrics', () => {
  const dashboardExpressions = (JSON.parse(dashboard) as { panels: { targets: { expr: string }[] }[] }).panels
    .flatMap((panel) => panel.targets)
    .map((target) => target.expr);
  const cases = [
    ...dashboardExpressions.map((expr) => ({ where: 'dashboard', expr })),
    ...rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
  ];

  it.each(cases)('M2: $where: $expr', ({ expr }) => {
    const names = metricNamesIn(expr);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names)
      expect(definedNames, `${name} is not in src/metrics/definitions.ts`).toContain(name);
  });

  it('M2: the dashboard covers pools, announcements, conflicts, failovers, gossip and reply latency', () => {
    const used = new Set(dashboardExpressions.flatMap(metricNamesIn));
    for (const key of [
      'allocatorAddressesInUseTotal',
      'allocatorAddressesTotal',
      'speakerAnnounced',
      'layer2ConflictsTotal',
      'failoverEventsTotal',
      'gossipMembers',
      'layer2ReplyLatencySeconds',
    ] as const) {
      expect(used).toContain(MetricDefinitions[key].name);
    }
  });
});

describe('MetalLB metric contract', () => {
  it.each(METALLB_METRICS.map(([name, help]) => ({ name, help })))(
    'M2: $name is defined with its exact help text',
    ({ name, help }) => {
      const definition = Object.values(MetricDefinitions).find((candidate) => candidate.name === name);
      expect(definition?.help).toBe(help);
    },
  );
});

describe('alerts', () => {
  it.each([
    { alert: 'MetalLBAddressPoolUsage75Percent', severity: 'warning', threshold: '> 75' },
    { alert: 'MetalLBAddressPoolUsage85Percent', severity: 'warning', threshold: '> 85' },
    { alert: 'MetalLBAddressPoolUsage95Percent', severity: 'critical', threshold: '> 95' },
    { alert: 'MetalLBAddressPoolExhausted', severity: 'critical', threshold: '>=' },
    { alert: 'MetalLBStaleConfig', severity: 'warning', threshold: '== 1' },
    { alert: 'MetalLBConfigNotLoaded', severity: 'warning', threshold: '== 0' },
    { alert: 'FerrolbAddressConflict', severity: 'critical', threshold: '> 0' },
  ])('M7: $alert exists with severity $severity', ({ alert, severity, threshold }) => {
    const rule = rules.find((candidate) => candidate.alert === alert);
    expect(rule?.labels?.severity).toBe(severity);
    expect(rule?.expr.replace(/\s+/g, ' ')).toContain(threshold);
  });

  it('M7: the conflict alert reads ferrolb_layer2_conflicts_total', () => {
    const rule = rules.find((candidate) => candidate.alert === 'FerrolbAddressConflict');
    expect(metricNamesIn(rule?.expr ?? '')).toEqual([MetricDefinitions.layer2ConflictsTotal.name]);
  });
});
