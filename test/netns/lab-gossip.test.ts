// Issue 5 item 6, gossip side: five nodes running the real `ferrolb standalone`, observed only
// from the client (arping, curl). A member with the wrong key never joins; a partition heals to
// one owner; owners spread over the nodes and a crash moves only the dead node's IPs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../helpers/lab.js';
import {
  expectedOwner,
  LabCluster,
  requireBuild,
  waitForFetch,
  waitForOwner,
  whoAnswers,
} from '../helpers/lab-cluster.js';
import { answeringMacs, resolveMac, waitFor } from '../helpers/lab-probes.js';
import { writeFile } from '../helpers/lab-speakers.js';

const MANY = Array.from({ length: 20 }, (_, index) => `203.0.113.${100 + index}`);
const POOLS = [{ name: 'many', addresses: ['203.0.113.100-203.0.113.150'] }];
const SERVICES = MANY.map((ip, index) => ({ name: `service-${index}`, ips: [ip] }));

let lab: Lab;
let cluster: LabCluster;
let names: string[];

beforeAll(() => {
  requireBuild();
  lab = Lab.create({ prefix: 'flb-ltg', nodeCount: 5 });
  names = lab.nodes.map((node) => node.name);
});

afterEach(async () => {
  await cluster?.stopAll();
});

afterAll(() => lab?.destroy());

function newCluster(services = SERVICES): LabCluster {
  cluster = new LabCluster(lab);
  cluster.writeConfig({ pools: POOLS, services });
  return cluster;
}

/** Owner of every IP as the client sees it (MAC → node name). */
function ownersSeen(ips: readonly string[]): Map<string, string | undefined> {
  return new Map(ips.map((ip) => [ip, lab.nodeByMac(resolveMac(lab, ip) ?? '')?.name]));
}

function expectNobodyAnswers(ips: readonly string[]): void {
  for (const ip of ips)
    expect(whoAnswers(lab, ip), `${ip} must be unanswered with ferrolb stopped`).toBeUndefined();
}

async function stopAllGracefully(): Promise<void> {
  const codes = await Promise.all([...cluster.speakers.keys()].map((name) => cluster.stop(name, 'SIGTERM')));
  expect(
    codes.every((code) => code === 0),
    `exit codes ${codes.join(' ')}`,
  ).toBe(true);
}

describe('ferrolb standalone gossip in a five-node lab', { timeout: 240_000 }, () => {
  it('issue 5 item 6: owners spread across the nodes, and a crash moves only the dead node’s IPs', async () => {
    newCluster();
    expectNobodyAnswers(MANY.slice(0, 3));
    cluster.start();
    for (const ip of MANY) await waitForOwner(lab, ip, expectedOwner(names, ip));
    const before = ownersSeen(MANY);
    const counts = new Map<string, number>();
    for (const owner of before.values()) if (owner) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    expect(counts.size, `owners ${JSON.stringify([...counts])}`).toBeGreaterThanOrEqual(3);
    const [dead] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] as [string, number];
    await cluster.stop(dead, 'SIGKILL');
    const survivors = names.filter((name) => name !== dead);
    for (const ip of MANY.filter((entry) => before.get(entry) === dead)) {
      await waitForOwner(lab, ip, expectedOwner(survivors, ip));
    }
    const after = ownersSeen(MANY);
    for (const ip of MANY) {
      if (before.get(ip) !== dead)
        expect(after.get(ip), `${ip} must stay on ${before.get(ip)}`).toBe(before.get(ip));
      else expect(after.get(ip), `${ip} moves to the next in hash order`).toBe(expectedOwner(survivors, ip));
    }
    await stopAllGracefully();
    expectNobodyAnswers(MANY.slice(0, 3));
  });

  it('issue 5 item 1: a member with the wrong gossip key never joins', async () => {
    const ips = MANY.slice(0, 4);
    newCluster(SERVICES.slice(0, 4));
    expectNobodyAnswers(ips.slice(0, 2));
    const [intruder, ...members] = names as [string, ...string[]];
    const wrongKey = writeFile(cluster.directory, 'wrong-key', 'not-the-lab-secret-at-all');
    const goodFile = cluster.configPath;
    const badFile = cluster.writeConfig(
      {
        pools: POOLS,
        services: SERVICES.slice(0, 4),
        secretKeyFile: wrongKey,
      },
      'intruder.yaml',
    );
    cluster.start(members, goodFile);
    for (const ip of ips) await waitForOwner(lab, ip, expectedOwner(members, ip));
    cluster.start([intruder], badFile);
    // Past the intruder's start-up wait: alone in a cluster of one, it claims every IP...
    await waitFor(
      () => (answeringMacs(lab, ips[0] as string).includes(lab.node(intruder).mac) ? true : undefined),
      {
        timeoutMs: 20_000,
        what: 'the intruder to announce on its own',
      },
    );
    // ...while the members never let it in: each IP keeps its owner among them.
    for (const ip of ips) {
      const macs = answeringMacs(lab, ip, 2);
      expect(macs, `${ip}`).toContain(lab.node(expectedOwner(members, ip)).mac);
      expect(macs, `${ip}`).toContain(lab.node(intruder).mac);
    }
    const metrics = cluster.speaker(members[0] as string).metrics();
    expect(metrics).toMatch(/ferrolb_gossip_packets_dropped_total\{reason="authentication"\} [1-9]/);
    await stopAllGracefully();
    expectNobodyAnswers(ips.slice(0, 2));
  });

  it('issue 5 item 4: after a partition heals exactly one owner remains and answers', async () => {
    const ips = MANY.slice(0, 6);
    newCluster(SERVICES.slice(0, 6));
    expectNobodyAnswers(ips.slice(0, 2));
    cluster.start();
    for (const ip of ips) await waitForOwner(lab, ip, expectedOwner(names, ip));
    const isolated = expectedOwner(names, ips[0] as string);
    lab.partition(isolated);
    const majority = names.filter((name) => name !== isolated);
    await waitForOwner(lab, ips[0] as string, expectedOwner(majority, ips[0] as string));
    await waitForFetch(lab, ips[0] as string, expectedOwner(majority, ips[0] as string));
    lab.heal(isolated);
    for (const ip of ips) {
      await waitFor(
        () => {
          const macs = answeringMacs(lab, ip, 2);
          return macs.length === 1 && macs[0] === lab.node(expectedOwner(names, ip)).mac ? true : undefined;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 200,
          what: `exactly one owner (${expectedOwner(names, ip)}) answering ${ip}`,
        },
      );
      await waitForFetch(lab, ip, expectedOwner(names, ip));
    }
    await stopAllGracefully();
    expectNobodyAnswers(ips.slice(0, 2));
  });
});
