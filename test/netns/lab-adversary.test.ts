// Issue 12 findings 2 and 6, issue 11 readiness, against the real `ferrolb standalone` in a
// three-node lab with keyed gossip, observed from the client (arping) and the processes' exits,
// logs, /readyz and /metrics.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../helpers/lab.js';
import { expectedOwner, LabCluster, requireBuild, waitForOwner, whoAnswers } from '../helpers/lab-cluster.js';
import { forgetNeighbour, resolveMac, spawnInClient, waitFor } from '../helpers/lab-probes.js';
import { writeFile } from '../helpers/lab-speakers.js';
import { inNs, spawnInNs } from '../helpers/netns.js';

const IPS = ['203.0.113.60', '203.0.113.61', '203.0.113.62', '203.0.113.63', '203.0.113.64', '203.0.113.65'];
const POOLS = [{ name: 'adversary', addresses: ['203.0.113.60-203.0.113.70'] }];
const SERVICES = IPS.map((ip, index) => ({ name: `svc-${index}`, ips: [ip] }));
const FLOOD_SECONDS = 10;

/** The flooder (C, sendmmsg): one Node thread manages under 200k pps on this machine. */
const FLOOD_SOURCE = fileURLToPath(new URL('./tools/udp-flood.c', import.meta.url));
/** Replays captured UDP payloads from the captured source address (IP_TRANSPARENT). */
const REPLAY_TOOL = fileURLToPath(new URL('./tools/replay-udp.py', import.meta.url));

let lab: Lab;
let cluster: LabCluster;
let names: string[];

beforeAll(() => {
  requireBuild();
  lab = Lab.create({ prefix: 'flb-adv', nodeCount: 3 });
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

function flood(address: string, seconds: number): Promise<number> {
  const binary = join(cluster.directory, 'udp-flood');
  execFileSync('cc', ['-O2', '-o', binary, FLOOD_SOURCE]);
  const child = spawnInClient(lab, binary, [address, '7946', String(seconds)]);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', () => resolve(Number(output.trim()))));
}

describe('ferrolb standalone under attack in a three-node lab', { timeout: 180_000 }, () => {
  it('issue 12 #2: a configured secret file that cannot be read stops the start with exit 2, never plaintext', async () => {
    newCluster();
    const missing = `${cluster.directory}/no-such-key`;
    cluster.writeConfig({ pools: POOLS, services: SERVICES, secretKeyFile: missing }, 'missing-key.yaml');
    const empty = writeFile(cluster.directory, 'empty-key', '');
    cluster.writeConfig({ pools: POOLS, services: SERVICES, secretKeyFile: empty }, 'empty-key.yaml');
    for (const [file, reason] of [
      ['missing-key.yaml', 'no such file'],
      ['empty-key.yaml', 'is empty'],
    ] as const) {
      const [node] = names as [string];
      cluster.start([node], `${cluster.directory}/${file}`);
      const code = await cluster.speaker(node).waitExit();
      const log = cluster.speaker(node).log();
      cluster.speakers.delete(node);
      expect(code, log).toBe(2);
      expect(log).toContain('spec.gossip.secretKeyFile');
      expect(log.toLowerCase()).toContain(reason);
      expect(log).not.toContain('UNENCRYPTED');
    }
    expect(whoAnswers(lab, IPS[0] as string)).toBeUndefined();
  });

  // Before the kernel filter, on a 2-core machine at load average 13-16: 187-290k pps reached the
  // node and the test passed in 3 of 4 runs (every datagram cost the gossip thread a JS callback).
  // Now the gossip socket's classic BPF filter (member source addresses only, docs/gossip.md)
  // drops the flood in the kernel: counted as `kernel`, no thread wakes for it. Measured with it:
  // 13 of 13 runs passed, 132-791k pps at load average 1-13; a few suspicions (0-3 per node, all
  // refuted) remain in some runs: the flood's kernel-side cost still competes for the 2 CPUs.
  it(`issue 12 #6: a ${FLOOD_SECONDS} s garbage UDP flood at one node's gossip port causes no failover`, async () => {
    newCluster().start();
    for (const ip of IPS) await waitForOwner(lab, ip, expectedOwner(names, ip));
    const [target] = names as [string];
    const logLengths = new Map(names.map((name) => [name, cluster.speaker(name).log().length]));
    const sent = await flood(lab.node(target).ipv4, FLOOD_SECONDS);
    console.log(`flood: ${sent} datagrams in ${FLOOD_SECONDS} s = ${Math.round(sent / FLOOD_SECONDS)} pps`);
    expect(sent).toBeGreaterThan(0);
    for (const ip of IPS) {
      forgetNeighbour(lab, ip);
      expect(resolveMac(lab, ip), ip).toBe(lab.node(expectedOwner(names, ip)).mac);
    }
    for (const name of names) {
      const since = cluster.speaker(name).log().slice(logLengths.get(name));
      expect(since, `${name} must see no member die`).not.toMatch(/"to":"dead"/);
      const suspicions = since.match(/"to":"suspect"/g)?.length ?? 0;
      console.log(`${name}: ${suspicions} suspicion(s) during the flood, refuted`);
      expect(since, `${name} must not fail over`).not.toMatch(/"failover":true/);
    }
    const dropped = await waitFor(
      () =>
        cluster
          .speaker(target)
          .metrics()
          .match(/ferrolb_gossip_packets_dropped_total\{reason="kernel"\} (\d+)/g) ?? undefined,
      { timeoutMs: 5_000, what: 'kernel drop counter on the flooded node' },
    );
    const total = dropped.map((line) => Number(line.split(' ').at(-1))).reduce((a, b) => a + b, 0);
    // The flooder is no member: the socket filter drops its datagrams in the kernel (reason
    // `kernel`, read from the socket's drop count), never more than were sent.
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(sent);
  });

  it('issue 12 #3: captured `left` packets, replayed from another host after the member restarted, remove nobody', {
    timeout: 240_000,
  }, async () => {
    newCluster().start();
    for (const ip of IPS) await waitForOwner(lab, ip, expectedOwner(names, ip));
    const [observer, , victim] = names as [string, string, string];
    const capture = join(cluster.directory, 'left.pcap');
    const tcpdump = spawnInNs(lab.node(observer).namespace, 'tcpdump', [
      '-i',
      'eth0',
      '-U',
      '-w',
      capture,
      `udp and src host ${lab.node(victim).ipv4} and dst port 7946`,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await cluster.stop(victim, 'SIGTERM')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    tcpdump.kill('SIGINT');
    await new Promise((resolve) => tcpdump.once('exit', resolve));
    // As in the report: later than the others remember a departed member (deadRetentionMs, 60 s).
    await new Promise((resolve) => setTimeout(resolve, 65_000));
    cluster.start([victim]);
    for (const ip of IPS) await waitForOwner(lab, ip, expectedOwner(names, ip));
    const logLengths = new Map(names.map((name) => [name, cluster.speaker(name).log().length]));
    for (const target of names.filter((name) => name !== victim)) {
      const replay = lab.inClient('python3', [REPLAY_TOOL, capture, lab.node(target).ipv4, '7946']);
      expect(Number(replay.output.trim()), replay.output).toBeGreaterThan(0);
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    for (const name of names) {
      const since = cluster.speaker(name).log().slice(logLengths.get(name));
      expect(since, `${name} must not see ${victim} leave`).not.toMatch(
        /"member":"[^"]*","from":"alive","to":"(left|dead)"/,
      );
    }
    for (const ip of IPS) {
      forgetNeighbour(lab, ip);
      expect(resolveMac(lab, ip), ip).toBe(lab.node(expectedOwner(names, ip)).mac);
    }
    expect(cluster.speaker(observer).metrics()).toMatch(
      /ferrolb_gossip_packets_dropped_total\{reason="stale"\} [1-9]/,
    );
  });

  it('issue 11: /readyz says not Ready while no packet socket can be open on a selected interface, and Ready once one is', async () => {
    newCluster();
    const node = lab.node(names[2] as string);
    cluster.writeConfig({ pools: POOLS, services: SERVICES, interfaces: ['eth0'] }, 'eth0.yaml');
    // The carrier of the node's only interface goes away (its bridge end is down): nothing to open.
    inNs(lab.bridgeNamespace, 'ip', ['link', 'set', 'dev', node.bridgePort, 'down']);
    try {
      cluster.start([node.name], `${cluster.directory}/eth0.yaml`);
      const speaker = cluster.speaker(node.name);
      await waitFor(() => (speaker.log().includes('standalone speaker running') ? true : undefined), {
        timeoutMs: 30_000,
        what: 'the speaker to run',
      });
      expect(speaker.isReady()).toBe(false);
      expect(speaker.metrics()).toMatch(/ferrolb_speaker_not_ready\{reason="noPacketSocket"\} 1/);
      expect(speaker.metrics()).toMatch(/ferrolb_speaker_ready 0/);
      expect(speaker.log()).toMatch(/speaker not Ready: noPacketSocket/);
    } finally {
      inNs(lab.bridgeNamespace, 'ip', ['link', 'set', 'dev', node.bridgePort, 'up']);
    }
    const speaker = cluster.speaker(node.name);
    await waitFor(() => (speaker.isReady() ? true : undefined), { timeoutMs: 30_000, what: 'Ready' });
    expect(speaker.metrics()).toMatch(/ferrolb_speaker_ready 1/);
  });
});
