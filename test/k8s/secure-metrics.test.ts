// MetalLB 0.16's metrics endpoint (metallb-behaviour M1, D10): HTTPS, each scrape's bearer token
// checked by the real API server through a TokenReview and a SubjectAccessReview, with deploy/'s
// metrics-rbac.yaml. Then docs/metrics.md is diffed against what a reader scraping that endpoint
// actually gets from a running controller (issue 13 item 9).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { mintServiceAccountToken } from './harness/bootstrap.js';
import { type ControllerProcess, startControllerProcess } from './harness/controller-process.js';
import { SYSTEM_NAMESPACE, startTestCluster, type TestCluster } from './harness/index.js';
import { ingressOf, poolManifest, serviceManifest, userClients } from './harness/objects.js';
import { eventually } from './harness/waiting.js';

let cluster: TestCluster;
let controller: ControllerProcess;

/** GET `path` on the controller's HTTPS metrics port (self-signed: not verified, as Prometheus' insecure_skip_verify). */
function scrape(path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
    const outgoing = request(
      { host: '127.0.0.1', port: controller.secureMetricsPort, path, headers, rejectUnauthorized: false },
      (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

beforeAll(async () => {
  cluster = await startTestCluster();
  controller = await startControllerProcess({
    runDirectory: cluster.server.runDirectory,
    kubeconfigPath: cluster.kubeconfigPath('controller'),
    name: 'controller-secure-metrics',
    extraArgs: ['--webhook-mode=disabled'],
  });
  await cluster.admin.makeApiClient(CoreV1Api).createNamespacedServiceAccount({
    namespace: SYSTEM_NAMESPACE,
    body: { metadata: { name: 'no-metrics' } },
  });
});

afterAll(async () => {
  await controller?.stop();
  await cluster?.stop();
});

describe('HTTPS /metrics with TokenReview and SubjectAccessReview', () => {
  it('M1: a token bound to metallb-metrics-reader gets the metrics', async () => {
    const token = await mintServiceAccountToken(cluster.admin, 'metallb-metrics-reader');
    const response = await eventually(
      'the HTTPS endpoint',
      () => scrape('/metrics', token).catch(() => undefined),
      {
        context: () => controller.log(),
      },
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatch(/^# HELP metallb_k8s_client_config_loaded_bool /m);
  });

  it('M1: a valid token without get on /metrics gets 403', async () => {
    const token = await mintServiceAccountToken(cluster.admin, 'no-metrics');
    expect((await scrape('/metrics', token)).status).toBe(403);
  });

  it.each([
    { rule: 'M1: no token gets 401', token: undefined },
    { rule: 'M1: a token the API server does not know gets 401', token: 'not-a-token' },
  ])('$rule', async ({ token }) => {
    expect((await scrape('/metrics', token)).status).toBe(401);
  });

  it('DESIGN CLI: the plain-HTTP --port keeps serving /metrics without a token', async () => {
    const response = await controller.get('/metrics');
    expect(response.status).toBe(200);
  });
});

/** `name → emitted by` of every row of docs/metrics.md's metric tables. */
function documentedMetrics(): Map<string, string> {
  const markdown = readFileSync(join(REPOSITORY_ROOT, 'docs', 'metrics.md'), 'utf8');
  const rows = [...markdown.matchAll(/^\| `([a-z0-9_]+)` \| [a-z]+ \|[^|]*\|[^|]*\| ([^|]+) \|$/gm)];
  return new Map(rows.map((row) => [row[1] ?? '', row[2] ?? '']));
}

describe('docs/metrics.md against a live scrape', () => {
  it("M2: every metric the doc says the controller emits is in the controller's HTTPS scrape", async () => {
    const user = userClients(cluster.admin);
    await user.createPool(poolManifest('metrics-doc', ['203.0.113.0/28']));
    await user.createNamespace('metrics-doc');
    await user.createService(serviceManifest('metrics-doc', 'web'));
    await eventually('the Service IP, so the per-pool gauges exist', async () => {
      const ips = ingressOf(await user.readService('metrics-doc', 'web'));
      return ips.length > 0 ? ips : undefined;
    });
    const token = await mintServiceAccountToken(cluster.admin, 'metallb-metrics-reader');
    const documented = [...documentedMetrics()].filter(([, emitters]) => emitters.includes('controller'));
    expect(documented.length).toBeGreaterThanOrEqual(8);
    // Pool gauges follow the allocation by a coalescing delay: scrape until complete, or report what lacks.
    let missing: string[] = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      const { body } = await scrape('/metrics', token);
      const exported = new Set([...body.matchAll(/^# HELP ([a-z0-9_]+) /gm)].map((match) => match[1]));
      missing = documented.map(([name]) => name).filter((name) => !exported.has(name));
      if (missing.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(missing).toEqual([]);
  });
});
