// `make demo` (issue 6 item 1): a lab of network namespaces — three nodes and a client on one
// bridge — running `ferrolb standalone` with one pool and two Services. The client fetches each
// LoadBalancer IP, the owner of one IP is killed, and the client reaches it again through the
// new owner; the gap is measured. Exits non-zero when the failover does not happen.
import { Lab } from '../test/helpers/lab.js';
import { expectedOwner, LabCluster, requireBuild, waitForOwner } from '../test/helpers/lab-cluster.js';
import {
  collectLines,
  fetchName,
  firstReplyAfter,
  neighbour,
  spawnInClient,
  waitFor,
} from '../test/helpers/lab-probes.js';

const POOL = { name: 'demo-pool', addresses: ['203.0.113.10-203.0.113.20'] };
const SERVICES = [{ name: 'web' }, { name: 'shop' }];
/** The allocator hands out the lowest free addresses in file order (DESIGN "Allocation"). */
const IPS = { web: '203.0.113.10', shop: '203.0.113.11' } as const;
const FAILOVER_LIMIT_MS = 10_000;

let step = 0;
function say(text: string): void {
  step += 1;
  console.log(`\n[${step}] ${text}`);
}
function detail(text: string): void {
  console.log(`    ${text}`);
}

/** Waits until curl through `ip` is answered by a node other than `previous`; returns its name. */
function waitForNewOwner(lab: Lab, ip: string, previous: string): Promise<string> {
  return waitFor(
    () => {
      const answer = fetchName(lab, ip, 0.3);
      return answer !== undefined && answer !== previous ? answer : undefined;
    },
    { timeoutMs: FAILOVER_LIMIT_MS, intervalMs: 10, what: `a new owner to answer http://${ip}/` },
  );
}

/**
 * Crashes node `victim` (its link cut, then its speaker SIGKILLed: no goodbye) while the client
 * pings the VIP every 10 ms; returns who answers afterwards and the gap the pings saw.
 */
async function crash(
  lab: Lab,
  cluster: LabCluster,
  victim: string,
): Promise<{ name: string; gapMs: number }> {
  const ping = spawnInClient(lab, 'ping', ['-n', '-D', '-i', '0.01', '-W', '1', IPS.web]);
  const lines = collectLines(ping);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const crashedAt = Date.now();
  lab.partition(victim);
  // Replies before the cut completed may still come from the victim's kernel: count from here.
  const cutAt = Date.now();
  cluster.speaker(victim).kill('SIGKILL');
  const name = await waitForNewOwner(lab, IPS.web, victim);
  // curl may win the race against ping's next echo (or its output reaching us on a busy host):
  // give ping a moment to report its first reply through the new owner before stopping it.
  const reply = await waitFor(() => firstReplyAfter(lines, cutAt), {
    timeoutMs: FAILOVER_LIMIT_MS,
    intervalMs: 20,
    what: 'a ping reply through the new owner',
  }).catch(() => undefined);
  ping.kill('SIGINT');
  if (!reply) throw new Error('the client never got a ping reply after the crash');
  return { name, gapMs: Math.round(reply.atMs - crashedAt) };
}

async function run(lab: Lab): Promise<void> {
  const names = lab.nodes.map((node) => node.name);
  for (const node of lab.nodes)
    detail(`${node.name}: ${node.ipv4}  MAC ${node.mac}  (serves a page naming itself)`);
  detail(`client: 198.51.100.100 — same bridge, nothing else in between`);

  say('Before ferrolb runs, nobody answers for the LoadBalancer IPs');
  for (const ip of Object.values(IPS))
    detail(`curl http://${ip}/ → ${fetchName(lab, ip, 1) ?? 'no answer (as expected)'}`);

  say('Starting `ferrolb standalone` on every node with one pool and two Services');
  const cluster = new LabCluster(lab);
  const file = cluster.writeConfig({ pools: [POOL], services: SERVICES });
  detail(
    `FILE ${file}: pool ${POOL.addresses.join(', ')}; Services default/web, default/shop; members ${names.join(', ')}`,
  );
  cluster.start();
  for (const ip of Object.values(IPS)) await waitForOwner(lab, ip, expectedOwner(names, ip));
  detail('every node allocated the same IPs from the same file; gossip elected one owner per IP');

  say('The client fetches each LoadBalancer IP');
  for (const [service, ip] of Object.entries(IPS)) {
    detail(
      `default/${service}  http://${ip}/ → answered by ${fetchName(lab, ip)}  (client ARP: ${ip} is at ${neighbour(lab, ip)?.mac})`,
    );
  }

  const victim = expectedOwner(names, IPS.web);
  say(`Crashing ${victim}, the owner of ${IPS.web}: its link is cut and ferrolb SIGKILLed (no goodbye)`);
  detail(`the client pings ${IPS.web} every 10 ms throughout`);
  const { name, gapMs } = await crash(lab, cluster, victim);
  detail(`gossip declared ${victim} dead; ${name} announced ${IPS.web} (gratuitous ARP) and took over`);
  detail(`first ping reply through ${name}: ${gapMs} ms after the crash`);
  detail(
    `http://${IPS.web}/ → answered by ${fetchName(lab, IPS.web)}; client ARP: ${IPS.web} is at ${neighbour(lab, IPS.web)?.mac}`,
  );
  const survivors = names.filter((entry) => entry !== victim);
  if (name !== expectedOwner(survivors, IPS.web))
    throw new Error(`expected ${expectedOwner(survivors, IPS.web)} to take over, got ${name}`);
  detail(`http://${IPS.shop}/ → answered by ${fetchName(lab, IPS.shop)}`);

  say('Stopping the other speakers gracefully (they hand over and remove their routes)');
  for (const entry of survivors) detail(`${entry}: exit ${await cluster.stop(entry, 'SIGTERM')}`);
  for (const ip of Object.values(IPS)) detail(`curl http://${ip}/ → ${fetchName(lab, ip, 1) ?? 'no answer'}`);
  console.log(
    `\nferrolb demo: failover of ${IPS.web} from ${victim} to ${name} — ${gapMs} ms from the crash to the first reply through the new owner.`,
  );
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.error('ferrolb demo: needs root (it creates network namespaces). Try: sudo make demo');
    return 1;
  }
  requireBuild();
  say(
    'Building the lab: one bridge, three node namespaces and a client (leftovers of an earlier run are swept)',
  );
  const lab = Lab.create({ prefix: 'flb-demo', nodeCount: 3 });
  try {
    await run(lab);
    return 0;
  } catch (error) {
    console.error(`\nferrolb demo FAILED: ${(error as Error).message}`);
    return 1;
  } finally {
    say('Tearing the lab down');
    lab.destroy();
  }
}

process.exitCode = await main();
