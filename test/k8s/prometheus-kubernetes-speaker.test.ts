// The Kubernetes speaker's metrics, the way users consume them (DESIGN "Real parts in tests": a
// real Prometheus scraping both daemons): Debian's Prometheus runs inside the VIP owner's node
// namespace and scrapes that node's `ferrolb speaker` on 127.0.0.1, and the other nodes' speakers
// over the lab bridge, while the client sends ARP requests and the owner's speaker is killed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricDefinitions } from '../../src/metrics/definitions.js';
import type { LabNode } from '../helpers/lab.js';
import { answeringMacs, waitFor } from '../helpers/lab-probes.js';
import { tryInNs } from '../helpers/netns.js';
import { SPEAKER_LAB_METRICS_PORT, SPEAKER_LAB_VIP, SpeakerLab } from './harness/speaker-lab.js';
import { ensurePrometheus, LabPrometheus } from './prometheus-tools.js';

const VIP = SPEAKER_LAB_VIP;
const FAILOVER_LOG = 'taking over IP from another node (failover)';

let speakerLab: SpeakerLab;
let prometheus: LabPrometheus;
let owner: LabNode;
let directory: string;

/** The value of `series` (name and labels, as exposed) read straight from `node`'s /metrics; 0 when absent. */
function exposedValue(node: LabNode, series: string): number {
  const url = `http://127.0.0.1:${SPEAKER_LAB_METRICS_PORT}/metrics`;
  const text = tryInNs(node.namespace, 'curl', ['-sf', '-m', '2', url]).output;
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return Number(line?.slice(series.length + 1) ?? 0);
}

/** The node answering ARP for the VIP alone, once it is not `previous`. */
function nextOwner(previous: LabNode): Promise<LabNode> {
  return waitFor(
    () => {
      const macs = answeringMacs(speakerLab.lab, VIP, 1);
      const node = macs.length === 1 ? speakerLab.lab.nodeByMac(macs[0] ?? '') : undefined;
      return node && node.name !== previous.name ? node : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `another node than ${previous.name} to answer ${VIP}` },
  );
}

beforeAll(async () => {
  await ensurePrometheus();
  directory = mkdtempSync(join(tmpdir(), 'ferrolb-prometheus-kubernetes-speaker-'));
  speakerLab = await SpeakerLab.start({ prefix: 'flb-kprom', nodeCount: 3 });
  owner = await speakerLab.ownerAnswering(() => true);
  prometheus = LabPrometheus.start(speakerLab.lab, {
    namespace: owner.namespace,
    directory,
    job: 'ferrolb-speaker',
    // `lab_node` tells the targets apart; `node` would clash with metallb_speaker_announced's label.
    targets: speakerLab.lab.nodes.map((node) => ({
      address: `${node === owner ? '127.0.0.1' : node.ipv4}:${SPEAKER_LAB_METRICS_PORT}`,
      labels: { lab_node: node.name },
    })),
  });
  await prometheus.valueEventually('count(up == 1)', (value) => value === speakerLab.lab.nodes.length);
});

afterAll(async () => {
  await speakerLab?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('a real Prometheus scraping ferrolb speaker (Kubernetes) from a lab node namespace', () => {
  it('M4: metallb_speaker_announced names the Service on its owner only, with MetalLB labels', async () => {
    const name = MetricDefinitions.speakerAnnounced.name;
    await prometheus.valueEventually(`${name}{ip="${VIP}"}`, (value) => value === 1);
    expect(prometheus.query(`${name}{ip="${VIP}"}`).map((sample) => sample.metric)).toEqual([
      expect.objectContaining({
        service: 'apps/web',
        protocol: 'layer2',
        node: owner.name,
        ip: VIP,
        lab_node: owner.name,
      }),
    ]);
  });

  it('M5: arping from the client for the VIP raises requests received and responses sent on the owner', async () => {
    const keys = ['layer2RequestsReceived', 'layer2ResponsesSent'] as const;
    const series = (key: (typeof keys)[number]) => `${MetricDefinitions[key].name}{ip="${VIP}"}`;
    const before = keys.map((key) => exposedValue(owner, series(key)));
    expect(answeringMacs(speakerLab.lab, VIP, 5)).toEqual([owner.mac.toLowerCase()]);
    for (const [index, key] of keys.entries()) {
      const wanted = (before[index] ?? 0) + 5;
      const selector = `${MetricDefinitions[key].name}{ip="${VIP}",lab_node="${owner.name}"}`;
      await prometheus.valueEventually(selector, (value) => value >= wanted);
    }
  });

  it('metrics: when the owner speaker is killed, the new owner counts one failover and logs it; nobody else counts', async () => {
    const name = MetricDefinitions.failoverEventsTotal.name;
    const nodeCount = speakerLab.lab.nodes.length;
    // Every speaker exports the counter at 0 before anything moved.
    await prometheus.valueEventually(`count(${name} == 0)`, (value) => value === nodeCount);
    await speakerLab.stopSpeaker(owner.name, 'SIGKILL');
    const next = await nextOwner(owner);
    await prometheus.valueEventually(`${name}{lab_node="${next.name}"}`, (value) => value === 1);
    const others = speakerLab.lab.nodes.filter((node) => node !== owner && node !== next);
    for (const node of others) {
      expect(prometheus.query(`${name}{lab_node="${node.name}"}`)[0]?.value[1]).toBe('0');
    }
    await prometheus.valueEventually(
      `${MetricDefinitions.speakerAnnounced.name}{ip="${VIP}",node="${next.name}"}`,
      (value) => value === 1,
    );
    const logged = await waitFor(
      () =>
        speakerLab
          .log(next.name)
          .split('\n')
          .filter((line) => line.includes(FAILOVER_LOG))
          .map((line) => JSON.parse(line) as Record<string, unknown>)[0],
      { timeoutMs: 10_000, what: `"${FAILOVER_LOG}" in ${next.name}'s log` },
    );
    expect(logged).toMatchObject({ ip: VIP, service: 'apps/web', previousOwner: owner.name });
  });

  it('DESIGN real parts: with every speaker stopped nothing answers for the VIP (the kernel never does)', async () => {
    for (const node of speakerLab.speakerNodes()) await speakerLab.stopSpeaker(node);
    expect(answeringMacs(speakerLab.lab, VIP, 2)).toEqual([]);
  });
});
