// `ferrolb plan` memory and time by input size (issue 13 #8: a 10 MB input under 200 MB peak
// RSS). Baseline in the same run: the same binary on a one-Service input (what Node and the CLI
// cost before any input). Figures: peak RSS (the process's own high-water mark) and wall time
// of the compiled binary (run `npx tsc -p tsconfig.build.json` first; `make bench` does).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type InputStyle, largePlanInput } from './input.js';
import { runPlan } from './measure.js';

const MIB = 1024 * 1024;
const SIZES_MIB = [1, 5, 10];
const STYLES: readonly InputStyle[] = ['kubectl', 'dense'];

const directory = mkdtempSync(join(tmpdir(), 'ferrolb-bench-plan-'));

function measure(style: InputStyle, bytes: number): string {
  const file = join(directory, `${style}-${bytes}.yaml`);
  writeFileSync(file, largePlanInput(bytes, style));
  const run = runPlan(file);
  rmSync(dirname(run.stdoutFile), { recursive: true });
  if (run.code !== 0) throw new Error(`plan exited ${run.code}: ${run.stderr}`);
  const size = `${(bytes / MIB).toFixed(bytes < MIB ? 3 : 0)} MiB`;
  return `${style.padEnd(8)} ${size.padStart(10)} ${run.peakMiB.toFixed(0).padStart(6)} MiB ${run.seconds.toFixed(1).padStart(6)} s`;
}

console.log('style         input  peak RSS    wall');
console.log(`${measure('kubectl', 1)}   (baseline: one Service)`);
for (const style of STYLES) for (const size of SIZES_MIB) console.log(measure(style, size * MIB));
rmSync(directory, { recursive: true });
