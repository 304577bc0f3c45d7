// `make gauntlet` (issue 7): runs the churn and fault gauntlet for GAUNTLET_DURATION_S seconds
// (default 600) from GAUNTLET_SEED (default: random, printed), prints the report, and exits
// non-zero on any violation.

import { seedFromEnvironment } from '../test/gauntlet/random.js';
import { formatReport } from '../test/gauntlet/report.js';
import { runGauntlet } from '../test/gauntlet/runner.js';

const DEFAULT_DURATION_S = 600;

function durationSeconds(): number {
  const text = process.env.GAUNTLET_DURATION_S;
  if (text === undefined || text === '') return DEFAULT_DURATION_S;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`GAUNTLET_DURATION_S=${text}: not a positive number of seconds`);
  return value;
}

const report = await runGauntlet({ durationMs: durationSeconds() * 1000, seed: seedFromEnvironment() });
console.log(formatReport(report));
process.exitCode = report.violations.length === 0 ? 0 : 1;
