// What the tests deploy besides ferrolb: a backend that answers HTTP (a real pod, node from the
// image) behind a dual-stack LoadBalancer Service, and the waits on the cluster that go with it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type Cluster, getJson, kubectl } from './cluster.js';

/** The namespace of the backend and its Service. */
export const APP_NAMESPACE = 'e2e-app';
/** The backend's LoadBalancer Service. */
export const SERVICE = 'web';

/** Polls `probe` until it returns a value other than undefined, or throws naming `what`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; what: string; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${options.what}: ${String(lastError ?? '')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}

/** kubectl apply of `objects`, written to a temporary file. */
export async function applyObjects(cluster: Cluster, objects: readonly object[]): Promise<void> {
  const path = join(mkdtempSync(join(tmpdir(), 'ferrolb-e2e-')), 'objects.yaml');
  writeFileSync(path, objects.map((object) => stringify(object)).join('---\n'));
  await kubectl(cluster, ['apply', '-f', path]);
}

/** A two-replica HTTP backend answering its pod name, and a dual-stack LoadBalancer Service for it. */
export function backendObjects(image: string): object[] {
  const labels = { app: SERVICE };
  const server = "require('http').createServer((q,s)=>s.end(require('os').hostname())).listen(8080,'::')";
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: APP_NAMESPACE } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: SERVICE, namespace: APP_NAMESPACE },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'http',
                image,
                imagePullPolicy: 'Never',
                command: ['/nodejs/bin/node', '-e', server],
                ports: [{ containerPort: 8080 }],
                readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVICE, namespace: APP_NAMESPACE },
      spec: {
        type: 'LoadBalancer',
        ipFamilyPolicy: 'RequireDualStack',
        ipFamilies: ['IPv4', 'IPv6'],
        selector: labels,
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      },
    },
  ];
}

/** The Service's ingress IPs once the controller wrote both families. */
export function waitForIngress(cluster: Cluster): Promise<string[]> {
  return waitFor(
    async () => {
      const service = await getJson<{ status?: { loadBalancer?: { ingress?: { ip?: string }[] } } }>(
        cluster,
        ['service', '-n', APP_NAMESPACE, SERVICE],
      );
      const ips = (service.status?.loadBalancer?.ingress ?? []).map((entry) => entry.ip ?? '');
      return ips.length === 2 ? ips : undefined;
    },
    { timeoutMs: 120_000, what: `${APP_NAMESPACE}/${SERVICE} to get an IPv4 and an IPv6 address` },
  );
}

/** Waits until every pod of `kind/name` in metallb-system runs the current revision and is Ready. */
export async function waitForRollout(cluster: Cluster, workload: string): Promise<void> {
  await kubectl(cluster, ['rollout', 'status', '-n', 'metallb-system', workload, '--timeout=300s']);
}

/** Names of the pods in `namespace` (none once an uninstall is complete). */
export async function podNames(cluster: Cluster, namespace: string): Promise<string[]> {
  const list = await getJson<{ items: { metadata: { name: string } }[] }>(cluster, ['pods', '-n', namespace]);
  return list.items.map((pod) => pod.metadata.name);
}
