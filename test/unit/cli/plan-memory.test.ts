// Issue 13 item 8: `ferrolb plan` on a 10 MB input runs under 200 MB peak RSS (memory linear in
// the input, small beside it). The compiled binary as users run it (`make test` builds dist/
// first), on the two 10 MB shapes of bench/plan/input.ts: kubectl's output for some 7,700
// Services, and ~64,000 short flow-style Services that all get an IP (about the most objects 10 MB
// can hold, with the allocator's bookkeeping at its largest: the worst case). Each run must also
// plan every Service, so a run that fails early cannot pass.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
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
  it.each<{ style: InputStyle; atLeast: number; allPlaced: boolean }>([
    { style: 'kubectl', atLeast: 7_000, allPlaced: false },
    { style: 'dense', atLeast: 60_000, allPlaced: true },
  ])(
    'a 10 MB input ($style, $atLeast+ Services) peaks under 200 MB RSS and plans every Service',
    ({ style, atLeast, allPlaced }) => {
      const { file, loadBalancers } = writeInput(style);
      expect(loadBalancers).toBeGreaterThanOrEqual(atLeast);
      const run = runPlan(file);
      onTestFinished(() => {
        for (const directory of [dirname(file), dirname(run.stdoutFile)])
          rmSync(directory, { recursive: true });
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const plan = JSON.parse(readFileSync(run.stdoutFile, 'utf8')) as { services: Record<string, object> };
      expect(Object.keys(plan.services)).toHaveLength(loadBalancers);
      if (allPlaced) expect(Object.values(plan.services).filter((line) => 'error' in line)).toEqual([]);
      expect(run.peakMiB).toBeLessThan(PEAK_RSS_LIMIT_MIB);
    },
    120_000,
  );
});
