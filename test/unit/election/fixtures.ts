import type { ElectionAdvertisement, ElectionInput, ElectionNode } from '../../../src/election/index.js';

/** Three plain nodes; for 10.0.0.1 their hash order is [node-b, node-a, node-c] (E10). */
export const threeNodes: ElectionNode[] = [
  { name: 'node-a', labels: { zone: 'a' } },
  { name: 'node-b', labels: { zone: 'b' } },
  { name: 'node-c', labels: { zone: 'c' } },
];

/** An ad covering every node, Service and interface. */
export const everywhere: ElectionAdvertisement = { name: 'everywhere' };

/** A Cluster-policy Service on 10.0.0.1 with one ready endpoint on node-c, every node a member. */
export function baseInput(overrides: Partial<ElectionInput> = {}): ElectionInput {
  return {
    service: { key: 'default/web', labels: { app: 'web' }, ingressIPs: ['10.0.0.1'] },
    advertisements: [everywhere],
    nodes: threeNodes,
    liveMembers: ['node-a', 'node-b', 'node-c'],
    endpoints: [{ nodeName: 'node-c', ready: true }],
    ...overrides,
  };
}
