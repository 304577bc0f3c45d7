// Shared by the chart tests: helm from scripts/helm-binary.sh (built once, cached) and rendering.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { REPOSITORY_ROOT } from './harness/binaries.js';

const run = promisify(execFile);

/** The chart under test. */
export const CHART = join(REPOSITORY_ROOT, 'deploy', 'chart');

/** Builds helm on the first run (minutes), then prints the cached path at once. */
export async function ensureHelm(): Promise<string> {
  const { stdout } = await run(join(REPOSITORY_ROOT, 'scripts', 'helm-binary.sh'), [], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const path = /^HELM=(.+)$/m.exec(stdout)?.[1];
  if (!path) throw new Error(`scripts/helm-binary.sh printed no HELM= line: ${stdout}`);
  return path;
}

/** Writes `values` to a temporary values file and returns its path. */
export function valuesFile(values: Record<string, unknown>, label: string): string {
  const path = join(tmpdir(), `ferrolb-helm-${label}-${process.pid}.yaml`);
  writeFileSync(path, stringify(values));
  return path;
}

/** Runs helm; resolves to stdout, rejects with helm's stderr in the message. */
export async function helm(binary: string, args: readonly string[]): Promise<string> {
  try {
    return (await run(binary, [...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`helm ${args.join(' ')} failed: ${stderr || String(error)}`);
  }
}

/** How a chart is rendered: values, release namespace and name, a label for the values file. */
export interface RenderOptions {
  values?: Record<string, unknown>;
  namespace?: string;
  release?: string;
  label?: string;
}

/** The text `helm template` prints for the chart with `values`, CRDs included. */
export async function renderChartText(binary: string, options: RenderOptions = {}): Promise<string> {
  const args = ['template', options.release ?? 'ferrolb', CHART, '--include-crds'];
  args.push('-n', options.namespace ?? 'metallb-system');
  if (options.values) args.push('-f', valuesFile(options.values, options.label ?? 'render'));
  return helm(binary, args);
}

/**
 * YAML text parsed into objects. `version: '1.1'` reads `0420` as octal, as Go's YAML parsers
 * (Helm, kubectl, the API server) do; the default 1.2 core schema reads it as decimal.
 */
export function parseObjects(text: string, version: '1.1' | '1.2' = '1.2'): KubernetesObject[] {
  return parseAllDocuments(text, { version })
    .map((document) => document.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null);
}

/** `helm template` of the chart with `values`, CRDs included, parsed into objects. */
export async function renderChart(binary: string, options: RenderOptions = {}): Promise<KubernetesObject[]> {
  return parseObjects(await renderChartText(binary, options));
}

/** The one object of `kind` named `name`, or an error listing what was rendered. */
export function findObject<T extends KubernetesObject = KubernetesObject>(
  objects: readonly KubernetesObject[],
  kind: string,
  name: string,
): T {
  const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
  if (!found) {
    const rendered = objects.map((object) => `${object.kind}/${object.metadata?.name}`).join(', ');
    throw new Error(`no ${kind}/${name} rendered; got ${rendered}`);
  }
  return found as T;
}

/** Drops the labels Helm adds, so a rendered object can be compared with its deploy/ original. */
export function withoutHelmLabels(object: unknown): unknown {
  if (Array.isArray(object)) return object.map(withoutHelmLabels);
  if (typeof object !== 'object' || object === null) return object;
  return Object.fromEntries(
    Object.entries(object).map(([key, value]) => {
      if (key !== 'labels' || typeof value !== 'object' || value === null)
        return [key, withoutHelmLabels(value)];
      const kept = Object.entries(value).filter(
        ([label]) => !/^(app\.kubernetes\.io|helm\.sh)\//.test(label),
      );
      return [key, Object.fromEntries(kept)];
    }),
  );
}
