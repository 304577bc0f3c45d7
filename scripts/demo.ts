// `make demo` (issue 6 item 1): a lab of network namespaces — three nodes and a client on one
// bridge — running `ferrolb standalone` with one pool and two Services. The client fetches each
// LoadBalancer IP, the owner of one IP is killed, and the client reaches it again through the
// new owner; the gap is measured. Exits non-zero when the failover does not happen.
import { Lab } from '../test/helpers/lab.js';
import { expectedOwner, LabCluster, requireBuild, waitForOwner } from '../test/helpers/lab-cluster.js';
import { fetchName, neighbour, waitFor } from '../test/helpers/lab-probes.js';

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

/** Polls curl through `ip` until a node other than `previous` answers; returns the gap in ms. */
async function measureFailover(
  lab: Lab,
  ip: string,
  previous: string,
  killedAt: number,
): Promise<{ name: string; gapMs: number }> {
  const name = await waitFor(
    () => {
      const answer = fetchName(lab, ip, 0.3);
      return answer !== undefined && answer !== previous ? answer : undefined;
    },
    { timeoutMs: FAILOVER_LIMIT_MS, intervalMs: 10, what: `a new owner to answer http://${ip}/` },
  );
  return { name, gapMs: Date.now() - killedAt };
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
  say(`Killing ferrolb on ${victim}, the owner of ${IPS.web} (SIGKILL: no goodbye)`);
  const killedAt = Date.now();
  cluster.speaker(victim).kill('SIGKILL');
  const { name, gapMs } = await measureFailover(lab, IPS.web, victim, killedAt);
  detail(`http://${IPS.web}/ → answered by ${name} again after ${gapMs} ms`);
  detail(`client ARP now: ${IPS.web} is at ${neighbour(lab, IPS.web)?.mac} (${name})`);
  const survivors = names.filter((entry) => entry !== victim);
  if (name !== expectedOwner(survivors, IPS.web))
    throw new Error(`expected ${expectedOwner(survivors, IPS.web)} to take over, got ${name}`);
  detail(`http://${IPS.shop}/ → answered by ${fetchName(lab, IPS.shop)}`);

  say('Stopping the other speakers gracefully (they hand over and remove their routes)');
  for (const entry of survivors) detail(`${entry}: exit ${await cluster.stop(entry, 'SIGTERM')}`);
  for (const ip of Object.values(IPS)) detail(`curl http://${ip}/ → ${fetchName(lab, ip, 1) ?? 'no answer'}`);
  console.log(
    `\nferrolb demo: failover of ${IPS.web} from ${victim} to ${name} in ${gapMs} ms (SIGKILL → first reply through the new owner).`,
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
