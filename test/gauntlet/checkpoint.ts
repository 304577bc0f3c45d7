// The quiet-state checks (issue 7 item 2): with every daemon up and every link healed, each held IP
// has exactly one owner; that owner is the node MetalLB's hash order picks among eligible live
// nodes (E1-E9); the client's arping (IPv4) or ndisc6 (IPv6) resolves the IP to the owner's MAC
// and to no other; the owner's ServiceL2Status names it (R4). Polled until it holds or
// QUIET_TIMEOUT_MS passes.
import { SYSTEM_NAMESPACE } from '../k8s/harness/index.js';
import type { Environment } from './environment.js';
import { expectedOwners, type Holder, holderOwner, type ObservedService } from './invariants.js';
import type { ServiceModel, World } from './model.js';
import { observeServices } from './monitor.js';
import { answeringMacs, isIPv6 } from './probes.js';
import type { Report } from './report.js';

export const QUIET_TIMEOUT_MS = 90_000;

/**
 * IP -> expected owner node ('' when nobody may announce it; nodes joined by ',' in the E9 case of
 * holders hashing different first IPs, see expectedOwners).
 */
export type Ownership = Map<string, string>;

/** The holder of each LoadBalancer Service's IPs, by Service key. */
function holdersOf(world: World, services: readonly ObservedService[]): Map<string, Holder> {
  const holders = new Map<string, Holder>();
  for (const service of services) {
    const model: ServiceModel | undefined = world.services.get(service.key);
    const firstIp = service.ips[0];
    if (model && service.loadBalancer && firstIp) holders.set(service.key, { service: model, firstIp });
  }
  return holders;
}

function expectations(
  world: World,
  services: readonly ObservedService[],
  live: readonly string[],
): Ownership {
  const holders = holdersOf(world, services);
  const byIp = new Map<string, Holder[]>();
  for (const service of services) {
    const holder = holders.get(service.key);
    if (holder) for (const ip of service.ips) byIp.set(ip, [...(byIp.get(ip) ?? []), holder]);
  }
  return new Map(
    [...byIp].map(([ip, ipHolders]) => [ip, expectedOwners(world, { live, holders: ipHolders }).join(',')]),
  );
}

async function statusNodes(environment: Environment): Promise<Map<string, string[]>> {
  const list = (await environment.user.custom.listNamespacedCustomObject({
    group: 'metallb.io',
    version: 'v1beta1',
    namespace: SYSTEM_NAMESPACE,
    plural: 'servicel2statuses',
  })) as { items: { status?: { node?: string; serviceName?: string; serviceNamespace?: string } }[] };
  const byService = new Map<string, string[]>();
  for (const item of list.items) {
    const key = `${item.status?.serviceNamespace}/${item.status?.serviceName}`;
    byService.set(key, [...(byService.get(key) ?? []), item.status?.node ?? '']);
  }
  return byService;
}

/** One attempt: the mismatches between expectation and what the client and the API show. */
async function mismatches(context: { environment: Environment; world: World }, live: readonly string[]) {
  const { environment, world } = context;
  const services = await observeServices(environment.user);
  const expected = expectations(world, services, live);
  const problems: string[] = [];
  const macToNode = (mac: string) => environment.lab.nodeByMac(mac)?.name ?? `foreign MAC ${mac}`;
  const answers = await Promise.all(
    [...expected.keys()].map(
      async (ip) => [ip, await answeringMacs(environment.lab.clientNamespace, ip)] as const,
    ),
  );
  for (const [ip, macs] of answers) {
    const owner = expected.get(ip) ?? '';
    const answering = macs.map(macToNode).sort();
    const protocol = isIPv6(ip) ? 'NDP' : 'ARP';
    if (answering.join(',') !== owner)
      problems.push(`${ip}: expected owner "${owner}", ${protocol} answered by [${answering.join(',')}]`);
  }
  const statuses = await statusNodes(environment);
  const holders = holdersOf(world, services);
  for (const service of services) {
    const holder = holders.get(service.key);
    const want = holder ? (holderOwner(world, holder, live) ?? '') : '';
    const have = (statuses.get(service.key) ?? []).sort().join(',');
    if (have !== want) problems.push(`${service.key}: ServiceL2Status on [${have}], expected [${want}]`);
  }
  return { problems, expected, services: services.length };
}

/** Waits for the quiet state; returns the ownership it verified (violations go to the report). */
export async function checkQuiet(
  context: { environment: Environment; world: World; report: Report },
  live: readonly string[],
): Promise<Ownership> {
  const deadline = Date.now() + QUIET_TIMEOUT_MS;
  let last: Awaited<ReturnType<typeof mismatches>> | undefined;
  for (;;) {
    try {
      last = await mismatches(context, live);
      if (last.problems.length === 0) break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const { report } = context;
  report.count('check.quietCheckpoint');
  const ips = [...(last?.expected ?? new Map<string, string>()).entries()];
  report.count('check.arpOwner', ips.filter(([ip]) => !isIPv6(ip)).length);
  report.count('check.ndpOwner', ips.filter(([ip]) => isIPv6(ip)).length);
  report.count('check.hashOrderOwner', ips.length);
  // E9 case (see expectedOwners): counted so the report shows how often one IP had two owners.
  report.count('ipsWithOwnersOfTwoHashKeys', ips.filter(([, owner]) => owner.includes(',')).length);
  report.count('check.serviceL2Status', last?.services ?? 0);
  for (const problem of last?.problems ?? ['quiet check never completed']) {
    report.violation(`not converged after ${QUIET_TIMEOUT_MS / 1000} s: ${problem}`);
  }
  return last?.expected ?? new Map();
}

/**
 * DESIGN "Real parts in tests", the negative: with every speaker stopped (SIGTERM), nothing answers
 * ARP or NDP for any IP the run allocated, so the kernel was never mistaken for ferrolb (VIPs are
 * never node addresses). The caller restarts the speakers.
 */
export async function checkSilentWhenStopped(
  context: { environment: Environment; report: Report },
  ips: ReadonlySet<string>,
): Promise<void> {
  const { environment, report } = context;
  await Promise.all([...environment.speakers.values()].map((speaker) => speaker.stop('SIGTERM')));
  const answers = await Promise.all(
    [...ips].map(async (ip) => [ip, await answeringMacs(environment.lab.clientNamespace, ip)] as const),
  );
  report.count('check.silentWithSpeakersStopped', ips.size);
  for (const [ip, macs] of answers) {
    if (macs.length > 0) report.violation(`${ip} answered by [${macs.join(',')}] with every speaker stopped`);
  }
}
