// The promtool cases of test/k8s/prometheus-rules.test.ts: input series and the alerts expected at
// each evaluation time. A value list uses promtool's notation (`_` is no sample, `1x10` is 11 ones).

/** One alert_rule_test: at `at`, exactly these alerts (their labels) of `alertname` fire. */
export interface Expectation {
  at: string;
  firing: Record<string, string>[];
}

/** One named promtool scenario. */
export interface AlertCase {
  rule: string;
  series: { series: string; values: string }[];
  alertname: string;
  expect: Expectation[];
}

/** Where a series comes from: MetalLB's chart labels every scrape job="metallb" and its namespace. */
interface Installation {
  job: string;
  namespace: string;
}

const FERROLB: Installation = { job: 'metallb', namespace: 'ferrolb-system' };
const METALLB: Installation = { job: 'metallb', namespace: 'metallb-system' };

function labels(installation: Installation | undefined, extra: Record<string, string>): string {
  const all = { ...(installation ?? {}), ...extra };
  return Object.entries(all)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',');
}

/** The allocator gauges of one pool as controller-1 exports them. */
export function pool(name: string, inUse: number, total: number, installation?: Installation) {
  const target = labels(installation, { pool: name, pod: 'controller-1' });
  return [
    { series: `metallb_allocator_addresses_in_use_total{${target}}`, values: `${inUse}x10` },
    { series: `metallb_allocator_addresses_total{${target}}`, values: `${total}x10` },
  ];
}

/** What a speaker target exports besides its conflict counter: `up`, and its process start time. */
interface Target {
  installation?: Installation;
  up?: string;
  processStart?: string;
}

/** A speaker's conflict counter for 203.0.113.7 and its `up` series (scraped throughout unless given). */
function conflicts(values: string, { installation = FERROLB, up = '1x20', processStart }: Target = {}) {
  const target = labels(installation, { pod: 'speaker-a', instance: '198.51.100.1:7472' });
  const series = [
    { series: `ferrolb_layer2_conflicts_total{${target},ip="203.0.113.7"}`, values },
    { series: `up{${target}}`, values: up },
  ];
  if (processStart) series.push({ series: `process_start_time_seconds{${target}}`, values: processStart });
  return series;
}

const at5m = (firing: Record<string, string>[]): Expectation[] => [{ at: '5m', firing }];
const conflictAlert = (installation: Installation = FERROLB) => ({
  ...installation,
  ip: '203.0.113.7',
  severity: 'critical',
});

/** Pool usage and configuration alerts (MetalLB's, M7). */
export const POOL_CASES: AlertCase[] = [
  {
    rule: 'M7: 80% used fires MetalLBAddressPoolUsage75Percent',
    series: pool('alpha', 8, 10),
    alertname: 'MetalLBAddressPoolUsage75Percent',
    expect: at5m([{ pool: 'alpha', severity: 'warning' }]),
  },
  {
    rule: 'M7: 80% used does not fire MetalLBAddressPoolUsage85Percent',
    series: pool('alpha', 8, 10),
    alertname: 'MetalLBAddressPoolUsage85Percent',
    expect: at5m([]),
  },
  {
    rule: 'M7: 90% used fires MetalLBAddressPoolUsage85Percent',
    series: pool('alpha', 9, 10),
    alertname: 'MetalLBAddressPoolUsage85Percent',
    expect: at5m([{ pool: 'alpha', severity: 'warning' }]),
  },
  {
    rule: 'M7: 96% used fires MetalLBAddressPoolUsage95Percent',
    series: pool('alpha', 96, 100),
    alertname: 'MetalLBAddressPoolUsage95Percent',
    expect: at5m([{ pool: 'alpha', severity: 'critical' }]),
  },
  {
    rule: 'M7: a full pool fires MetalLBAddressPoolExhausted, a fuller one does not',
    series: [...pool('full', 4, 4), ...pool('roomy', 3, 4)],
    alertname: 'MetalLBAddressPoolExhausted',
    expect: at5m([{ pool: 'full', severity: 'critical' }]),
  },
  {
    rule: 'M3: both controller replicas exporting the same pool do not break the usage alert',
    series: [
      ...pool('alpha', 8, 10),
      { series: 'metallb_allocator_addresses_in_use_total{pool="alpha",pod="controller-2"}', values: '8x10' },
      { series: 'metallb_allocator_addresses_total{pool="alpha",pod="controller-2"}', values: '10x10' },
    ],
    alertname: 'MetalLBAddressPoolUsage75Percent',
    expect: at5m([{ pool: 'alpha', severity: 'warning' }]),
  },
  {
    rule: 'M7: an empty pool (0 usable addresses) is not reported as 75% used',
    series: pool('empty', 0, 0),
    alertname: 'MetalLBAddressPoolUsage75Percent',
    expect: at5m([]),
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
    expect: at5m([{ job: 'speaker', namespace: 'metallb-system', pod: 'speaker-x', severity: 'warning' }]),
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
    expect: at5m([{ job: 'controller', namespace: 'metallb-system', pod: 'c', severity: 'warning' }]),
  },
];

/** Two installations side by side, each pool named `default` (issue 13 #6). */
export const SIDE_BY_SIDE_CASES: AlertCase[] = [
  {
    rule: "issue 13 #6: MetalLB's full pool beside ferrolb's roomy pool of the same name alerts, for MetalLB's namespace",
    series: [...pool('default', 4, 4, METALLB), ...pool('default', 3, 10, FERROLB)],
    alertname: 'MetalLBAddressPoolExhausted',
    expect: at5m([{ ...METALLB, pool: 'default', severity: 'critical' }]),
  },
  {
    rule: "issue 13 #6: ferrolb's 80% pool beside MetalLB's 10% pool of the same name warns, for ferrolb's namespace",
    series: [...pool('default', 8, 10, FERROLB), ...pool('default', 1, 10, METALLB)],
    alertname: 'MetalLBAddressPoolUsage75Percent',
    expect: at5m([{ ...FERROLB, pool: 'default', severity: 'warning' }]),
  },
  {
    rule: 'issue 13 #6: a conflict in one installation alerts for that installation only',
    series: [
      ...conflicts('0 0 2 2 2 2'),
      ...conflicts('1x10', { installation: { ...METALLB, job: 'ferrolb' } }),
    ],
    alertname: 'FerrolbAddressConflict',
    expect: at5m([conflictAlert()]),
  },
];

/** The conflict counter from its birth (DESIGN conflict detection; issue 13 #6). */
export const CONFLICT_CASES: AlertCase[] = [
  {
    rule: 'issue 13 #6: a one-off conflict (series born at 1, never rising) fires at once, then clears',
    series: conflicts('_ _ _ _ _ _ 1 1 1 1 1 1 1 1 1 1'),
    alertname: 'FerrolbAddressConflict',
    expect: [
      { at: '5m', firing: [] },
      { at: '6m', firing: [conflictAlert()] },
      { at: '10m', firing: [conflictAlert()] },
      { at: '11m', firing: [] },
    ],
  },
  {
    rule: 'issue 13 #6: a counter born at 3 (several conflicts within one scrape) fires',
    series: conflicts('_ _ _ _ _ _ _ 3 3 3'),
    alertname: 'FerrolbAddressConflict',
    expect: [{ at: '7m', firing: [conflictAlert()] }],
  },
  {
    rule: 'DESIGN conflict detection: a rising conflict counter fires while it rises',
    series: conflicts('0 0 3 5 9 12 12 12 12 12 12 12 12'),
    alertname: 'FerrolbAddressConflict',
    expect: [
      { at: '5m', firing: [conflictAlert()] },
      { at: '12m', firing: [] },
    ],
  },
  {
    rule: 'DESIGN conflict detection: an old flat counter stays quiet',
    series: conflicts('4x10'),
    alertname: 'FerrolbAddressConflict',
    expect: at5m([]),
  },
  {
    rule: 'issue 13 #6: after a 10-minute gap in Prometheus itself an old counter is not taken as new',
    series: conflicts('4 4 _ _ _ _ _ _ _ _ _ _ 4 4 4', {
      up: '1 1 _ _ _ _ _ _ _ _ _ _ 1 1 1',
      processStart: '0 0 _ _ _ _ _ _ _ _ _ _ 0 0 0',
    }),
    alertname: 'FerrolbAddressConflict',
    expect: [{ at: '13m', firing: [] }],
  },
  {
    rule: 'issue 13 #6: a restarted speaker (new pod) whose first conflict comes at once fires',
    series: [
      ...conflicts('2 2 2 2 _ _ _ _ _ _ _ _ _ _ _ _'),
      {
        series: `ferrolb_layer2_conflicts_total{${labels(FERROLB, { pod: 'speaker-b' })},ip="203.0.113.7"}`,
        values: '_ _ _ _ _ 1 1 1',
      },
      { series: `up{${labels(FERROLB, { pod: 'speaker-b' })}}`, values: '_ _ _ _ 1 1 1 1' },
    ],
    alertname: 'FerrolbAddressConflict',
    expect: [{ at: '6m', firing: [conflictAlert()] }],
  },
  {
    rule: "issue 13 #6: in a brand-new installation (nothing scraped 5 minutes ago) a young speaker's first conflict fires",
    series: conflicts('_ _ 1 1 1', { up: '_ 1 1 1 1', processStart: '_ 60 60 60 60' }),
    alertname: 'FerrolbAddressConflict',
    expect: [{ at: '2m', firing: [conflictAlert()] }],
  },
];
