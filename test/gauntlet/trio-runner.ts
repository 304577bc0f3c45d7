// The outage trio alone (GAUNTLET_TRIO_ONLY=1 make gauntlet): rounds of the outage faults of
// outage-faults.ts for a fixed duration from a printed seed, without the API server and the
// Kubernetes lab. For iterating on one outage fault (with GAUNTLET_FAULTS) in a minute or two.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_ROOT, trioLabPrefix } from './environment.js';
import { faultKinds } from './faults.js';
import { applyOutageFault, OUTAGE_FAULT_KINDS } from './outage-faults.js';
import { OutageLab } from './outage-lab.js';
import { cycle, Random } from './random.js';
import { Report } from './report.js';
import type { GauntletOptions } from './runner.js';

/** Runs outage faults against the trio alone until `durationMs` has passed; returns the report. */
export async function runTrioOnly(options: GauntletOptions): Promise<Report> {
  const log = options.log ?? ((line: string) => console.log(line));
  const report = new Report(options.seed);
  const random = new Random(options.seed);
  const directory = join(LOG_ROOT, `trio-${process.pid}-${Date.now()}`);
  mkdirSync(directory, { recursive: true });
  log(
    `gauntlet (trio only): seed ${options.seed}, duration ${options.durationMs / 1000} s, logs in ${directory}`,
  );
  const trio = await OutageLab.create(trioLabPrefix(), directory, (what) =>
    report.violation(`daemon crash: ${what}`),
  );
  try {
    await trio.waitReady(trio.lab.nodes.map((node) => node.name));
    for (const problem of await trio.quiet()) report.violation(`outage trio never converged: ${problem}`);
    const chosen: readonly string[] = faultKinds({ outage: true, only: options.faults });
    const kinds = OUTAGE_FAULT_KINDS.filter((kind) => chosen.includes(kind));
    if (kinds.length === 0)
      throw new Error(`GAUNTLET_FAULTS names no outage fault (${OUTAGE_FAULT_KINDS.join(', ')})`);
    const next = cycle(random, kinds);
    report.startedAt = Date.now();
    for (let number = 1; Date.now() < report.startedAt + options.durationMs; number += 1) {
      const kind = next();
      report.operation(`fault.${kind}`);
      const what = await applyOutageFault({ trio, report, random }, kind);
      const elapsed = Math.round((Date.now() - report.startedAt) / 1000);
      log(
        `gauntlet: round ${number} (fault ${kind} ${what}) done at t+${elapsed} s, ${report.violations.length} violations`,
      );
    }
    report.endedAt = Date.now();
    return report;
  } finally {
    await trio.destroy();
  }
}
