// What the gauntlet counted, and the report it prints at the end (issue 7 item 4).
import type { MemoryFigures } from './daemons.js';
import { describeOutage, type Outage } from './outage.js';

/** The worst outage the pinging client saw in one phase of one fault kind, and how often it ran. */
export interface OutageFigure {
  worst: Outage | undefined;
  runs: number;
}

/** Counters, violations, fail-over durations and memory of one run. */
export class Report {
  readonly operations = new Map<string, number>();
  readonly operationErrors = new Map<string, number>();
  readonly checks = new Map<string, number>();
  readonly violations: string[] = [];
  readonly failoverMs: number[] = [];
  readonly restarts = new Map<string, number>();
  /** By `kind (phase)`: the longest outage the pinging client saw across every run of it. */
  readonly outages = new Map<string, OutageFigure>();
  memory = new Map<string, MemoryFigures>();
  startedAt = Date.now();
  endedAt = 0;

  constructor(readonly seed: number) {}

  operation(kind: string): void {
    this.operations.set(kind, (this.operations.get(kind) ?? 0) + 1);
  }

  operationError(kind: string, error: unknown): void {
    this.operationErrors.set(kind, (this.operationErrors.get(kind) ?? 0) + 1);
    void error;
  }

  /** Counts one run of a check (`check.*`) or any other event worth a count. */
  count(name: string, amount = 1): void {
    this.checks.set(name, (this.checks.get(name) ?? 0) + amount);
  }

  violation(text: string): void {
    this.violations.push(`[t+${Math.round((Date.now() - this.startedAt) / 1000)}s] ${text}`);
  }

  /** Records one run of a fault phase and its worst outage (undefined: nothing was pinged). */
  outage(phase: string, worst: Outage | undefined): void {
    const figure = this.outages.get(phase) ?? { worst: undefined, runs: 0 };
    figure.runs += 1;
    if (worst && (!figure.worst || worst.longestMs > figure.worst.longestMs)) figure.worst = worst;
    this.outages.set(phase, figure);
  }

  restart(what: string): void {
    this.restarts.set(what, (this.restarts.get(what) ?? 0) + 1);
  }
}

/** The `p`th percentile (nearest rank) of `values`, or undefined when empty. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function table(title: string, entries: Iterable<[string, number]>): string[] {
  const rows = [...entries].sort(([a], [b]) => a.localeCompare(b));
  const total = rows.reduce((sum, [, value]) => sum + value, 0);
  return [`${title} (total ${total}):`, ...rows.map(([name, value]) => `  ${name.padEnd(34)} ${value}`)];
}

function mib(kib: number | undefined): string {
  return kib === undefined ? '-' : `${(kib / 1024).toFixed(1)} MiB`;
}

/** The text report. */
export function formatReport(report: Report): string {
  const seconds = ((report.endedAt || Date.now()) - report.startedAt) / 1000;
  const p50 = percentile(report.failoverMs, 50);
  const p99 = percentile(report.failoverMs, 99);
  const lines = [
    '==== ferrolb gauntlet report ====',
    `seed ${report.seed} (replay: GAUNTLET_SEED=${report.seed}), ran ${seconds.toFixed(0)} s`,
    ...table('operations applied', report.operations),
    ...table('operations the API server refused', report.operationErrors),
    ...table('invariant checks run', report.checks),
    `failovers observed: ${report.failoverMs.length}` +
      (p50 === undefined ? '' : `, p50 ${p50} ms, p99 ${p99} ms, max ${Math.max(...report.failoverMs)} ms`),
    ...table('restarts survived', report.restarts),
    'longest outage a client pinging every 10 ms saw, per fault (phase):',
    ...(report.outages.size === 0 ? ['  (no outage fault ran)'] : []),
    ...[...report.outages]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([phase, figure]) =>
          `  ${phase.padEnd(42)} ${describeOutage(figure.worst)} over ${figure.runs} run(s)`,
      ),
    'memory per daemon (RSS start -> end, peak):',
    ...[...report.memory].map(
      ([name, figures]) =>
        `  ${name.padEnd(20)} ${mib(figures.startKib)} -> ${mib(figures.endKib)}, peak ${mib(figures.peakKib)}`,
    ),
    `violations: ${report.violations.length}`,
    ...report.violations.map((text) => `  VIOLATION ${text}`),
  ];
  return lines.join('\n');
}
