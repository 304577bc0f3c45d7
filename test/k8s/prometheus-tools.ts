// Debian's prometheus package (prometheus + promtool), installed on first use as the tests' set-up,
// and a Prometheus run inside a lab namespace, queried there through its HTTP API with curl.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import type { Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/lab-probes.js';
import { spawnInNs, tryInNs } from '../helpers/netns.js';
import { REPOSITORY_ROOT } from './harness/binaries.js';

const run = promisify(execFile);

async function hasCommand(name: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${name}`]).then(
    () => true,
    () => false,
  );
}

/** Installs Debian's `prometheus` (which ships promtool) when either is missing. */
export async function ensurePrometheus(): Promise<void> {
  if ((await hasCommand('prometheus')) && (await hasCommand('promtool'))) return;
  const environment = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env: environment }).catch(() => undefined);
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], {
    env: environment,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The rule groups of deploy/monitoring/prometheus-rules.yaml, as a plain Prometheus rule file. */
export function writeRuleFile(directory: string): string {
  const rule = parse(
    readFileSync(join(REPOSITORY_ROOT, 'deploy/monitoring/prometheus-rules.yaml'), 'utf8'),
  ) as {
    spec: { groups: unknown[] };
  };
  const path = join(directory, 'ferrolb-rules.yaml');
  writeFileSync(path, stringify({ groups: rule.spec.groups }));
  return path;
}

/** Runs promtool; resolves to exit code and combined output. */
export async function promtool(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', [...args], { cwd });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: (failed.stdout ?? '') + (failed.stderr ?? '') };
  }
}

/** One sample of an instant query (Prometheus HTTP API, resultType vector). */
export interface PrometheusSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** One scrape target: `host:port`, plus labels Prometheus attaches to its series. */
export interface ScrapeTarget {
  readonly address: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Inside its namespace only: nothing else listens there on this port. */
const LAB_PROMETHEUS_URL = 'http://127.0.0.1:9090';

/** Debian's Prometheus running inside one lab namespace, scraping every 2 s and evaluating the rules. */
export class LabPrometheus {
  private constructor(private readonly namespace: string) {}

  /** Writes the configuration into `directory` and starts Prometheus in `namespace` (stopped with the lab). */
  static start(
    lab: Lab,
    options: { namespace: string; directory: string; job: string; targets: readonly ScrapeTarget[] },
  ): LabPrometheus {
    const config = join(options.directory, 'prometheus.yml');
    const staticConfigs = options.targets.map((target) => ({
      targets: [target.address],
      ...(target.labels ? { labels: target.labels } : {}),
    }));
    writeFileSync(
      config,
      stringify({
        // A 2 s scrape timeout: on a loaded 2-core machine a shorter one fails scrapes now and then.
        global: { scrape_interval: '2s', scrape_timeout: '2s', evaluation_interval: '1s' },
        rule_files: [writeRuleFile(options.directory)],
        scrape_configs: [{ job_name: options.job, static_configs: staticConfigs }],
      }),
    );
    const args = [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(options.directory, 'data')}`,
      `--web.listen-address=${new URL(LAB_PROMETHEUS_URL).host}`,
      '--log.level=warn',
    ];
    lab.track(spawnInNs(options.namespace, 'prometheus', args, { stdio: 'ignore' }));
    return new LabPrometheus(options.namespace);
  }

  /** The `data` of a GET on `path` (with query parameters), or undefined while Prometheus does not answer. */
  api<T>(path: string, parameters: Readonly<Record<string, string>> = {}): T | undefined {
    const encoded = Object.entries(parameters).flatMap(([key, value]) => [
      '--data-urlencode',
      `${key}=${value}`,
    ]);
    const result = tryInNs(this.namespace, 'curl', ['-sfG', `${LAB_PROMETHEUS_URL}${path}`, ...encoded]);
    if (result.status !== 0) return undefined;
    const body = JSON.parse(result.output) as { status: string; data: T };
    return body.status === 'success' ? body.data : undefined;
  }

  /** An instant query; empty while Prometheus is not up yet. */
  query(promql: string): PrometheusSample[] {
    return this.api<{ result: PrometheusSample[] }>('/api/v1/query', { query: promql })?.result ?? [];
  }

  /** The value of the first sample of `promql` once it satisfies `accept` (60 s at most). */
  valueEventually(promql: string, accept: (value: number) => boolean): Promise<number> {
    return waitFor(
      () => {
        const value = Number(this.query(promql)[0]?.value[1]);
        return Number.isFinite(value) && accept(value) ? value : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: `Prometheus: ${promql}` },
    );
  }
}
