import { describe, expect, it } from 'vitest';
import { EXCLUDE_LB_LABEL, OUT_OF_SERVICE_TAINT } from '../../../src/config/annotations.js';
import { type ElectionInput, electOwner, shouldAnnounce } from '../../../src/election/index.js';
import { baseInput, everywhere, threeNodes } from './fixtures.js';

const withNode = (name: string, change: object) =>
  threeNodes.map((node) => (node.name === name ? { ...node, ...change } : node));
const onlyZone = (zone: string) => ({ matchLabels: { zone } });

describe('electOwner (E1–E9, DESIGN election)', () => {
  it.each<{ rule: string; input: ElectionInput; owner: string | undefined; reason?: string }>([
    { rule: 'E8: the first of the hash order wins', input: baseInput(), owner: 'node-b' },
    {
      rule: 'E1: no endpoint can serve gives notOwner',
      input: baseInput({ endpoints: [{ ready: false }] }),
      owner: undefined,
      reason: 'notOwner',
    },
    {
      rule: 'E1: an empty endpoint list gives notOwner',
      input: baseInput({ endpoints: [] }),
      owner: undefined,
      reason: 'notOwner',
    },
    {
      rule: 'E1: ready nil counts as ready',
      input: baseInput({ endpoints: [{ nodeName: 'node-a' }] }),
      owner: 'node-b',
    },
    {
      rule: 'E1: terminating but serving counts',
      input: baseInput({ endpoints: [{ ready: false, serving: true }] }),
      owner: 'node-b',
    },
    {
      rule: 'E1: standalone (no endpoint information) makes every member eligible',
      input: baseInput({ endpoints: undefined }),
      owner: 'node-b',
    },
    {
      rule: 'E5: only live members are candidates',
      input: baseInput({ liveMembers: ['node-a', 'node-c'] }),
      owner: 'node-a',
    },
    {
      rule: 'E5: without membership every known node is a candidate',
      input: baseInput({ liveMembers: undefined }),
      owner: 'node-b',
    },
    {
      rule: 'E5/Q5: a member without a Node entry is not a candidate',
      input: baseInput({ liveMembers: ['node-x', 'node-c'] }),
      owner: 'node-c',
    },
    {
      rule: 'E5: NetworkUnavailable=True removes the node',
      input: baseInput({ nodes: withNode('node-b', { networkUnavailable: true }) }),
      owner: 'node-a',
    },
    {
      rule: 'E5: the exclude label removes the node',
      input: baseInput({ nodes: withNode('node-b', { labels: { [EXCLUDE_LB_LABEL]: '' } }) }),
      owner: 'node-a',
    },
    {
      rule: 'E5: --ignore-exclude-lb keeps an excluded node',
      input: baseInput({
        ignoreExcludeLb: true,
        nodes: withNode('node-b', { labels: { [EXCLUDE_LB_LABEL]: 'true' } }),
      }),
      owner: 'node-b',
    },
    {
      rule: 'DESIGN/Q5: the out-of-service taint removes the node',
      input: baseInput({
        nodes: withNode('node-b', { taints: [{ key: OUT_OF_SERVICE_TAINT, effect: 'NoExecute' }] }),
      }),
      owner: 'node-a',
    },
    {
      rule: 'DESIGN: another taint does not remove the node',
      input: baseInput({
        nodes: withNode('node-b', { taints: [{ key: 'example.com/other', effect: 'NoSchedule' }] }),
      }),
      owner: 'node-b',
    },
    {
      rule: 'E12: nodeSelectors are a hard filter',
      input: baseInput({ advertisements: [{ name: 'c-only', nodeSelectors: [onlyZone('c')] }] }),
      owner: 'node-c',
    },
    {
      rule: 'E5: the union over all Service-matching ads is used',
      input: baseInput({
        advertisements: [
          { name: 'c', nodeSelectors: [onlyZone('c')] },
          { name: 'a', nodeSelectors: [onlyZone('a')] },
        ],
      }),
      owner: 'node-a',
    },
    {
      rule: 'V12: several nodeSelectors are OR-ed',
      input: baseInput({ advertisements: [{ name: 'ac', nodeSelectors: [onlyZone('c'), onlyZone('a')] }] }),
      owner: 'node-a',
    },
    {
      rule: 'E6: Local policy keeps only nodes with a serving endpoint',
      input: baseInput({
        service: { key: 'default/web', ingressIPs: ['10.0.0.1'], externalTrafficPolicy: 'Local' },
      }),
      owner: 'node-c',
    },
    {
      rule: 'E6: Local policy ignores endpoints that cannot serve',
      input: baseInput({
        service: { key: 'default/web', ingressIPs: ['10.0.0.1'], externalTrafficPolicy: 'Local' },
        endpoints: [
          { nodeName: 'node-b', ready: false },
          { nodeName: 'node-c', ready: true },
        ],
      }),
      owner: 'node-c',
    },
    {
      rule: 'E7: an empty candidate set gives notOwner',
      input: baseInput({ liveMembers: [] }),
      owner: undefined,
      reason: 'notOwner',
    },
    {
      rule: 'E14: preferredNodeSelectors outweigh the hash',
      input: baseInput({
        advertisements: [
          { name: 'prefer-c', preferredNodeSelectors: [{ weight: 10, preference: onlyZone('c') }] },
        ],
      }),
      owner: 'node-c',
    },
    {
      rule: 'E14: weights add up across ads',
      input: baseInput({
        advertisements: [
          {
            name: 'p1',
            preferredNodeSelectors: [
              { weight: 10, preference: onlyZone('c') },
              { weight: 15, preference: onlyZone('a') },
            ],
          },
          { name: 'p2', preferredNodeSelectors: [{ weight: 10, preference: onlyZone('c') }] },
        ],
      }),
      owner: 'node-c',
    },
    {
      rule: 'E8: a weight counts only for nodes its ad selects',
      input: baseInput({
        advertisements: [
          everywhere,
          {
            name: 'p',
            nodeSelectors: [onlyZone('a')],
            preferredNodeSelectors: [{ weight: 50, preference: onlyZone('c') }],
          },
        ],
      }),
      owner: 'node-b',
    },
    {
      rule: 'E9: only ingress[0] is hashed',
      input: baseInput({
        service: { key: 'default/web', ingressIPs: ['10.0.0.2', '10.0.0.1'] },
        liveMembers: ['node-a', 'node-c'],
      }),
      owner: 'node-c',
    },
    {
      rule: 'E9: an IPv4-mapped ingress hashes as IPv4',
      input: baseInput({ service: { key: 'default/web', ingressIPs: ['::ffff:10.0.0.1'] } }),
      owner: 'node-b',
    },
    {
      rule: 'S1: no ingress gives noIPAllocated',
      input: baseInput({ service: { key: 'default/web', ingressIPs: [] } }),
      owner: undefined,
      reason: 'noIPAllocated',
    },
    {
      rule: 'S1: an unparsable ingress gives invalidIP',
      input: baseInput({ service: { key: 'default/web', ingressIPs: ['10.0.0.1', 'bogus'] } }),
      owner: undefined,
      reason: 'invalidIP',
    },
    {
      rule: 'E3: allow-shared-ip with a serviceSelector ad gives sharedIPWithServiceSelector',
      input: baseInput({
        service: {
          key: 'default/web',
          labels: { app: 'web' },
          annotations: { 'metallb.universe.tf/allow-shared-ip': 'k' },
          ingressIPs: ['10.0.0.1'],
        },
        advertisements: [{ name: 's', serviceSelectors: [{ matchLabels: { app: 'web' } }] }],
      }),
      owner: undefined,
      reason: 'sharedIPWithServiceSelector',
    },
    {
      rule: 'E3: allow-shared-ip without serviceSelectors is fine',
      input: baseInput({
        service: {
          key: 'default/web',
          annotations: { 'metallb.io/allow-shared-ip': '' },
          ingressIPs: ['10.0.0.1'],
        },
      }),
      owner: 'node-b',
    },
    {
      rule: 'Q10: a node whose selected interfaces are all down is not a candidate',
      input: baseInput({ interfaceHealth: { 'node-b': { eth0: false, eth1: false } } }),
      owner: 'node-a',
    },
    {
      rule: 'Q10: one healthy interface keeps the node',
      input: baseInput({ interfaceHealth: { 'node-b': { eth0: false, eth1: true } } }),
      owner: 'node-b',
    },
    {
      rule: 'Q10: only the ad-selected interfaces count',
      input: baseInput({
        advertisements: [{ name: 'eth0', interfaces: ['eth0'] }],
        interfaceHealth: { 'node-b': { eth0: false, eth1: true } },
      }),
      owner: 'node-a',
    },
    {
      rule: 'Q10: a node lacking the ad interface is not a candidate',
      input: baseInput({
        advertisements: [{ name: 'eth9', interfaces: ['eth9'] }],
        interfaceHealth: { 'node-b': { eth0: true } },
      }),
      owner: 'node-a',
    },
  ])('$rule', ({ input, owner, reason }) => {
    const result = electOwner(input);
    expect(result.ok ? result.owner : undefined).toBe(owner);
    if (reason !== undefined) expect(result).toMatchObject({ ok: false, reason });
  });
});

describe('shouldAnnounce (S2, E4, E9, L13)', () => {
  it.each<{ rule: string; input: ElectionInput; node: string; want: object }>([
    {
      rule: 'S2: the owner announces every ingress IP on all interfaces',
      input: baseInput(),
      node: 'node-b',
      want: { announce: true, owner: 'node-b', ips: ['10.0.0.1'], interfaces: 'all' },
    },
    {
      rule: 'S2: another node gets notOwner naming the owner',
      input: baseInput(),
      node: 'node-a',
      want: { announce: false, reason: 'notOwner', detail: 'otherNodeElected', owner: 'node-b' },
    },
    {
      rule: 'E4: a node no ad selects gets noMatchingAdvertisement',
      input: baseInput({ advertisements: [{ name: 'c', nodeSelectors: [onlyZone('c')] }] }),
      node: 'node-a',
      want: { announce: false, reason: 'noMatchingAdvertisement' },
    },
    {
      rule: 'E2/E4: no ad matching the Service gives noMatchingAdvertisement',
      input: baseInput({
        advertisements: [{ name: 's', serviceSelectors: [{ matchLabels: { app: 'db' } }] }],
      }),
      node: 'node-b',
      want: { announce: false, reason: 'noMatchingAdvertisement' },
    },
    {
      rule: 'E2: serviceSelectors are OR-ed',
      input: baseInput({
        advertisements: [
          { name: 's', serviceSelectors: [{ matchLabels: { app: 'db' } }, { matchLabels: { app: 'web' } }] },
        ],
      }),
      node: 'node-b',
      want: { announce: true, owner: 'node-b' },
    },
    {
      rule: 'E1 before E4: no serving endpoint gives notOwner',
      input: baseInput({ endpoints: [], advertisements: [] }),
      node: 'node-b',
      want: { announce: false, reason: 'notOwner', detail: 'noServingEndpoints' },
    },
    {
      rule: 'E9: dual-stack announces both IPs from the node elected on the first',
      input: baseInput({ service: { key: 'default/web', ingressIPs: ['10.0.0.1', '2001:db8:1::10'] } }),
      node: 'node-b',
      want: { announce: true, ips: ['10.0.0.1', '2001:db8:1::10'] },
    },
    {
      rule: 'L13: interfaces are the union over ads selecting this node',
      input: baseInput({
        advertisements: [
          { name: 'x', interfaces: ['eth1'] },
          { name: 'y', interfaces: ['eth0'] },
          { name: 'z', nodeSelectors: [onlyZone('a')] },
        ],
      }),
      node: 'node-b',
      want: { announce: true, interfaces: ['eth0', 'eth1'] },
    },
    {
      rule: 'L13: an ad without interfaces on this node means all',
      input: baseInput({
        advertisements: [
          { name: 'x', interfaces: ['eth1'] },
          { name: 'y', nodeSelectors: [onlyZone('b')] },
        ],
      }),
      node: 'node-b',
      want: { announce: true, interfaces: 'all' },
    },
  ])('$rule', ({ input, node, want }) => {
    expect(shouldAnnounce({ ...input, nodeName: node })).toMatchObject(want);
  });
});
