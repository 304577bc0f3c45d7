// Issue 12 finding 12, DESIGN "Conflict detection": a graceful hand-over and a fail-back (the
// restarted owner taking its IP back) are the election moving an IP, not a conflict: no warning,
// no ferrolb_layer2_conflicts_total. A host squatting on the VIP later still is one, and the owner
// answers it so the client stays (DESIGN "Ownership is re-asserted"). Real `ferrolb standalone`
// nodes with keyed gossip; the client's neighbour cache and arping as the oracle.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HANDOVER_SETTLE_MS } from '../../src/config/defaults.js';
import { Lab, type LabPeer } from '../helpers/lab.js';
import { expectedOwner, LabCluster, requireBuild, waitForOwner } from '../helpers/lab-cluster.js';
import { neighbour, waitFor } from '../helpers/lab-probes.js';
import { inNs } from '../helpers/netns.js';
import { OutageMeter } from '../helpers/outage-meter.js';

const VIP = '203.0.113.10';
const POOLS = [{ name: 'lab', addresses: ['203.0.113.10-203.0.113.20'] }];
const SERVICES = [{ name: 'web', ips: [VIP] }];
/** After the last gratuitous round (4.4 s, G2) of whoever announced last. */
const BURST_OVER_MS = 6000;
const CONFLICT_LOG = /claims an IP (we|this node) announce/;

let lab: Lab;
let cluster: LabCluster;
let names: string[];
let squatter: LabPeer;

beforeAll(() => {
  requireBuild();
  lab = Lab.create({ prefix: 'flb-hoc', nodeCount: 3 });
  names = lab.nodes.map((node) => node.name);
  squatter = lab.addPeer('squat', { ipv4: '198.51.100.90', ipv6: '2001:db8:1::90' });
});

afterEach(async () => {
  await cluster?.stopAll();
});

afterAll(() => lab?.destroy());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Warning lines about a conflict in every speaker's log so far, stopped ones too (pino JSON). */
function conflictWarnings(): string[] {
  return readdirSync(cluster.directory)
    .filter((file) => file.endsWith('.log'))
    .flatMap((file) => readFileSync(join(cluster.directory, file), 'utf8').split('\n'))
    .filter((line) => CONFLICT_LOG.test(line) && /"level":(40|"warn")/.test(line));
}

function conflictCount(name: string): number {
  const match = cluster
    .speaker(name)
    .metrics()
    .match(/^ferrolb_layer2_conflicts_total\{[^}]*ip="203\.0\.113\.10"[^}]*\} (\d+)/m);
  return match ? Number(match[1]) : 0;
}

describe('issue 12 #12: no false conflict while the election moves an IP', { timeout: 150_000 }, () => {
  it('DESIGN conflict detection: a SIGTERM hand-over and the fail-back raise no conflict; a squatter afterwards does', async () => {
    cluster = new LabCluster(lab);
    cluster.writeConfig({ pools: POOLS, services: SERVICES });
    cluster.start();
    const owner = expectedOwner(names, VIP);
    const next = expectedOwner(
      names.filter((name) => name !== owner),
      VIP,
    );
    await waitForOwner(lab, VIP, owner);
    // Pings keep the client's neighbour entry (gratuitous ARP only updates an existing one).
    const meter = OutageMeter.start(lab, VIP);
    await sleep(BURST_OVER_MS);
    // Hand-over: the owner leaves and keeps answering for its grace period while `next` announces.
    expect(await cluster.stop(owner, 'SIGTERM'), 'graceful exit').toBe(0);
    await waitFor(() => (neighbour(lab, VIP)?.mac === lab.node(next).mac ? true : undefined), {
      timeoutMs: 15_000,
      what: `the client to follow the hand-over to ${next}`,
    });
    // Fail-back: the owner comes back and takes its IP again.
    cluster.start([owner]);
    await waitFor(() => (neighbour(lab, VIP)?.mac === lab.node(owner).mac ? true : undefined), {
      timeoutMs: 30_000,
      what: `the client to follow the fail-back to ${owner}`,
    });
    await sleep(BURST_OVER_MS);
    const outage = meter.report();
    console.info(
      `hand-over and fail-back: longest outage ${Math.round(outage.longestGapMs)} ms`,
      outage.gaps,
    );
    expect(conflictWarnings(), 'no conflict warning').toEqual([]);
    for (const name of names) expect(conflictCount(name), `${name} counts no conflict`).toBe(0);

    // Positive control: long after the election settled, a host squatting on the VIP is a conflict.
    await sleep(HANDOVER_SETTLE_MS);
    inNs(squatter.namespace, 'arping', ['-U', '-c', '2', '-w', '3', '-i', 'eth0', '-S', VIP, VIP]);
    await waitFor(() => (conflictCount(owner) > 0 ? true : undefined), {
      timeoutMs: 10_000,
      what: `${owner} to count the squatter's claim`,
    });
    expect(conflictWarnings().length, 'the squatter is warned about').toBeGreaterThan(0);
    // The owner answered the claim: the client is back on it, not on the squatter.
    await waitFor(() => (neighbour(lab, VIP)?.mac === lab.node(owner).mac ? true : undefined), {
      timeoutMs: 5000,
      what: `the client's entry to stay with ${owner} after the squatter's claim`,
    });
    await meter.stop();
  });
});
