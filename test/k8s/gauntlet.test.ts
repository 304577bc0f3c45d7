// The CI form of the gauntlet (issue 7 item 5): at least two minutes of churn, faults and hostile
// input against the real API server, controllers and speakers; any violation fails the suite.
// GAUNTLET_CI_DURATION_S lengthens it; GAUNTLET_SEED replays a failure. GAUNTLET_CI_OUTAGE=1 adds
// the outage trio and its shorter faults (issue 12; replay and forged members, a minute or more
// each, stay in `make gauntlet`). Off here until the re-announce and gossip hardening fixes are on
// main (those faults show violations without them); always on in `make gauntlet`.
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../gauntlet/faults.js';
import type { OutageFaultKind } from '../gauntlet/outage-faults.js';
import { seedFromEnvironment } from '../gauntlet/random.js';
import { formatReport } from '../gauntlet/report.js';
import { runGauntlet } from '../gauntlet/runner.js';

const DURATION_S = Math.max(120, Number(process.env.GAUNTLET_CI_DURATION_S ?? 120) || 120);
const OUTAGE = process.env.GAUNTLET_CI_OUTAGE === '1';
/** The outage faults short enough for CI (about 15 to 35 s each). */
const CI_OUTAGE_FAULTS: readonly OutageFaultKind[] = [
  'owner.crash',
  'owner.SIGTERM',
  'owner.pause',
  'gossip.partition',
  'gossip.flood',
];

describe('gauntlet (CI form)', () => {
  it(
    `issue 7: ${DURATION_S} s of churn, faults and hostile input with zero invariant violations`,
    async () => {
      const report = await runGauntlet({
        durationMs: DURATION_S * 1000,
        seed: seedFromEnvironment(),
        outage: OUTAGE,
        faults: OUTAGE ? [...FAULT_KINDS, ...CI_OUTAGE_FAULTS] : undefined,
      });
      console.log(formatReport(report));
      const checks = [...report.checks.values()].reduce((sum, value) => sum + value, 0);
      expect(checks).toBeGreaterThan(0);
      expect(report.operations.size).toBeGreaterThan(0);
      // One line (a CI log's tail shows a failure's first line): the seed to replay, then each violation.
      const violations = report.violations.map((text) => text.replaceAll('\n', ' | '));
      expect(violations.length === 0 ? '' : `seed ${report.seed}: ${violations.join(' || ')}`).toBe('');
    },
    (DURATION_S + 900) * 1000,
  );
});
