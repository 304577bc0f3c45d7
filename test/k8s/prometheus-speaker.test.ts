// The speaker side of the metrics, the way users consume them: Debian's Prometheus, running inside
// a lab node's network namespace, scrapes the real `ferrolb standalone` there (its metrics listen on
// the namespace's 127.0.0.1) while a client on the bridge sends ARP requests with arping.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MetricDefinitions } from '../../src/metrics/definitions.js';
import { Lab } from '../helpers/lab.js';
import { expectedOwner, LabCluster, requireBuild, waitForOwner } from '../helpers/lab-cluster.js';
import { answeringMacs, waitFor } from '../helpers/lab-probes.js';
import { LAB_METRICS_PORT } from '../helpers/lab-speakers.js';
import { spawnInNs, tryInNs } from '../helpers/netns.js';
import { ensurePrometheus, writeRuleFile } from './prometheus-tools.js';

const VIP = '203.0.113.10';
/** Inside the owner's namespace only: nothing else listens there. */
const PROMETHEUS = 'http://127.0.0.1:9090';

let lab: Lab;
let cluster: LabCluster;
let owner: string;
let directory: string;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Runs an instant query through curl inside the owner's namespace. */
function query(promql: string): Sample[] {
  const namespace = lab.node(owner).namespace;
  const result = tryInNs(namespace, 'curl', [
    '-sfG',
    `${PROMETHEUS}/api/v1/query`,
    '--data-urlencode',
    `query=${promql}`,
  ]);
  if (result.status !== 0) return [];
  const body = JSON.parse(result.output) as { status: string; data: { result: Sample[] } };
  return body.status === 'success' ? body.data.result : [];
}

/** The value of the single sample of `promql` once it satisfies `accept`. */
function valueEventually(promql: string, accept: (value: number) => boolean): Promise<number> {
  return waitFor(
    () => {
      const value = Number(query(promql)[0]?.value[1]);
      return Number.isFinite(value) && accept(value) ? value : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: `Prometheus: ${promql}` },
  );
}

function startPrometheus(namespace: string): void {
  const config = join(directory, 'prometheus.yml');
  writeFileSync(
    config,
    stringify({
      global: { scrape_interval: '2s', scrape_timeout: '2s', evaluation_interval: '1s' },
      rule_files: [writeRuleFile(directory)],
      scrape_configs: [
        { job_name: 'ferrolb-speaker', static_configs: [{ targets: [`127.0.0.1:${LAB_METRICS_PORT}`] }] },
      ],
    }),
  );
  const args = [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(directory, 'data')}`,
    `--web.listen-address=127.0.0.1:9090`,
    '--log.level=warn',
  ];
  lab.track(spawnInNs(namespace, 'prometheus', args, { stdio: 'ignore' }));
}

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
  startPrometheus(lab.node(owner).namespace);
});

afterAll(async () => {
  await cluster?.stopAll();
  lab?.destroy();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('a real Prometheus scraping ferrolb standalone on the owner node', () => {
  it('M4: metallb_speaker_announced is 1 for the VIP on its owner, with MetalLB labels', async () => {
    const name = MetricDefinitions.speakerAnnounced.name;
    await valueEventually(`${name}{ip="${VIP}"}`, (value) => value === 1);
    expect(query(`${name}{ip="${VIP}"}`)[0]?.metric).toMatchObject({
      service: 'default/web',
      protocol: 'layer2',
      node: owner,
      ip: VIP,
    });
  });

  it('M5: arping from the client is counted as requests received and responses sent for the VIP', async () => {
    expect(answeringMacs(lab, VIP, 5)).toEqual([lab.node(owner).mac]);
    for (const key of ['layer2RequestsReceived', 'layer2ResponsesSent'] as const) {
      await valueEventually(`${MetricDefinitions[key].name}{ip="${VIP}"}`, (value) => value >= 5);
    }
  });

  it('G2: the gain of the VIP was announced gratuitously', async () => {
    await valueEventually(
      `${MetricDefinitions.layer2GratuitousSent.name}{ip="${VIP}"}`,
      (value) => value >= 1,
    );
  });

  it('DESIGN membership: both lab nodes are alive in gossip as seen from the owner', async () => {
    await valueEventually(`${MetricDefinitions.gossipMembers.name}{state="alive"}`, (value) => value === 2);
  });

  it('DESIGN data plane: reply latencies land in the histogram the dashboard reads', async () => {
    const name = MetricDefinitions.layer2ReplyLatencySeconds.name;
    await valueEventually(`${name}_count`, (value) => value >= 5);
    const p99 = `histogram_quantile(0.99, sum by (le) (rate(${name}_bucket[1m])))`;
    await valueEventually(p99, (value) => value > 0 && value < 1);
  });

  it('M7: the conflict alert is loaded, healthy and inactive while only ferrolb answers', async () => {
    const rule = await waitFor(
      () => {
        const result = tryInNs(lab.node(owner).namespace, 'curl', ['-sf', `${PROMETHEUS}/api/v1/rules`]);
        if (result.status !== 0) return undefined;
        const body = JSON.parse(result.output) as {
          data: {
            groups: { rules: { name: string; health: string; state: string; lastEvaluation: string }[] }[];
          };
        };
        const found = body.data.groups
          .flatMap((group) => group.rules)
          .find((entry) => entry.name === 'FerrolbAddressConflict');
        return found && !found.lastEvaluation.startsWith('0001') ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'FerrolbAddressConflict to be evaluated' },
    );
    expect(rule).toMatchObject({ health: 'ok', state: 'inactive' });
    expect(
      query(`${MetricDefinitions.layer2ConflictsTotal.name}{ip="${VIP}"}`).map((sample) => sample.value[1]),
    ).not.toContain(expect.stringMatching(/^[1-9]/));
  });
});
