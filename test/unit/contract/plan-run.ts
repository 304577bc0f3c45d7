// Runs `ferrolb plan -f FILE --json` through the real command dispatch (src/cli/main.ts), the way
// a user or an acceptance test would, and keeps what it printed. Console output is captured with
// spies; each fixture is planned once per test file and shared by that file's rows.
import { join } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../../src/cli/main.js';

export const CONTRACT_FIXTURES = join(import.meta.dirname, '../../fixtures/contract');

/** One Service in the `plan --json` contract. */
export type Planned = { readonly ips: readonly string[]; readonly pool: string } | { readonly error: string };

/** What one `plan` run printed and returned. */
export interface PlanRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly json: { services: Record<string, Planned>; warnings: string[] } | undefined;
}

/** Runs `ferrolb plan` with these arguments, capturing stdout and stderr. */
export async function runPlan(args: readonly string[]): Promise<PlanRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...items) => void stdout.push(items.join(' ')));
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...items) => void stderr.push(items.join(' ')));
  try {
    const code = await main(['plan', ...args]);
    const text = stdout.join('\n');
    return {
      code,
      stdout: text,
      stderr: stderr.join('\n'),
      json: text === '' ? undefined : JSON.parse(text),
    };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const runs = new Map<string, Promise<PlanRun>>();

/** `ferrolb plan -f test/fixtures/contract/FILE --json`, run once per fixture. */
export function planFixture(file: string): Promise<PlanRun> {
  let run = runs.get(file);
  if (run === undefined) {
    run = runPlan(['-f', join(CONTRACT_FIXTURES, file), '--json']);
    runs.set(file, run);
  }
  return run;
}

/** Shorthand for an allocation row. */
export const got = (pool: string, ...ips: string[]): Planned => ({ ips, pool });

/** Shorthand for a refusal row. */
export const refused = (error: string): Planned => ({ error });
