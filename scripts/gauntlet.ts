// `make gauntlet` (issues 7 and 12): runs the churn and fault gauntlet for GAUNTLET_DURATION_S
// seconds (default 600) from GAUNTLET_SEED (default: random, printed), prints the report, and exits
// non-zero on any violation. The outage oracle and its faults (a standalone trio pinged every
// 10 ms) are on unless GAUNTLET_OUTAGE=0; GAUNTLET_FAULTS=a,b narrows the fault kinds;
// GAUNTLET_TRIO_ONLY=1 runs the outage faults against the trio alone (no API server).

import { seedFromEnvironment } from '../test/gauntlet/random.js';
import { formatReport } from '../test/gauntlet/report.js';
import { runGauntlet } from '../test/gauntlet/runner.js';
import { runTrioOnly } from '../test/gauntlet/trio-runner.js';

const DEFAULT_DURATION_S = 600;

function durationSeconds(): number {
  const text = process.env.GAUNTLET_DURATION_S;
  if (text === undefined || text === '') return DEFAULT_DURATION_S;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`GAUNTLET_DURATION_S=${text}: not a positive number of seconds`);
  return value;
}

function flag(name: string, fallback: boolean): boolean {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (text !== '0' && text !== '1') throw new Error(`${name}=${text}: expected 0 or 1`);
  return text === '1';
}

const options = {
  durationMs: durationSeconds() * 1000,
  seed: seedFromEnvironment(),
  outage: flag('GAUNTLET_OUTAGE', true),
  faults: (process.env.GAUNTLET_FAULTS ?? '').split(',').filter((name) => name !== ''),
};
const report = flag('GAUNTLET_TRIO_ONLY', false) ? await runTrioOnly(options) : await runGauntlet(options);
console.log(formatReport(report));
process.exitCode = report.violations.length === 0 ? 0 : 1;
