// Issue 13 item 8: `ferrolb plan` on a 10 MB input runs under 200 MB peak RSS (memory linear in
// the input, small beside it). The compiled binary as users run it (`make test` builds dist/
// first), on the two 10 MB shapes of bench/plan/input.ts: kubectl's output for some 7,700
// Services, and ~75,000 short flow-style Services (the most objects 10 MB can hold, the worst
// case). Each run must also plan every Service, so a run that fails early cannot pass.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type InputStyle, largePlanInput } from '../../../bench/plan/input.js';
import { runPlan } from '../../../bench/plan/measure.js';

const INPUT_BYTES = 10 * 1024 * 1024;
/** The bound issue 13 sets for a 10 MB input. */
const PEAK_RSS_LIMIT_MIB = 200;

function writeInput(style: InputStyle): { file: string; loadBalancers: number } {
  const text = largePlanInput(INPUT_BYTES, style);
  const file = join(mkdtempSync(join(tmpdir(), 'ferrolb-plan-memory-')), `${style}.yaml`);
  writeFileSync(file, text);
  const loadBalancers = text.match(/type: LoadBalancer/g)?.length ?? 0;
  return { file, loadBalancers };
}

describe('ferrolb plan memory (issue 13 #8)', () => {
  it.each<{ style: InputStyle; atLeast: number }>([
    { style: 'kubectl', atLeast: 7_000 },
    { style: 'dense', atLeast: 70_000 },
  ])(
    'a 10 MB input ($style, $atLeast+ Services) peaks under 200 MB RSS and plans every Service',
    ({ style, atLeast }) => {
      const { file, loadBalancers } = writeInput(style);
      expect(loadBalancers).toBeGreaterThanOrEqual(atLeast);
      const run = runPlan(file);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const plan = JSON.parse(readFileSync(run.stdoutFile, 'utf8')) as { services: object };
      expect(Object.keys(plan.services)).toHaveLength(loadBalancers);
      expect(run.peakMiB).toBeLessThan(PEAK_RSS_LIMIT_MIB);
    },
    120_000,
  );
});
