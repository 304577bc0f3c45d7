// Issue 5 item 6 and the standalone contract, end to end: three nodes running the real
// `ferrolb standalone` binary, a client on the same bridge, and tools nobody here wrote
// (arping, ndisc6, ip neigh, curl, ping) as the oracle.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../helpers/lab.js';
import {
  expectedOwner,
  LabCluster,
  localRoutes,
  requireBuild,
  waitForFetch,
  waitForOwner,
  whoAnswers,
} from '../helpers/lab-cluster.js';
import { answeringMacs, fetchName, neighbour, pingEvery10Ms, waitFor } from '../helpers/lab-probes.js';

const WEB = '203.0.113.10';
const DUAL = ['203.0.113.20', '2001:db8:1::1:20'] as const;
const EXTRA = '203.0.113.30';
const ALL_VIPS = [WEB, ...DUAL];
const POOLS = [
  { name: 'lab', addresses: ['203.0.113.10-203.0.113.40', '2001:db8:1::1:10-2001:db8:1::1:40'] },
];
const SERVICES = [{ name: 'web' }, { name: 'dual', ips: [...DUAL], dualStack: true }];

/** E9: a dual-stack Service is elected on its first IP and announced whole by that node. */
function ownerOf(live: readonly string[], ip: string): string {
  return expectedOwner(live, ip === DUAL[1] ? DUAL[0] : ip);
}

let lab: Lab;
let cluster: LabCluster;
let names: string[];

beforeAll(() => {
  requireBuild();
  lab = Lab.create({ prefix: 'flb-lts', nodeCount: 3 });
  names = lab.nodes.map((node) => node.name);
});

afterEach(async () => {
  await cluster?.stopAll();
});

afterAll(() => lab?.destroy());

function newCluster(): LabCluster {
  cluster = new LabCluster(lab);
  cluster.writeConfig({ pools: POOLS, services: SERVICES });
  return cluster;
}

/** Starts every speaker and waits until the client sees the predicted owner of every VIP. */
async function startAll(): Promise<void> {
  cluster.start();
  for (const ip of ALL_VIPS) await waitForOwner(lab, ip, ownerOf(names, ip));
}

/** SIGTERMs the speakers together (each hands over for its grace period) and returns their exit codes. */
function stopGracefully(stopping: readonly string[]): Promise<(number | null)[]> {
  return Promise.all(stopping.map((name) => cluster.stop(name, 'SIGTERM')));
}

function expectNobodyAnswers(ips: readonly string[]): void {
  for (const ip of ips)
    expect(whoAnswers(lab, ip), `${ip} must be unanswered with ferrolb stopped`).toBeUndefined();
}

describe('ferrolb standalone in a three-node lab', { timeout: 180_000 }, () => {
  it('issue 5 item 6: the client reaches every VIP through its elected owner, and nothing answers once ferrolb stops', async () => {
    newCluster();
    expectNobodyAnswers(ALL_VIPS);
    await startAll();
    for (const ip of ALL_VIPS) {
      const owner = lab.node(ownerOf(names, ip));
      expect(fetchName(lab, ip), `curl through ${ip}`).toBe(owner.name);
      if (!ip.includes(':'))
        expect(answeringMacs(lab, ip), `only the owner answers ARP for ${ip}`).toEqual([owner.mac]);
    }
    expect(await stopGracefully(names), 'exit codes').toEqual(names.map(() => 0));
    expectNobodyAnswers(ALL_VIPS);
    for (const node of lab.nodes) expect(localRoutes(node), `${node.name} keeps no local route`).toBe('');
  });

  it('issue 5 item 6: SIGKILL of the owner moves the client neighbour entries to the new owner and traffic resumes', async () => {
    newCluster();
    expectNobodyAnswers(DUAL);
    await startAll();
    const owner = ownerOf(names, DUAL[0]);
    for (const ip of DUAL) expect(fetchName(lab, ip)).toBe(owner);
    for (const ip of DUAL) expect(neighbour(lab, ip)?.mac).toBe(lab.node(owner).mac);
    await cluster.stop(owner, 'SIGKILL');
    const survivors = names.filter((name) => name !== owner);
    const next = lab.node(ownerOf(survivors, DUAL[0]));
    // Only the gratuitous announcements can move the entries: the client sends nothing meanwhile.
    for (const ip of DUAL) {
      await waitFor(() => (neighbour(lab, ip)?.mac === next.mac ? true : undefined), {
        timeoutMs: 20_000,
        what: `client neighbour entry of ${ip} to move to ${next.name}`,
      });
    }
    for (const ip of DUAL) expect(await waitForFetch(lab, ip, next.name)).toBe(next.name);
    expect(cluster.speaker(next.name).metrics(), 'the new owner counts the take-over').toMatch(
      /^ferrolb_failover_events_total [1-9]/m,
    );
    await stopGracefully(survivors);
    expectNobodyAnswers(DUAL);
  });

  it('issue 5 item 3: SIGTERM hands over first, so a client pinging every 10 ms loses nothing', async () => {
    newCluster();
    expectNobodyAnswers([WEB]);
    await startAll();
    const owner = ownerOf(names, WEB);
    const ping = pingEvery10Ms(lab, WEB, 500);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await cluster.stop(owner, 'SIGTERM'), 'graceful exit code').toBe(0);
    const result = await ping;
    expect(result.transmitted, 'ping sent all its requests').toBe(500);
    expect(result.received, `lost ${result.transmitted - result.received} pings\n${cluster.logs()}`).toBe(
      result.transmitted,
    );
    const next = ownerOf(
      names.filter((name) => name !== owner),
      WEB,
    );
    expect(neighbour(lab, WEB)?.mac).toBe(lab.node(next).mac);
    expect(localRoutes(lab.node(owner)), 'the leaver removed its routes').toBe('');
    await stopGracefully(names.filter((entry) => entry !== owner));
    expectNobodyAnswers([WEB]);
  });

  it('standalone contract: SIGHUP re-reads FILE; an invalid FILE keeps the running config with an error', async () => {
    newCluster();
    expectNobodyAnswers([EXTRA]);
    await startAll();
    cluster.writeConfig({ pools: POOLS, services: [...SERVICES, { name: 'extra', ips: [EXTRA] }] });
    for (const name of names) cluster.speaker(name).kill('SIGHUP');
    await waitForFetch(lab, EXTRA, ownerOf(names, EXTRA));
    writeFileSync(
      cluster.configPath,
      `${readFileSync(cluster.configPath, 'utf8')}\n---\nkind: IPAddressPool\napiVersion: metallb.io/v1beta1\nmetadata: {name: broken}\nspec: {addresses: [203.0.113.999/32]}\n`,
    );
    for (const name of names) cluster.speaker(name).kill('SIGHUP');
    await waitFor(
      () => (names.every((name) => cluster.speaker(name).log().includes('NOT reloaded')) ? true : undefined),
      {
        timeoutMs: 10_000,
        what: 'every speaker to log the rejected reload',
      },
    );
    for (const ip of [EXTRA, ...ALL_VIPS])
      expect(fetchName(lab, ip), `${ip} still served`).toBe(ownerOf(names, ip));
    expect(cluster.speaker(names[0] as string).metrics()).toMatch(/metallb_k8s_client_config_stale_bool 1/);
    await stopGracefully(names);
    expectNobodyAnswers([EXTRA, ...ALL_VIPS]);
  });
});
