// The quiet-state checks (issue 7 item 2): with every daemon up and every link healed, each held IP
// has exactly one owner; that owner is the node MetalLB's hash order picks among eligible live
// nodes (E1-E8); the client's arping resolves the IP to the owner's MAC and to no other; the
// owner's ServiceL2Status names it (R4). Polled until it holds or QUIET_TIMEOUT_MS passes.
import { SYSTEM_NAMESPACE } from '../k8s/harness/index.js';
import type { Environment } from './environment.js';
import { expectedOwner, type ObservedService } from './invariants.js';
import type { ServiceModel, World } from './model.js';
import { observeServices } from './monitor.js';
import { arpAnswers } from './probes.js';
import type { Report } from './report.js';

export const QUIET_TIMEOUT_MS = 90_000;

/** IP -> expected owner node ('' when nobody may announce it). */
export type Ownership = Map<string, string>;

function expectations(
  world: World,
  services: readonly ObservedService[],
  live: readonly string[],
): Ownership {
  const holders = new Map<string, ServiceModel[]>();
  for (const service of services) {
    const model = world.services.get(service.key);
    if (!model || !service.loadBalancer) continue;
    for (const ip of service.ips) holders.set(ip, [...(holders.get(ip) ?? []), model]);
  }
  return new Map(
    [...holders].map(([ip, models]) => [ip, expectedOwner(world, ip, { live, holders: models }) ?? '']),
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
      async (ip) => [ip, await arpAnswers(environment.lab.clientNamespace, ip)] as const,
    ),
  );
  for (const [ip, macs] of answers) {
    const owner = expected.get(ip) ?? '';
    const answering = macs.map(macToNode).sort();
    if (answering.join(',') !== owner)
      problems.push(`${ip}: expected owner "${owner}", ARP answered by [${answering.join(',')}]`);
  }
  const statuses = await statusNodes(environment);
  for (const service of services) {
    const model = world.services.get(service.key);
    const owner = service.ips[0] ? expected.get(service.ips[0]) : '';
    const announces =
      owner && model && model.readyNodes.length > 0 && (!model.local || model.readyNodes.includes(owner));
    const want = announces ? owner : '';
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
  report.count('check.arpOwner', last?.expected.size ?? 0);
  report.count('check.hashOrderOwner', last?.expected.size ?? 0);
  report.count('check.serviceL2Status', last?.services ?? 0);
  for (const problem of last?.problems ?? ['quiet check never completed']) {
    report.violation(`not converged after ${QUIET_TIMEOUT_MS / 1000} s: ${problem}`);
  }
  return last?.expected ?? new Map();
}
