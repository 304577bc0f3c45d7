// The speaker side of the metrics, the way users consume them: Debian's Prometheus, running inside
// a lab node's network namespace, scrapes the real `ferrolb standalone` there (its metrics listen on
// the namespace's 127.0.0.1) while a client on the bridge sends ARP requests with arping.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricDefinitions } from '../../src/metrics/definitions.js';
import { Lab } from '../helpers/lab.js';
import { expectedOwner, LabCluster, requireBuild, waitForOwner } from '../helpers/lab-cluster.js';
import { answeringMacs, waitFor } from '../helpers/lab-probes.js';
import { LAB_METRICS_PORT } from '../helpers/lab-speakers.js';
import { ensurePrometheus, LabPrometheus } from './prometheus-tools.js';

const VIP = '203.0.113.10';

let lab: Lab;
let cluster: LabCluster;
let owner: string;
let directory: string;
let prometheus: LabPrometheus;

beforeAll(async () => {
  requireBuild();
  await ensurePrometheus();
  directory = mkdtempSync(join(tmpdir(), 'ferrolb-prometheus-speaker-'));
  lab = Lab.create({ prefix: 'flb-gprom', nodeCount: 2, httpServers: false });
  cluster = new LabCluster(lab);
  cluster.writeConfig({
    pools: [{ name: 'lab', addresses: ['203.0.113.10-203.0.113.20'] }],
    services: [{ name: 'web' }],
  });
  cluster.start();
  owner = expectedOwner(
    lab.nodes.map((node) => node.name),
    VIP,
  );
  await waitForOwner(lab, VIP, owner);
  prometheus = LabPrometheus.start(lab, {
    namespace: lab.node(owner).namespace,
    directory,
    job: 'ferrolb-speaker',
    targets: [{ address: `127.0.0.1:${LAB_METRICS_PORT}` }],
  });
});

afterAll(async () => {
  await cluster?.stopAll();
  lab?.destroy();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('a real Prometheus scraping ferrolb standalone on the owner node', () => {
  it('M4: metallb_speaker_announced is 1 for the VIP on its owner, with MetalLB labels', async () => {
    const name = MetricDefinitions.speakerAnnounced.name;
    await prometheus.valueEventually(`${name}{ip="${VIP}"}`, (value) => value === 1);
    expect(prometheus.query(`${name}{ip="${VIP}"}`)[0]?.metric).toMatchObject({
      service: 'default/web',
      protocol: 'layer2',
      node: owner,
      ip: VIP,
    });
  });

  it('M5: arping from the client is counted as requests received and responses sent for the VIP', async () => {
    expect(answeringMacs(lab, VIP, 5)).toEqual([lab.node(owner).mac]);
    for (const key of ['layer2RequestsReceived', 'layer2ResponsesSent'] as const) {
      await prometheus.valueEventually(`${MetricDefinitions[key].name}{ip="${VIP}"}`, (value) => value >= 5);
    }
  });

  it('G2: the gain of the VIP was announced gratuitously', async () => {
    await prometheus.valueEventually(
      `${MetricDefinitions.layer2GratuitousSent.name}{ip="${VIP}"}`,
      (value) => value >= 1,
    );
  });

  it('DESIGN membership: both lab nodes are alive in gossip as seen from the owner', async () => {
    await prometheus.valueEventually(
      `${MetricDefinitions.gossipMembers.name}{state="alive"}`,
      (value) => value === 2,
    );
  });

  it('DESIGN data plane: reply latencies land in the histogram the dashboard reads', async () => {
    const name = MetricDefinitions.layer2ReplyLatencySeconds.name;
    await prometheus.valueEventually(`${name}_count`, (value) => value >= 5);
    const p99 = `histogram_quantile(0.99, sum by (le) (rate(${name}_bucket[1m])))`;
    await prometheus.valueEventually(p99, (value) => value > 0 && value < 1);
  });

  it('M7: the conflict alert is loaded, healthy and inactive while only ferrolb answers', async () => {
    const rule = await waitFor(
      () => {
        const found = prometheus
          .api<{
            groups: { rules: { name: string; health: string; state: string; lastEvaluation: string }[] }[];
          }>('/api/v1/rules')
          ?.groups.flatMap((group) => group.rules)
          .find((entry) => entry.name === 'FerrolbAddressConflict');
        return found && !found.lastEvaluation.startsWith('0001') ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'FerrolbAddressConflict to be evaluated' },
    );
    expect(rule).toMatchObject({ health: 'ok', state: 'inactive' });
    expect(
      prometheus
        .query(`${MetricDefinitions.layer2ConflictsTotal.name}{ip="${VIP}"}`)
        .map((sample) => sample.value[1]),
    ).not.toContain(expect.stringMatching(/^[1-9]/));
  });
});
