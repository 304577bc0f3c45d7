// `kubectl apply -k deploy/` on three real kubelet nodes (issue 11): the image built from the
// Dockerfile as shipped, substituted only through kustomize's `images:` in an overlay written here.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { REPOSITORY_ROOT } from '../k8s/harness/binaries.js';
import { expectedOwner, expectNothingLeft, expectServedBy, isInPool } from './checks.js';
import { pingEvery10Ms } from './client.js';
import { type Cluster, kubectl, saveDaemonLogs, startCluster, stopCluster, tagImage } from './cluster.js';
import { applyObjects, backendObjects, waitForIngress, waitForRollout } from './workload.js';

// The most pings (10 ms apart) a speaker rollout may lose; the goal is zero (make-before-break).
const ROLLOUT_LOSS_BUDGET = 10;

let cluster: Cluster;
let overlay: string;
let ingress: string[];

function writeOverlay(image: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'ferrolb-e2e-overlay-'));
  const [name, tag] = image.split(/:(?=[^:/]+$)/);
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [relative(directory, join(REPOSITORY_ROOT, 'deploy'))],
    images: [{ name, newTag: tag }],
  };
  writeFileSync(join(directory, 'kustomization.yaml'), stringify(kustomization));
  return directory;
}

beforeAll(async () => {
  cluster = await startCluster();
  console.log(
    `e2e figure: cluster set-up ${cluster.setupSeconds.toFixed(1)} s; image ${cluster.image} ${cluster.imageSize}`,
  );
  overlay = writeOverlay(cluster.image);
  await kubectl(cluster, ['apply', '-k', overlay]);
  await waitForRollout(cluster, 'daemonset/speaker');
  await waitForRollout(cluster, 'deployment/controller');
  await applyObjects(cluster, [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'e2e', namespace: 'metallb-system' },
      spec: { addresses: [cluster.pool4, cluster.pool6] },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'e2e', namespace: 'metallb-system' },
    },
  ]);
  await applyObjects(cluster, backendObjects(cluster.image));
  ingress = await waitForIngress(cluster);
});

afterAll(async () => {
  await stopCluster();
});

describe('kubectl apply -k deploy/ on three kubelet nodes', () => {
  it('the LoadBalancer Service gets an IPv4 and an IPv6 address from the pool', () => {
    expect(ingress).toHaveLength(2);
    for (const ip of ingress) expect(isInPool(cluster, ip), ip).toBe(true);
  });

  it('E8: the client reaches a backend pod through each VIP, answered by the node the hash picks', async () => {
    const owner = expectedOwner(cluster.nodes, ingress);
    for (const ip of ingress) await expectServedBy(cluster, ip, owner);
  });

  it('a rolling update of the speaker DaemonSet to a new image tag loses at most a handful of pings', async () => {
    const [ip] = ingress;
    const next = `${cluster.image.replace(/:[^:/]+$/, '')}:e2e-b`;
    await tagImage(cluster.image, next);
    const ping = pingEvery10Ms(cluster, ip ?? '');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await kubectl(cluster, ['set', 'image', '-n', 'metallb-system', 'daemonset/speaker', `speaker=${next}`]);
    await waitForRollout(cluster, 'daemonset/speaker');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const outcome = await ping.stop();
    console.log(
      `e2e figure: speaker rollout lost ${outcome.lost} of ${outcome.transmitted} pings (longest gap ${outcome.longestGapMs.toFixed(0)} ms)`,
    );
    expect(outcome.received).toBeGreaterThan(100);
    expect(outcome.lost).toBeLessThanOrEqual(ROLLOUT_LOSS_BUDGET);
    await expectServedBy(cluster, ip ?? '', expectedOwner(cluster.nodes, ingress));
  });

  it('no ferrolb container restarted (a crash that comes back still passes a readiness wait)', async () => {
    expect(await saveDaemonLogs(cluster, 'kustomize')).toEqual([]);
  });

  it('kubectl delete -k leaves no pod, no announcement and no route behind', async () => {
    // The metrics token Secret goes with its ServiceAccount (the token controller deletes it), so
    // it may be gone before kubectl reaches it: --ignore-not-found, as the README says.
    await kubectl(cluster, ['delete', '-k', overlay, '--ignore-not-found', '--wait=true', '--timeout=180s']);
    await expectNothingLeft(cluster, ingress, cluster.nodes);
  });
});
