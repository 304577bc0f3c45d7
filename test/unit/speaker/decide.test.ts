import { describe, expect, it } from 'vitest';
import { EXCLUDE_LB_LABEL, OUT_OF_SERVICE_TAINT } from '../../../src/config/annotations.js';
import { decideService, type ServiceOutcome, type SpeakerInputs } from '../../../src/speaker/index.js';
import { advertisementObject, configOf, inputs, nodes, poolObject, service } from './fixtures.js';

/** The outcome reduced to what a row states: announced IPs and interfaces, or the reason (and owner). */
function summary(outcome: ServiceOutcome): unknown {
  if (outcome.announce) {
    return { ips: outcome.ips, interfaces: outcome.interfaces ?? 'all', failedIPs: outcome.failedIPs };
  }
  return outcome.owner ? { reason: outcome.reason, owner: outcome.owner } : { reason: outcome.reason };
}

const announced = (ips: string[], interfaces: string[] | 'all' = 'all') => ({
  ips,
  interfaces,
  failedIPs: [],
});
const label = (name: string, labels: Record<string, string>) =>
  nodes.map((node) => (node.name === name ? { ...node, labels: { ...node.labels, ...labels } } : node));
const zoneAdvertisement = (zones: string[], spec: Record<string, unknown> = {}) =>
  configOf(
    [poolObject('alpha', ['10.0.0.0/24'])],
    [
      advertisementObject('zones', {
        nodeSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: zones }] }],
        ...spec,
      }),
    ],
  );

interface Row {
  readonly rule: string;
  readonly given: Partial<SpeakerInputs>;
  readonly want: unknown;
}

const rows: Row[] = [
  {
    rule: 'S2/E8: the hash winner (node-b for 10.0.0.1) announces',
    given: {},
    want: announced(['10.0.0.1']),
  },
  {
    rule: 'S2 notOwner: node-a loses the hash to node-b',
    given: { nodeName: 'node-a' },
    want: { reason: 'notOwner', owner: 'node-b' },
  },
  {
    rule: 'S1 notLoadBalancer: a ClusterIP Service is withdrawn',
    given: { services: [service({ type: 'ClusterIP' })] },
    want: { reason: 'notLoadBalancer' },
  },
  {
    rule: 'C11/S4: without --lb-class a Service with any class is ignored',
    given: { services: [service({ loadBalancerClass: 'other' })] },
    want: { reason: 'loadBalancerClassMismatch' },
  },
  {
    rule: 'C11/S4: with --lb-class X a Service of class X is handled',
    given: { loadBalancerClass: 'ferrolb', services: [service({ loadBalancerClass: 'ferrolb' })] },
    want: announced(['10.0.0.1']),
  },
  {
    rule: 'C11/S4: with --lb-class X a Service without class is ignored',
    given: { loadBalancerClass: 'ferrolb' },
    want: { reason: 'loadBalancerClassMismatch' },
  },
  {
    rule: 'S1: no config loaded yet, nothing is announced',
    given: { config: undefined },
    want: { reason: 'noConfig' },
  },
  {
    rule: 'S1 noIPAllocated: empty ingress',
    given: { services: [service({ ingressIPs: [] })] },
    want: { reason: 'noIPAllocated' },
  },
  {
    rule: 'S1 invalidIP: an ingress IP that does not parse',
    given: { services: [service({ ingressIPs: ['10.0.0.300'] })] },
    want: { reason: 'invalidIP' },
  },
  {
    rule: 'S1 ipNotAllowed: an ingress IP in no pool of the config',
    given: { services: [service({ ingressIPs: ['203.0.113.5'] })] },
    want: { reason: 'ipNotAllowed' },
  },
  {
    rule: 'E1: without any serving endpoint nobody announces',
    given: { endpoints: new Map() },
    want: { reason: 'notOwner' },
  },
  {
    rule: 'E1: a terminating endpoint that is still serving counts',
    given: { endpoints: new Map([['default/web', [{ nodeName: 'node-c', ready: false, serving: true }]]]) },
    want: announced(['10.0.0.1']),
  },
  {
    rule: 'E6: Local policy elects only among nodes with a serving endpoint (node-c here)',
    given: {
      nodeName: 'node-c',
      services: [service({ externalTrafficPolicy: 'Local' })],
      endpoints: new Map([
        [
          'default/web',
          [
            { nodeName: 'node-c', ready: true },
            { nodeName: 'node-b', ready: false },
          ],
        ],
      ]),
    },
    want: announced(['10.0.0.1']),
  },
  {
    rule: 'E6: Local policy, the hash winner without a local endpoint does not announce',
    given: {
      services: [service({ externalTrafficPolicy: 'Local' })],
      endpoints: new Map([['default/web', [{ nodeName: 'node-c', ready: true }]]]),
    },
    want: { reason: 'notOwner', owner: 'node-c' },
  },
  {
    rule: 'E5: the exclude label removes node-b; node-a wins',
    given: { nodeName: 'node-a', nodes: label('node-b', { [EXCLUDE_LB_LABEL]: '' }) },
    want: announced(['10.0.0.1']),
  },
  {
    rule: 'E5: --ignore-exclude-lb keeps the labelled node a candidate',
    given: { nodes: label('node-b', { [EXCLUDE_LB_LABEL]: 'true' }), ignoreExcludeLb: true },
    want: announced(['10.0.0.1']),
  },
  {
    rule: 'E5: NetworkUnavailable=True removes node-b',
    given: {
      nodeName: 'node-a',
      nodes: nodes.map((node) => ({ ...node, networkUnavailable: node.name === 'node-b' })),
    },
    want: announced(['10.0.0.1']),
  },
  {
    rule: 'DESIGN election/Q9: the out-of-service taint removes node-b (metallb#3116)',
    given: {
      nodes: nodes.map((node) =>
        node.name === 'node-b'
          ? { ...node, taints: [{ key: OUT_OF_SERVICE_TAINT, effect: 'NoExecute' }] }
          : node,
      ),
    },
    want: { reason: 'notOwner', owner: 'node-a' },
  },
  {
    rule: 'E4: no ad selects this node → noMatchingAdvertisement',
    given: { config: zoneAdvertisement(['a', 'c']) },
    want: { reason: 'noMatchingAdvertisement' },
  },
  {
    rule: 'E5/E12: nodeSelectors are a hard filter: node-a wins when node-b is not selected',
    given: { nodeName: 'node-a', config: zoneAdvertisement(['a', 'c']) },
    want: announced(['10.0.0.1']),
  },
  {
    rule: 'V11/E4: an ad for another pool does not cover the Service',
    given: {
      config: configOf(
        [poolObject('alpha', ['10.0.0.0/24']), poolObject('beta', ['10.1.0.0/24'])],
        [advertisementObject('beta-only', { ipAddressPools: ['beta'] })],
      ),
    },
    want: { reason: 'noMatchingAdvertisement' },
  },
  {
    rule: 'E5 gossip: only live members are candidates',
    given: { nodeName: 'node-a', liveMembers: ['node-a', 'node-c'] },
    want: announced(['10.0.0.1']),
  },
  {
    rule: 'Q5: a deleted Node never wins, even while gossip still lists it',
    given: {
      nodeName: 'node-a',
      nodes: nodes.filter((node) => node.name !== 'node-b'),
      liveMembers: ['node-a', 'node-b', 'node-c'],
    },
    want: announced(['10.0.0.1']),
  },
  {
    rule: 'DESIGN election/Q10: a member whose interfaces are all down (gossip health) is skipped',
    given: {
      nodeName: 'node-a',
      liveMembers: ['node-a', 'node-b', 'node-c'],
      interfaceHealth: { 'node-b': { eth0: false } },
    },
    want: announced(['10.0.0.1']),
  },
  {
    rule: 'E9: a dual-stack Service announces both IPs from the node elected on ingress[0]',
    given: { services: [service({ ingressIPs: ['10.0.0.1', '2001:db8:1::10'] })] },
    want: announced(['10.0.0.1', '2001:db8:1::10']),
  },
  {
    rule: 'E3: allow-shared-ip with a serviceSelectors ad → sharedIPWithServiceSelector',
    given: {
      services: [service({ annotations: { 'metallb.io/allow-shared-ip': 'key' } })],
      config: configOf(
        [poolObject('alpha', ['10.0.0.0/24'])],
        [advertisementObject('web', { serviceSelectors: [{ matchLabels: { app: 'web' } }] })],
      ),
    },
    want: { reason: 'sharedIPWithServiceSelector' },
  },
  {
    rule: 'L13: only the listed interfaces that exist on this node are used',
    given: {
      config: configOf(
        [poolObject('alpha', ['10.0.0.0/24'])],
        [advertisementObject('some', { interfaces: ['eth0', 'eth9'] })],
      ),
      localInterfaces: ['eth0', 'eth1'],
    },
    want: announced(['10.0.0.1'], ['eth0']),
  },
  {
    rule: 'L13/EV12: none of the listed interfaces exists → nothing announced, IP failed',
    given: {
      config: configOf(
        [poolObject('alpha', ['10.0.0.0/24'])],
        [advertisementObject('some', { interfaces: ['eth9'] })],
      ),
      localInterfaces: ['eth0'],
    },
    want: { ips: [], interfaces: ['eth9'], failedIPs: ['10.0.0.1'] },
  },
];

describe('decideService', () => {
  it.each(rows)('$rule', ({ given, want }) => {
    const all = inputs(given);
    const [first] = all.services;
    expect(summary(decideService(first ?? service(), all))).toEqual(want);
  });

  it('E11: every node computes the same single owner', () => {
    const owners = nodes.filter((node) => decideService(service(), inputs({ nodeName: node.name })).announce);
    expect(owners.map((node) => node.name)).toEqual(['node-b']);
  });
});
