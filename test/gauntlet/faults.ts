// Faults (issue 7 item 1): SIGKILL/SIGTERM a speaker (fail-over timed from the client) or a
// controller replica, restart the API server, cut and heal one node's link. Controller and
// API-server restarts must move zero IPs (C8, DESIGN "Allocation"). With the outage oracle on
// (issue 12), the outage faults of outage-faults.ts join them, applied to the standalone trio.
import { CoordinationV1Api } from '@kubernetes/client-node';
import { SYSTEM_NAMESPACE } from '../k8s/harness/index.js';
import type { Ownership } from './checkpoint.js';
import type { Daemon } from './daemons.js';
import type { Environment } from './environment.js';
import { expectedOwners, ipsByService, movedIps } from './invariants.js';
import type { World } from './model.js';
import { observeServices } from './monitor.js';
import { applyOutageFault, OUTAGE_FAULT_KINDS, type OutageFaultKind } from './outage-faults.js';
import type { OutageLab } from './outage-lab.js';
import { firstAnswer, isIPv6 } from './probes.js';
import type { Random } from './random.js';
import type { Report } from './report.js';

export const FAULT_KINDS = [
  'speaker.SIGKILL',
  'speaker.SIGTERM',
  'controller.SIGKILL',
  'controller.SIGTERM',
  'apiserver.restart',
  'link.cutAndHeal',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number] | OutageFaultKind;

/**
 * The fault kinds of a run: the Kubernetes ones, plus the outage faults when the trio runs,
 * narrowed to `only` when given (GAUNTLET_FAULTS); an unknown name is an error.
 */
export function faultKinds(options: { outage: boolean; only?: readonly string[] }): FaultKind[] {
  const all: FaultKind[] = [...FAULT_KINDS, ...(options.outage ? OUTAGE_FAULT_KINDS : [])];
  if (!options.only || options.only.length === 0) return all;
  for (const name of options.only) {
    if (!all.includes(name as FaultKind))
      throw new Error(
        `GAUNTLET_FAULTS: unknown fault ${name} (known with outage ${options.outage}: ${all.join(', ')})`,
      );
  }
  return all.filter((kind) => options.only?.includes(kind));
}

const FAILOVER_TIMEOUT_MS = 30_000;
const STABLE_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface FaultContext {
  readonly environment: Environment;
  readonly world: World;
  readonly report: Report;
  readonly random: Random;
  /** The standalone trio of the outage faults, when the outage oracle is on. */
  readonly trio?: OutageLab;
}

/** Service IPs once two reads 3 s apart agree (the controller has finished reacting). */
export async function stableSnapshot(environment: Environment): Promise<Map<string, string>> {
  const deadline = Date.now() + STABLE_TIMEOUT_MS;
  let previous = ipsByService(await observeServices(environment.user));
  for (;;) {
    await sleep(3_000);
    const current = ipsByService(await observeServices(environment.user));
    if (movedIps(previous, current).length === 0 && previous.size === current.size) return current;
    if (Date.now() > deadline) return current;
    previous = current;
  }
}

async function leaseHolder(environment: Environment): Promise<string> {
  try {
    const lease = await environment.cluster.admin
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'ferrolb-controller', namespace: SYSTEM_NAMESPACE });
    return lease.spec?.holderIdentity ?? '';
  } catch {
    return '';
  }
}

/** An owned IP whose owner can fail over to another node: (ip, owner, next owner). */
async function failoverTarget(
  context: FaultContext,
  ownership: Ownership,
): Promise<{ ip: string; owner: string; next: string } | undefined> {
  const { environment, world, random } = context;
  const observed = await observeServices(environment.user);
  const targets: { ip: string; owner: string; next: string }[] = [];
  for (const [ip, owner] of ownership) {
    // Only a single owner hands over to a single next one (see expectedOwners for the other case).
    if (owner === '' || owner.includes(',')) continue;
    const live = world.nodes.map((node) => node.name).filter((name) => name !== owner);
    const holders = observed.flatMap((service) => {
      const model = world.services.get(service.key);
      const firstIp = service.ips[0];
      return model && firstIp && service.ips.includes(ip) ? [{ service: model, firstIp }] : [];
    });
    const next = expectedOwners(world, { live, holders });
    if (next.length === 1 && next[0]) targets.push({ ip, owner, next: next[0] });
  }
  if (targets.length === 0) return undefined;
  // Either family half the time when both are owned: IPv4 IPs outnumber IPv6 ones, and NDP
  // fail-overs should be timed about as often as ARP ones.
  const wantIPv6 = random.chance(0.5);
  const sameFamily = targets.filter((target) => isIPv6(target.ip) === wantIPv6);
  return random.pick(sameFamily.length > 0 ? sameFamily : targets);
}

/**
 * Kills a speaker that owns an IP (if any) and times how long until the client sees the next owner
 * answer ARP (IPv4) or NDP (IPv6) for it.
 */
async function speakerFault(
  context: FaultContext,
  signal: NodeJS.Signals,
  ownership: Ownership,
): Promise<string> {
  const { environment, world, report, random } = context;
  const target = await failoverTarget(context, ownership);
  if (!target) report.count('speakerFaultsWithNothingToFailOver');
  const { ip, owner, next } = target ?? { ip: '', owner: random.pick(world.nodes).name, next: '' };
  const daemon = environment.speakers.get(owner) as Daemon;
  const started = Date.now();
  const pid = daemon.child?.pid;
  const stopped = daemon.stop(signal);
  if (ip && next) {
    const mac = environment.lab.node(next).mac.toLowerCase();
    while ((await firstAnswer(environment.lab.clientNamespace, ip)) !== mac) {
      if (Date.now() - started > FAILOVER_TIMEOUT_MS) {
        report.violation(
          `${signal} of ${owner}: ${ip} not answered by ${next} within ${FAILOVER_TIMEOUT_MS / 1000} s`,
        );
        break;
      }
    }
    if (Date.now() - started <= FAILOVER_TIMEOUT_MS) {
      report.failoverMs.push(Date.now() - started);
      report.count(isIPv6(ip) ? 'failoversTimedIPv6' : 'failoversTimedIPv4');
    }
  }
  const outcome = await stopped;
  if (signal === 'SIGTERM' && outcome !== 'code 0') {
    report.violation(
      `speaker on ${owner} (pid ${pid}): SIGTERM ended in ${outcome} (15 s grace), not exit 0\n${daemon.logTail(8)}`,
    );
  }
  daemon.start();
  report.restart(`speaker.${signal}`);
  return ip ? `${owner} (${ip} -> ${next})` : owner;
}

/** Restarts the leading controller (or the API server) and checks that no IP moved. */
async function restartFault(context: FaultContext, kind: FaultKind): Promise<string> {
  const { environment, report } = context;
  const before = await stableSnapshot(environment);
  if (kind === 'apiserver.restart') {
    await environment.cluster.restartApiServer();
  } else {
    const holder = await leaseHolder(environment);
    const leader =
      environment.controllers.find((daemon) => holder.startsWith(daemon.name)) ?? environment.controllers[0];
    const signal = kind === 'controller.SIGKILL' ? 'SIGKILL' : 'SIGTERM';
    const outcome = await leader?.stop(signal);
    if (signal === 'SIGTERM' && outcome !== 'code 0') {
      report.violation(`${leader?.name}: SIGTERM ended in ${outcome} (15 s grace), not exit 0`);
    }
    leader?.start();
  }
  report.restart(kind);
  // Long enough for a SIGKILLed leader's Lease to expire and the other replica to resync.
  await sleep(kind === 'controller.SIGKILL' ? 20_000 : 8_000);
  const after = await stableSnapshot(environment);
  report.count('check.restartMovesNoIp');
  for (const moved of movedIps(before, after)) report.violation(`${kind} moved an IP: ${moved}`);
  return '';
}

/**
 * Cuts one node off the bridge for a few seconds, then heals it. The node loses its peers, the
 * client and (through the lab's API endpoint on the bridge) the API server at once.
 */
async function linkFault(context: FaultContext): Promise<string> {
  const { environment, random, report } = context;
  const node = random.pick(context.world.nodes).name;
  const cutMs = random.int(3_000, 8_000);
  const started = new Date().toISOString();
  environment.lab.partition(node);
  await sleep(cutMs);
  environment.lab.heal(node);
  report.restart('link.cutAndHeal');
  return `${node} at ${started} for ${cutMs} ms`;
}

/** Applies one fault; `ownership` is the last verified quiet state. Resolves to what it hit, for the log. */
export async function applyFault(
  context: FaultContext,
  kind: FaultKind,
  ownership: Ownership,
): Promise<string> {
  context.report.operation(`fault.${kind}`);
  if ((OUTAGE_FAULT_KINDS as readonly string[]).includes(kind)) {
    if (!context.trio) throw new Error(`fault ${kind} needs the outage trio (GAUNTLET_OUTAGE=1)`);
    return applyOutageFault({ ...context, trio: context.trio }, kind as OutageFaultKind);
  }
  if (kind === 'speaker.SIGKILL' || kind === 'speaker.SIGTERM') {
    return speakerFault(context, kind === 'speaker.SIGKILL' ? 'SIGKILL' : 'SIGTERM', ownership);
  }
  if (kind === 'link.cutAndHeal') return linkFault(context);
  return restartFault(context, kind as (typeof FAULT_KINDS)[number]);
}
