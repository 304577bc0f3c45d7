// One failover trial in the lab: the owner of a VIP dies (SIGKILL of its speaker and, for a
// crash, its link cut at the same instant) or leaves (SIGTERM), and two clocks run in the
// client namespace: tcpdump for the new owner's first gratuitous ARP, ping every 10 ms for the
// first reply through the new owner.

import type { Lab } from '../../test/helpers/lab.js';
import type { LabCluster } from '../../test/helpers/lab-cluster.js';
import { collectLines, firstReplyAfter, spawnInClient } from '../../test/helpers/lab-probes.js';

/** Milliseconds from the kill to each event; undefined when it did not happen in time. */
export interface TrialResult {
  readonly gratuitousMs: number | undefined;
  /**
   * First ping reply after the kill. Only meaningful for a crash: after SIGTERM the old owner
   * keeps answering through its grace period, so the first reply is its own (undefined here).
   */
  readonly firstReplyMs: number | undefined;
  /** Kill → the new owner's gossip marks the old owner suspect, then dead or left (its log). */
  readonly suspectMs: number | undefined;
  readonly deadMs: number | undefined;
  /** Kill → the new owner logs "announcing IP" (election, local route and data plane done). */
  readonly announcingMs: number | undefined;
  /** Pings missing between the first and the last reply of the trial (a leave should lose none). */
  readonly lost: number;
}

/** How the owner goes away. */
export type Departure = 'crash' | 'leave';

/** Epoch ms of tcpdump's first ARP line from `mac` that claims `ip` at or after `sinceMs`. */
export function firstGratuitousMs(
  lines: readonly string[],
  mac: string,
  ip: string,
  sinceMs: number,
): number | undefined {
  for (const line of lines) {
    const seconds = Number.parseFloat(line);
    if (!Number.isFinite(seconds) || seconds * 1000 < sinceMs) continue;
    // Gratuitous: broadcast from the new owner's MAC (a unicast reply to the client is not one).
    if (!line.toLowerCase().startsWith(`${line.split(' ')[0]} ${mac} > ff:ff:ff:ff:ff:ff`)) continue;
    if (line.includes(`tell ${ip},`) || line.includes(`Reply ${ip} is-at`)) return seconds * 1000;
  }
  return undefined;
}

interface LogLine {
  /** RFC 3339 time of the line (MetalLB's `ts`). */
  readonly ts?: string;
  readonly msg?: string;
  readonly member?: string;
  readonly to?: string;
  readonly ip?: string;
}

/** Milliseconds after `sinceMs` of the first log line of `log` matching `test`. */
function firstLogMs(log: string, sinceMs: number, test: (line: LogLine) => boolean): number | undefined {
  for (const text of log.split('\n')) {
    if (!text.startsWith('{')) continue;
    const line = JSON.parse(text) as LogLine;
    const time = line.ts === undefined ? Number.NaN : Date.parse(line.ts);
    if (time >= sinceMs && test(line)) return time - sinceMs;
  }
  return undefined;
}

/** The new owner's own account of the take-over, from its log. */
export function takeOverFromLog(log: string, options: { sinceMs: number; owner: string; ip: string }) {
  const { sinceMs, owner, ip } = options;
  const changed = (states: readonly string[]) => (line: LogLine) =>
    line.msg === 'gossip member state changed' && line.member === owner && states.includes(line.to ?? '');
  return {
    suspectMs: firstLogMs(log, sinceMs, changed(['suspect', 'dead', 'left'])),
    deadMs: firstLogMs(log, sinceMs, changed(['dead', 'left'])),
    announcingMs: firstLogMs(log, sinceMs, (line) => line.msg === 'announcing IP' && line.ip === ip),
  };
}

/** Sequence numbers missing between the first and the last reply ping printed. */
export function countLost(lines: readonly string[]): number {
  const sequences = lines
    .map((line) => line.match(/icmp_seq=(\d+)/)?.[1])
    .filter((text) => text !== undefined)
    .map(Number);
  if (sequences.length === 0) return Number.NaN;
  const unique = new Set(sequences);
  return Math.max(...sequences) - Math.min(...sequences) + 1 - unique.size;
}

/** Runs one trial against the current owner of `ip`; the caller restores the cluster afterwards. */
export async function runTrial(options: {
  lab: Lab;
  cluster: LabCluster;
  ip: string;
  owner: string;
  next: string;
  departure: Departure;
  timeoutMs: number;
  graceMs: number;
}): Promise<TrialResult> {
  const { lab, cluster, ip, owner, next } = options;
  const capture = spawnInClient(lab, 'tcpdump', ['-i', 'eth0', '-l', '-n', '-tt', '-e', 'arp']);
  const captureLines = collectLines(capture);
  const ping = spawnInClient(lab, 'ping', ['-n', '-D', '-i', '0.01', '-W', '1', ip]);
  const pingLines = collectLines(ping);
  await new Promise((resolve) => setTimeout(resolve, 600));
  // Times run from the start of the departure. A crash cuts the node's link first (the command
  // takes some milliseconds), then kills its speaker; replies count only once the cut is done,
  // when they can no longer come from the old node's kernel.
  const killedAt = Date.now();
  if (options.departure === 'crash') lab.partition(owner);
  const cutAt = Date.now();
  cluster.speaker(owner).kill(options.departure === 'crash' ? 'SIGKILL' : 'SIGTERM');
  const nextMac = lab.node(next).mac;
  const deadline = killedAt + options.timeoutMs;
  const done = () =>
    firstGratuitousMs(captureLines, nextMac, ip, killedAt) !== undefined && firstReplyAfter(pingLines, cutAt);
  while (Date.now() < deadline && !done()) await new Promise((resolve) => setTimeout(resolve, 50));
  // A leave is judged on loss: keep pinging past the grace period before stopping.
  if (options.departure === 'leave')
    await new Promise((resolve) => setTimeout(resolve, options.graceMs + 500));
  ping.kill('SIGINT');
  capture.kill('SIGINT');
  await cluster.speaker(owner).waitExit();
  await new Promise((resolve) => ping.once('exit', resolve));
  const reply = firstReplyAfter(pingLines, cutAt);
  const gratuitous = firstGratuitousMs(captureLines, nextMac, ip, killedAt);
  return {
    ...takeOverFromLog(cluster.speaker(next).log(), { sinceMs: killedAt, owner, ip }),
    gratuitousMs: gratuitous === undefined ? undefined : gratuitous - killedAt,
    firstReplyMs: reply === undefined || options.departure === 'leave' ? undefined : reply.atMs - killedAt,
    lost: countLost(pingLines),
  };
}
