// Runs the compiled `ferrolb plan` (bin/ferrolb.js, as users run it; `npx tsc -p
// tsconfig.build.json` refreshes dist/) and reads its peak resident memory: the kernel's
// high-water mark of the process itself (getrusage maxrss), written by a hook as it exits.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = join(import.meta.dirname, '../../bin/ferrolb.js');

/** Preloaded into the child: on exit, writes its peak RSS (KiB) to $FERROLB_PEAK_FILE. */
const PEAK_HOOK =
  'data:text/javascript,import { writeFileSync } from "node:fs";' +
  'process.on("exit", () => writeFileSync(process.env.FERROLB_PEAK_FILE, String(process.resourceUsage().maxRSS)));';

/** One run of `ferrolb plan`. */
export interface PlanRun {
  readonly code: number | null;
  readonly peakMiB: number;
  readonly seconds: number;
  /** The file stdout went to (the plan can be several MB: not piped back). */
  readonly stdoutFile: string;
  readonly stderr: string;
}

/** `ferrolb plan -f FILE ARGS…`, its exit code, peak RSS and wall time. */
export function runPlan(file: string, args: readonly string[] = ['--json']): PlanRun {
  const directory = mkdtempSync(join(tmpdir(), 'ferrolb-plan-run-'));
  const peakFile = join(directory, 'peak');
  const stdoutFile = join(directory, 'stdout');
  const stdout = openSync(stdoutFile, 'w');
  const started = process.hrtime.bigint();
  try {
    const run = spawnSync(process.execPath, ['--import', PEAK_HOOK, BINARY, 'plan', '-f', file, ...args], {
      stdio: ['ignore', stdout, 'pipe'],
      env: { ...process.env, FERROLB_PEAK_FILE: peakFile },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // No figure (NaN) when the process died before its exit hook ran.
    const peakMiB = existsSync(peakFile) ? Number(readFileSync(peakFile, 'utf8')) / 1024 : Number.NaN;
    return { code: run.status, peakMiB, seconds, stdoutFile, stderr: run.stderr };
  } finally {
    closeSync(stdout);
  }
}
