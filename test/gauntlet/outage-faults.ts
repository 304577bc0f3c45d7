// The outage faults of issue 12, applied to the standalone trio while the client pings every VIP
// every 10 ms: each ends with the longest outage of each phase checked against its limit
// (crash <= 1 s, pause and healed partition <= 1 s after, graceful hand-over 0 lost), recorded per
// fault for the report, and with the trio back in its quiet state.
import { join } from 'node:path';
import { DEFAULT_TIMINGS, HOUSEKEEPING_INTERVAL_MS } from '../../src/membership/defaults.js';
import { ROUTE_PROTOCOL } from '../../src/standalone/routes.js';
import { inNs, tryInNs } from '../helpers/netns.js';
import { Capture, forgedMemberPackets, garbageFlood, sendDatagrams } from './gossip-attacks.js';
import { describeOutage, worstOutage } from './outage.js';
import type { OutageLab } from './outage-lab.js';
import type { Random } from './random.js';
import type { Report } from './report.js';

export const OUTAGE_FAULT_KINDS = [
  'owner.crash',
  'owner.SIGTERM',
  'owner.pause',
  'gossip.partition',
  'gossip.replay',
  'gossip.flood',
  'gossip.forgedMembers',
] as const;
export type OutageFaultKind = (typeof OUTAGE_FAULT_KINDS)[number];

export interface OutageFaultContext {
  readonly trio: OutageLab;
  readonly report: Report;
  readonly random: Random;
}

/** One fault's run: its judged phases, for the round's log line. */
interface FaultRun extends OutageFaultContext {
  readonly phases: string[];
  /** The node the fault hit, for violations. */
  readonly target: string;
}

const GOSSIP_PORT = 7946;
/** The issue's limit for a crash, and after a pause or a healed partition. */
export const OUTAGE_LIMIT_MS = 1_000;
/** How long the client keeps pinging after a fault before the "after" phase is judged. */
const AFTER_MS = 20_000;
/** The issue's flood: 300k pps for 10 s at most (the sender reaches what it can). */
const FLOOD = { maxPackets: 3_000_000, maxMs: 10_000 };
const FORGED = { packets: 2_000, perPacket: 2 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A phase's limit: at most `maxMs` without a reply, or (hand-over) `maxLost` echoes lost in all. */
type Limit = { readonly maxMs: number } | { readonly maxLost: number };

/** Judges one phase [from, to] of fault `kind` on every pinged VIP; records it for the report. */
async function judge(
  context: FaultRun,
  what: { kind: string; phase: string; from: number; to?: number },
  limit: Limit,
) {
  // An outage still open is measured to its end (up to a minute), not cut at the phase's end.
  const deadline = Date.now() + 60_000;
  while (!context.trio.meter.allAnswering() && Date.now() < deadline) await sleep(200);
  const outages = context.trio.meter.outages(what.from, what.to);
  const worst = worstOutage(outages);
  const lost = outages.reduce((sum, outage) => sum + outage.lost, 0);
  context.report.outage(`${what.kind} (${what.phase})`, worst);
  context.report.count('check.outage');
  context.phases.push(`${what.phase} ${describeOutage(worst)}`);
  const over = 'maxMs' in limit ? (worst?.longestMs ?? 0) > limit.maxMs : lost > limit.maxLost;
  if (over) {
    const rule = 'maxMs' in limit ? `limit ${limit.maxMs} ms` : `limit ${limit.maxLost} lost`;
    context.report.violation(
      `outage: ${what.kind} of ${context.target} (${what.phase}): ${describeOutage(worst)}, ${lost} lost in all; ${rule}`,
    );
  }
  return worst;
}

/** Waits for the trio's quiet state; a violation names what never converged. */
async function settle(context: FaultRun, kind: string): Promise<void> {
  for (const problem of await context.trio.quiet())
    context.report.violation(`outage: after ${kind}, trio not converged in 60 s: ${problem}`);
}

/** Restarts `name` and waits for it to serve. */
async function restart(context: FaultRun, name: string): Promise<void> {
  context.trio.start([name]);
  if (!(await context.trio.waitReady([name])))
    context.report.violation(`trio speaker ${name} not ready 30 s after start`);
}

/** A host crash: SIGKILL, the link cut and ferrolb's routes gone (a reboot), then back. */
async function crash(context: FaultRun, kind: string, name: string): Promise<void> {
  const { trio } = context;
  const node = trio.lab.node(name);
  const from = Date.now();
  trio.lab.partition(name);
  await trio.stop(name, 'SIGKILL');
  for (const family of ['-4', '-6'])
    tryInNs(node.namespace, 'ip', [family, 'route', 'flush', 'table', 'local', 'proto', ROUTE_PROTOCOL]);
  await sleep(4_000);
  trio.lab.heal(name);
  const back = Date.now();
  await judge(context, { kind, phase: 'crash', from, to: back }, { maxMs: OUTAGE_LIMIT_MS });
  await restart(context, name);
  await sleep(8_000);
  await judge(context, { kind, phase: 'fail-back', from: back }, { maxMs: OUTAGE_LIMIT_MS });
}

async function handOver(context: FaultRun, name: string): Promise<void> {
  const from = Date.now();
  const code = await context.trio.stop(name, 'SIGTERM');
  if (code !== 0) context.report.violation(`trio speaker ${name}: SIGTERM ended in code ${code}, not 0`);
  await sleep(3_000);
  const back = Date.now();
  await judge(context, { kind: 'owner.SIGTERM', phase: 'hand-over', from, to: back }, { maxLost: 0 });
  await restart(context, name);
  await sleep(8_000);
  await judge(context, { kind: 'owner.SIGTERM', phase: 'fail-back', from: back }, { maxMs: OUTAGE_LIMIT_MS });
}

async function pause(context: FaultRun, name: string): Promise<void> {
  const from = Date.now();
  context.trio.signal(name, 'SIGSTOP');
  await sleep(3_000);
  context.trio.signal(name, 'SIGCONT');
  const resumed = Date.now();
  await sleep(AFTER_MS);
  await judge(
    context,
    { kind: 'owner.pause', phase: 'paused', from, to: resumed },
    { maxMs: OUTAGE_LIMIT_MS },
  );
  await judge(
    context,
    { kind: 'owner.pause', phase: 'after SIGCONT', from: resumed },
    { maxMs: OUTAGE_LIMIT_MS },
  );
}

/** UDP to and from the gossip port dropped both ways in the node's namespace; links stay up. */
function gossipRules(namespace: string, action: '-I' | '-D'): void {
  for (const chain of ['INPUT', 'OUTPUT'])
    for (const side of ['--dport', '--sport'])
      inNs(namespace, 'iptables', [action, chain, '-p', 'udp', side, String(GOSSIP_PORT), '-j', 'DROP']);
}

async function partition(context: FaultRun, name: string): Promise<number> {
  const namespace = context.trio.lab.node(name).namespace;
  const cutMs = context.random.int(4_000, 8_000);
  const from = Date.now();
  gossipRules(namespace, '-I');
  try {
    await sleep(cutMs);
  } finally {
    gossipRules(namespace, '-D');
  }
  const healed = Date.now();
  await sleep(AFTER_MS);
  await judge(
    context,
    { kind: 'gossip.partition', phase: 'partitioned', from, to: healed },
    { maxMs: OUTAGE_LIMIT_MS },
  );
  await judge(
    context,
    { kind: 'gossip.partition', phase: 'after heal', from: healed },
    { maxMs: OUTAGE_LIMIT_MS },
  );
  return cutMs;
}

/** Failovers and drops counted by the trio, to compare across an attack. */
async function counters(trio: OutageLab): Promise<{ failovers: number; dropped: number }> {
  return {
    failovers: await trio.metric('ferrolb_failover_events_total'),
    dropped: await trio.metric('ferrolb_gossip_packets_dropped_total'),
  };
}

/** An attack must move no IP: no failover counted, no outage over the limit. */
async function noFailover(context: FaultRun, kind: string, before: { failovers: number; from: number }) {
  await sleep(AFTER_MS);
  await judge(context, { kind, phase: 'attack', from: before.from }, { maxMs: OUTAGE_LIMIT_MS });
  const after = await counters(context.trio);
  context.report.count('check.attackMovesNoIp');
  if (after.failovers !== before.failovers)
    context.report.violation(
      `${kind}: ${after.failovers - before.failovers} failovers counted (ferrolb_failover_events_total)`,
    );
  return after;
}

/**
 * Captures the gossip while `name` leaves (SIGTERM), keeps it down until its peers have forgotten
 * it (dead retention), restarts it, then replays from the client what `name` sent while leaving:
 * its encrypted "left" packets (everything captured if none), as the review did 79 s later.
 */
async function replay(context: FaultRun, name: string): Promise<string> {
  const { trio, report } = context;
  const file = join(trio.logDirectory, `replay-${Date.now()}.pcap`);
  const capture = new Capture(trio.lab.bridgeNamespace, {
    device: 'br0',
    port: GOSSIP_PORT,
    file,
    maxPackets: 5_000,
  });
  await sleep(1_000);
  const leaving = Date.now();
  await trio.stop(name, 'SIGTERM');
  const left = Date.now();
  await sleep(1_000);
  const captured = await capture.stop();
  await sleep(DEFAULT_TIMINGS.deadRetentionMs + 2 * HOUSEKEEPING_INTERVAL_MS);
  await restart(context, name);
  const source = trio.lab.node(name).ipv4;
  const leave = captured.filter((d) => d.source === source && d.atMs >= leaving - 50 && d.atMs <= left + 50);
  const datagrams = leave.length > 0 ? leave : captured;
  await settle(context, 'gossip.replay capture');
  await sleep(5_000);
  const before = { ...(await counters(trio)), from: Date.now() };
  await sendDatagrams(trio.lab.clientNamespace, datagrams, 1);
  const after = await noFailover(context, 'gossip.replay', before);
  report.count('check.replayDropped');
  if (after.dropped - before.dropped < datagrams.length)
    report.violation(
      `gossip.replay: ${datagrams.length} replayed packets, ferrolb_gossip_packets_dropped_total rose by ${after.dropped - before.dropped}`,
    );
  return `${captured.length} packets captured while ${name} left, its ${datagrams.length} replayed after its restart`;
}

async function flood(context: FaultRun, name: string): Promise<string> {
  const { trio } = context;
  const before = { ...(await counters(trio)), from: Date.now() };
  const started = Date.now();
  const target = { address: trio.lab.node(name).ipv4, port: GOSSIP_PORT };
  const sent = await garbageFlood(trio.lab.clientNamespace, target, FLOOD);
  const pps = Math.round(sent / Math.max(0.001, (Date.now() - started) / 1000));
  await noFailover(context, 'gossip.flood', before);
  return `${sent} garbage datagrams to ${name} (~${pps} pps)`;
}

/** Plaintext trio: forged "alive" records, then the member table bound and a crash detected in time. */
async function forgedMembers(context: FaultRun, name: string): Promise<string> {
  const { trio, report } = context;
  await trio.useMode('plaintext');
  try {
    await settle(context, 'gossip.forgedMembers plaintext restart');
    const packets = forgedMemberPackets({ ...FORGED, port: GOSSIP_PORT });
    const datagrams = packets.map((payload, index) => {
      const node = trio.lab.nodes[index % trio.lab.nodes.length];
      return { address: node?.ipv4 ?? '', port: GOSSIP_PORT, payload };
    });
    await sendDatagrams(trio.lab.clientNamespace, datagrams, 0);
    await sleep(3_000);
    const members = await trio.metricByNode('ferrolb_gossip_members');
    const most = Math.max(...members.values());
    report.count('check.memberTableBound');
    if (most > trio.lab.nodes.length)
      report.violation(
        `gossip.forgedMembers: ${FORGED.packets * FORGED.perPacket} forged records made ferrolb_gossip_members reach ${most} (standalone has ${trio.lab.nodes.length} configured members)`,
      );
    await crash(context, 'gossip.forgedMembers', name);
    return `${datagrams.length} forged packets, members per node ${[...members.values()].join('/')}`;
  } finally {
    await trio.useMode('keyed');
  }
}

/** Applies one outage fault to an owner of at least one VIP; resolves to what it hit, for the log. */
export async function applyOutageFault(shared: OutageFaultContext, kind: OutageFaultKind): Promise<string> {
  const { node, ips } = shared.trio.ownerOf((names) => shared.random.pick(names));
  const name = node.name;
  const context: FaultRun = { ...shared, phases: [], target: name };
  let detail = '';
  if (kind === 'owner.crash') await crash(context, kind, name);
  else if (kind === 'owner.SIGTERM') await handOver(context, name);
  else if (kind === 'owner.pause') await pause(context, name);
  else if (kind === 'gossip.partition') detail = `for ${await partition(context, name)} ms`;
  else if (kind === 'gossip.replay') detail = await replay(context, name);
  else if (kind === 'gossip.flood') detail = await flood(context, name);
  else detail = await forgedMembers(context, name);
  await settle(context, kind);
  context.report.restart(`trio.${kind}`);
  const outages = context.phases.join('; ');
  return `${name} (owner of ${ips.join(',')})${detail ? ` ${detail}` : ''}, longest outage: ${outages}`;
}
