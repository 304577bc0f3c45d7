// Debian's real Prometheus scrapes a running `ferrolb controller` (against the real API server,
// with a pool and Services) and loads the alert rules of deploy/monitoring; the answers come from
// Prometheus' HTTP API, the way users consume the metrics.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MetricDefinitions } from '../../src/metrics/definitions.js';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { type ControllerProcess, startControllerProcess } from './harness/controller-process.js';
import { startTestCluster, type TestCluster } from './harness/index.js';
import { ingressOf, poolManifest, serviceManifest, userClients } from './harness/objects.js';
import { freePort } from './harness/processes.js';
import { eventually } from './harness/waiting.js';
import { ensurePrometheus, writeRuleFile } from './prometheus-tools.js';

let cluster: TestCluster;
let controller: ControllerProcess;
let prometheus: ChildProcess;
let prometheusUrl: string;
let directory: string;
let prometheusLog = '';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** What a failure message needs: the controller's and Prometheus' last words. */
function diagnostics(): string {
  return `controller log:\n${controller.log(15)}\nprometheus log:\n${prometheusLog.slice(-2000)}`;
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${prometheusUrl}${path}`);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
  return body.data;
}

async function query(promql: string): Promise<Sample[]> {
  return (await api<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result;
}

/** Polls a query until it returns at least one sample (scrapes run every 2 s). */
function samplesEventually(promql: string): Promise<Sample[]> {
  return eventually(
    `Prometheus samples for ${promql}`,
    async () => {
      const samples = await query(promql);
      return samples.length > 0 ? samples : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, context: diagnostics },
  );
}

function startPrometheus(metricsPort: number, port: number): ChildProcess {
  const config = join(directory, 'prometheus.yml');
  writeFileSync(
    config,
    stringify({
      // A 2 s scrape timeout: on a loaded 2-core machine a 1 s one (the default for a 1 s interval)
      // fails scrapes now and then, and a failed scrape marks every series stale.
      global: { scrape_interval: '2s', scrape_timeout: '2s', evaluation_interval: '1s' },
      rule_files: [writeRuleFile(directory)],
      scrape_configs: [
        { job_name: 'ferrolb-controller', static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }] },
      ],
    }),
  );
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(directory, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer) => {
    prometheusLog = (prometheusLog + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

beforeAll(async () => {
  await ensurePrometheus();
  directory = mkdtempSync(join(tmpdir(), 'ferrolb-prometheus-'));
  cluster = await startTestCluster();
  const user = userClients(cluster.admin);
  await user.createNamespace('apps');
  await user.createPool(poolManifest('alpha', ['203.0.113.0-203.0.113.4']));
  controller = await startControllerProcess({
    runDirectory: cluster.server.runDirectory,
    kubeconfigPath: cluster.kubeconfigPath('controller'),
    name: 'controller-prometheus',
  });
  for (const name of ['one', 'two', 'three', 'four']) {
    await user.createService(serviceManifest('apps', name));
    await eventually(`ingress of apps/${name}`, async () =>
      ingressOf(await user.readService('apps', name)).length > 0 ? true : undefined,
    );
  }
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  prometheus = startPrometheus(controller.metricsPort, port);
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await controller?.stop();
  await cluster?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('a real Prometheus scraping ferrolb controller', () => {
  it('M1: the scrape target is up', async () => {
    const samples = await samplesEventually('max_over_time(up{job="ferrolb-controller"}[1m]) == 1');
    expect(samples).toHaveLength(1);
  });

  it.each([
    { rule: 'M3: usable addresses of pool alpha', key: 'allocatorAddressesTotal' as const, want: '5' },
    {
      rule: 'M3: four Services hold four addresses',
      key: 'allocatorAddressesInUseTotal' as const,
      want: '4',
    },
    { rule: 'M3: all of them IPv4', key: 'allocatorIPv4AddressesInUseTotal' as const, want: '4' },
  ])('$rule', async ({ key, want }) => {
    const name = MetricDefinitions[key].name;
    // last_over_time: a sample scraped before an occasional failed scrape still counts.
    const samples = await samplesEventually(`last_over_time(${name}{pool="alpha"}[1m]) == ${want}`);
    expect(samples[0]?.value[1]).toBe(want);
  });

  it("M2: the help texts Prometheus stored are MetalLB's", async () => {
    await samplesEventually(`last_over_time(${MetricDefinitions.allocatorAddressesTotal.name}[1m])`);
    const metadata = await api<Record<string, { type: string; help: string }[]>>('/api/v1/metadata');
    for (const key of ['allocatorAddressesTotal', 'k8sClientConfigLoadedBool'] as const) {
      const { name, help } = MetricDefinitions[key];
      expect(metadata[name]?.[0]?.help).toBe(help);
    }
  });

  it('M7: the rule file loads and the 75% usage alert fires for a 4-of-5 pool, the 85% one does not', async () => {
    const firing = await eventually(
      'MetalLBAddressPoolUsage75Percent firing',
      async () => {
        const data = await api<{ alerts: { labels: Record<string, string>; state: string }[] }>(
          '/api/v1/alerts',
        );
        const alerts = data.alerts.filter((alert) => alert.state === 'firing');
        return alerts.some((alert) => alert.labels.alertname === 'MetalLBAddressPoolUsage75Percent')
          ? alerts
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, context: diagnostics },
    );
    expect(firing.map((alert) => [alert.labels.alertname, alert.labels.pool])).toContainEqual([
      'MetalLBAddressPoolUsage75Percent',
      'alpha',
    ]);
    expect(firing.map((alert) => alert.labels.alertname)).not.toContain('MetalLBAddressPoolUsage85Percent');
    const rules = await api<{ groups: { rules: { name: string; health: string }[] }[] }>('/api/v1/rules');
    const health = rules.groups.flatMap((group) => group.rules).map((rule) => rule.health);
    expect(health.length).toBe(7);
    expect(new Set(health)).toEqual(new Set(['ok']));
  });

  const dashboard = JSON.parse(
    readFileSync(join(REPOSITORY_ROOT, 'deploy/monitoring/grafana-dashboard.json'), 'utf8'),
  ) as { panels: { title: string; targets: { expr: string }[] }[] };
  const expressions = dashboard.panels.flatMap((panel) =>
    panel.targets.map((target) => ({ title: panel.title, expr: target.expr })),
  );

  it.each(expressions)(
    'M2: dashboard panel "$title" is valid PromQL for Prometheus: $expr',
    async ({ expr }) => {
      // Grafana substitutes its variables before querying; "All" becomes the regex .*.
      const promql = expr.replaceAll('$pool', '.*').replaceAll('$node', '.*');
      await expect(query(promql)).resolves.toBeInstanceOf(Array);
    },
  );
});
