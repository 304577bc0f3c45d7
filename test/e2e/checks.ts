// Assertions both installs share: an address from the pool, reached from the client through the
// VIP, announced by the node MetalLB's hash picks (metallb-behaviour E8), and nothing left behind.
import { expect } from 'vitest';
import { hashOrder } from '../../src/election/index.js';
import { ferrolbRoutes, fetchBody, nodeMac, resolveMac } from './client.js';
import { type Cluster, kubectl } from './cluster.js';
import { APP_NAMESPACE, podNames, SERVICE, waitFor } from './workload.js';

/** Whether `ip` lies in the cluster's pools (POOL4 198.51.100.192/27, POOL6 2001:db8:1::200/123). */
export function isInPool(cluster: Cluster, ip: string): boolean {
  if (ip.includes(':')) {
    const last = Number.parseInt(ip.split(':').pop() ?? '', 16);
    return (
      cluster.pool6 === '2001:db8:1::200/123' &&
      ip.startsWith('2001:db8:1::') &&
      last >= 0x200 &&
      last < 0x220
    );
  }
  const last = Number(ip.split('.').pop());
  return cluster.pool4 === '198.51.100.192/27' && ip.startsWith('198.51.100.') && last >= 192 && last < 224;
}

/** The backend pods' names: what curl through the VIP must return. */
export async function backendPods(cluster: Cluster): Promise<string[]> {
  return podNames(cluster, APP_NAMESPACE);
}

/** E8: the owner of every IP of a Service is the first of its nodes by sha256(node#first ingress IP). */
export function expectedOwner(nodes: readonly string[], ingress: readonly string[]): string {
  const owner = hashOrder(nodes, ingress[0] ?? '')[0];
  if (owner === undefined) throw new Error('no node to elect');
  return owner;
}

/** Waits until the client resolves `ip` to `node`'s MAC and curl through it returns a backend pod. */
export async function expectServedBy(cluster: Cluster, ip: string, node: string): Promise<void> {
  const mac = nodeMac(cluster, node);
  await waitFor(() => (resolveMac(cluster, ip) === mac ? true : undefined), {
    timeoutMs: 60_000,
    what: `${ip} to be answered by ${node} (${mac}); last answer ${resolveMac(cluster, ip) ?? 'none'}`,
  });
  const pods = await backendPods(cluster);
  const body = await waitFor(() => fetchBody(cluster, ip), { timeoutMs: 30_000, what: `curl http://${ip}/` });
  expect(pods).toContain(body);
}

/** After an uninstall: no ferrolb pod, nothing answers either VIP, no ferrolb route on any live node. */
export async function expectNothingLeft(
  cluster: Cluster,
  ingress: readonly string[],
  nodes: readonly string[],
) {
  await waitFor(async () => ((await podNames(cluster, 'metallb-system')).length === 0 ? true : undefined), {
    timeoutMs: 120_000,
    what: 'every pod in metallb-system to be gone',
  });
  for (const ip of ingress) expect(resolveMac(cluster, ip), `${ip} still answered`).toBeUndefined();
  for (const node of nodes) expect(ferrolbRoutes(cluster, node), `routes left on ${node}`).toBe('');
  await kubectl(cluster, ['get', 'service', '-n', APP_NAMESPACE, SERVICE]);
}
