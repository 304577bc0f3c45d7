// bench/failover (issue 5 item 7): in a three-node lab running the real `ferrolb standalone`,
// 20 trials per setting of the owner of a VIP going away — crashed (SIGKILL of the speaker and
// its link cut at once) or leaving (SIGTERM) — timing the new owner's first gratuitous ARP and
// the client's first reply through it; plus gossip bytes/s per node at 5 and 100 members. The
// baseline beside them, from the same run: the client's ping round trip to the VIP (the floor).
import { cpus } from 'node:os';
import {
  GRATUITOUS_DURATION_MS,
  GRATUITOUS_INTERVAL_MS,
  STANDALONE_GRACE_PERIOD_MS,
  STANDALONE_JOIN_WAIT_MS,
} from '../../src/config/defaults.js';
import { DEFAULT_TIMINGS, measureGossipBandwidth } from '../../src/membership/index.js';
import { Lab } from '../../test/helpers/lab.js';
import { expectedOwner, LabCluster, requireBuild, waitForOwner } from '../../test/helpers/lab-cluster.js';
import { type Departure, runTrial, type TrialResult } from './trial.js';

const TRIALS = Number(process.env.FAILOVER_TRIALS ?? 20);
const VIP = '203.0.113.10';
const TIMEOUT_MS = 10_000;

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function summary(label: string, values: readonly (number | undefined)[]): string {
  const present = values.filter((value): value is number => value !== undefined);
  const missing = values.length - present.length;
  if (present.length === 0) return `${label.padEnd(46)} n/a`;
  const figures = [0.5, 0.99].map((fraction) => percentile(present, fraction).toFixed(0).padStart(6));
  const max = Math.max(...present)
    .toFixed(0)
    .padStart(6);
  return `${label.padEnd(46)} p50 ${figures[0]} ms  p99 ${figures[1]} ms  max ${max} ms  (n=${present.length}${missing ? `, ${missing} missed` : ''})`;
}

type TimedField = 'suspectMs' | 'deadMs' | 'announcingMs' | 'gratuitousMs' | 'firstReplyMs';

function printRows(results: readonly TrialResult[], rows: readonly (readonly [string, TimedField])[]): void {
  for (const [label, field] of rows)
    console.log(
      summary(
        label,
        results.map((result) => result[field]),
      ),
    );
}

function pingBaseline(lab: Lab): string {
  const result = lab.inClient('ping', ['-n', '-q', '-i', '0.01', '-c', '200', VIP]);
  return result.output.split('\n').find((line) => line.includes('rtt')) ?? result.output.trim();
}

async function restore(
  lab: Lab,
  cluster: LabCluster,
  owner: string,
  names: readonly string[],
): Promise<void> {
  try {
    lab.heal(owner);
  } catch {
    // Not partitioned (a leave trial).
  }
  cluster.start([owner]);
  try {
    await waitForOwner(lab, VIP, expectedOwner(names, VIP), 30_000);
  } catch (error) {
    const states = cluster
      .logs()
      .split('\n')
      .filter((line) => /---|member|announc|warn/.test(line));
    console.error(states.slice(-60).join('\n'));
    throw error;
  }
}

async function runSetting(lab: Lab, cluster: LabCluster, departure: Departure): Promise<TrialResult[]> {
  const names = lab.nodes.map((node) => node.name);
  const owner = expectedOwner(names, VIP);
  const next = expectedOwner(
    names.filter((name) => name !== owner),
    VIP,
  );
  const results: TrialResult[] = [];
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const timing = { timeoutMs: TIMEOUT_MS, graceMs: STANDALONE_GRACE_PERIOD_MS };
    results.push(await runTrial({ lab, cluster, ip: VIP, owner, next, departure, ...timing }));
    await restore(lab, cluster, owner, names);
    process.stdout.write('.');
  }
  process.stdout.write('\n');
  return results;
}

async function main(): Promise<void> {
  requireBuild();
  console.log(
    `bench/failover — Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`,
  );
  console.log(`default timings: gossip ${JSON.stringify(DEFAULT_TIMINGS)}`);
  console.log(
    `  gratuitous every ${GRATUITOUS_INTERVAL_MS} ms for ${GRATUITOUS_DURATION_MS} ms; hand-over grace ${STANDALONE_GRACE_PERIOD_MS} ms; start-up wait ≤ ${STANDALONE_JOIN_WAIT_MS} ms`,
  );
  const lab = Lab.create({ prefix: 'flb-bench', nodeCount: 3 });
  const cluster = new LabCluster(lab);
  try {
    cluster.writeConfig({
      pools: [{ name: 'bench', addresses: ['203.0.113.10-203.0.113.20'] }],
      services: [{ name: 'web' }],
    });
    cluster.start();
    const names = lab.nodes.map((node) => node.name);
    await waitForOwner(lab, VIP, expectedOwner(names, VIP), 30_000);
    console.log(`baseline (same run): client ping to the VIP through its live owner: ${pingBaseline(lab)}`);
    console.log(`${TRIALS} trials per setting; owner ${expectedOwner(names, VIP)} of ${VIP}`);
    const crash = await runSetting(lab, cluster, 'crash');
    printRows(crash, [
      ['crash: kill → gossip suspects (new owner log)', 'suspectMs'],
      ['crash: kill → gossip declares dead (log)', 'deadMs'],
      ['crash: kill → new owner announcing (log)', 'announcingMs'],
      ['crash: kill → new owner gratuitous ARP (wire)', 'gratuitousMs'],
      ['crash: kill → first reply through new owner', 'firstReplyMs'],
    ]);
    const leave = await runSetting(lab, cluster, 'leave');
    printRows(leave, [
      ['leave: SIGTERM → gossip sees left (log)', 'deadMs'],
      ['leave: SIGTERM → new owner gratuitous ARP', 'gratuitousMs'],
    ]);
    console.log(`leave: pings lost (every 10 ms) per trial: ${leave.map((result) => result.lost).join(' ')}`);
    console.log('targets (crash, default settings): p50 < 500 ms, p99 < 1000 ms');
  } finally {
    await cluster.stopAll();
    lab.destroy();
  }
  for (const members of [5, 100]) {
    const report = await measureGossipBandwidth({ members });
    console.log(
      `gossip, ${members} members simulated in one process: sent ${report.bytesSentPerSecond.mean.toFixed(0)} B/s per node (max ${report.bytesSentPerSecond.max.toFixed(0)}), received ${report.bytesReceivedPerSecond.mean.toFixed(0)} B/s, largest datagram ${report.largestPacketBytes} B, converged ${report.converged} in ${report.convergeMs.toFixed(0)} ms`,
    );
  }
}

await main();
