import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { MetricDefinitions, type MetricKey } from './definitions.js';

/** One registry per process; every metric is created from its definition, never by literal name. */
export const registry = new Registry();
// prom-client samples event-loop delay with a timer; its default (10 ms) woke an idle daemon 100 times
// a second, most of an idle speaker's CPU (issue 14, strace of the bench). Once a second is enough
// for the nodejs_eventloop_lag_* summaries.
const EVENT_LOOP_SAMPLE_MS = 1000;
collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });

const created = new Map<MetricKey, Counter | Gauge | Histogram>();

/** Run before each scrape: sources that are copied in when read, not on a timer. */
const beforeScrapeHooks = new Set<() => void>();

/**
 * Registers `hook` to bring metrics up to date before each scrape; returns its removal. The data
 * plane copies its per-IP counters from C this way: on a timer it cost O(owned IPs) every second
 * whether or not anyone scraped (issue 14: most of an idle speaker's CPU at 10,000 IPs).
 */
export function beforeScrape(hook: () => void): () => void {
  beforeScrapeHooks.add(hook);
  return () => beforeScrapeHooks.delete(hook);
}

/** The exposition text of every metric, after the before-scrape hooks ran. */
export async function renderMetrics(): Promise<string> {
  for (const hook of beforeScrapeHooks) hook();
  return registry.metrics();
}

function labelNames(key: MetricKey): string[] {
  return [...MetricDefinitions[key].labels];
}

/** The counter for `key`, created on first use in the process registry. */
export function counter(key: MetricKey): Counter {
  const existing = created.get(key);
  if (existing) return existing as Counter;
  const { name, help } = MetricDefinitions[key];
  const metric = new Counter({ name, help, labelNames: labelNames(key), registers: [registry] });
  created.set(key, metric);
  return metric;
}

/** The gauge for `key`, created on first use in the process registry. */
export function gauge(key: MetricKey): Gauge {
  const existing = created.get(key);
  if (existing) return existing as Gauge;
  const { name, help } = MetricDefinitions[key];
  const metric = new Gauge({ name, help, labelNames: labelNames(key), registers: [registry] });
  created.set(key, metric);
  return metric;
}

/** The histogram for `key` (seconds), created on first use in the process registry. */
export function histogram(key: MetricKey, buckets: readonly number[]): Histogram {
  const existing = created.get(key);
  if (existing) return existing as Histogram;
  const { name, help } = MetricDefinitions[key];
  const metric = new Histogram({
    name,
    help,
    labelNames: labelNames(key),
    buckets: [...buckets],
    registers: [registry],
  });
  created.set(key, metric);
  return metric;
}

/**
 * The Kubernetes client metrics (M2) are label-less: MetalLB registers them at start, so each is
 * scraped as 0 before its first event (an alert on `increase(..._update_errors_total)` needs the 0).
 */
export function registerKubernetesClientMetrics(): void {
  counter('k8sClientUpdatesTotal');
  counter('k8sClientUpdateErrorsTotal');
  gauge('k8sClientConfigLoadedBool');
  gauge('k8sClientConfigStaleBool');
}

/**
 * The counters of rare events (a failed announcement, a conflict, a dropped gossip packet): created
 * at start, so a scrape lists them (HELP and TYPE) before the first event, as every metric
 * docs/metrics.md names must be exported.
 */
export function registerRareEventCounters(): void {
  counter('layer2GratuitousErrorsTotal');
  counter('layer2ConflictsTotal');
  counter('gossipPacketsDroppedTotal');
}
