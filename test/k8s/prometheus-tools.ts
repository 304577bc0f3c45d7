// Debian's prometheus package (prometheus + promtool), installed on first use as the tests' set-up.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
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
