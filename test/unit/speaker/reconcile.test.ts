import { describe, expect, it } from 'vitest';
import {
  EMPTY_SPEAKER_STATE,
  reconcile,
  type SpeakerInputs,
  type SpeakerState,
} from '../../../src/speaker/index.js';
import { advertisementObject, configOf, inputs, nodes, poolObject, service } from './fixtures.js';

/** Runs reconciles in order from an empty state; returns the last result. */
function run(...steps: Partial<SpeakerInputs>[]) {
  let state: SpeakerState = EMPTY_SPEAKER_STATE;
  const results = steps.map((step) => {
    const result = reconcile(inputs(step), state);
    state = result.state;
    return result;
  });
  const last = results.at(-1);
  if (!last) throw new Error('run() needs at least one step');
  return last;
}

const series = (ip: string, service = 'default/web') => ({ service, protocol: 'layer2', node: 'node-b', ip });
const nodeAssigned = {
  namespace: 'default',
  name: 'web',
  uid: 'uid-web',
  type: 'Normal',
  reason: 'nodeAssigned',
  message: 'announcing from node "node-b" with protocol "layer2"',
};
const noEndpoints = { endpoints: new Map() };
const missingInterface = {
  config: configOf(
    [poolObject('alpha', ['10.0.0.0/24'])],
    [advertisementObject('some', { interfaces: ['eth9'] })],
  ),
  localInterfaces: ['eth0'],
};

describe('reconcile: events, series and withdrawals across steps', () => {
  it.each([
    {
      rule: 'EV11/S3: gaining the IP emits nodeAssigned and sets the series (M4)',
      steps: [{}],
      want: { events: [nodeAssigned], series: [series('10.0.0.1')], staleSeries: [], withdrawals: [] },
    },
    {
      rule: 'Q8: a repeated reconcile emits no second nodeAssigned',
      steps: [{}, {}],
      want: { events: [], series: [series('10.0.0.1')], staleSeries: [], withdrawals: [] },
    },
    {
      rule: 'Q16/S2: losing the election deletes the series (notOwner)',
      steps: [{}, noEndpoints],
      want: {
        events: [],
        series: [],
        staleSeries: [series('10.0.0.1')],
        withdrawals: [{ service: 'default/web', ips: ['10.0.0.1'], reason: 'notOwner' }],
      },
    },
    {
      rule: 'Q16/S1 serviceDeleted: a deleted Service is withdrawn and its series deleted',
      steps: [{}, { services: [] }],
      want: {
        events: [],
        series: [],
        staleSeries: [series('10.0.0.1')],
        withdrawals: [{ service: 'default/web', ips: ['10.0.0.1'], reason: 'serviceDeleted' }],
      },
    },
    {
      rule: 'Q16/S1 loadBalancerIPChanged: the old IP is withdrawn, the new one announced with nodeAssigned',
      steps: [{}, { services: [service({ ingressIPs: ['10.0.0.2'] })] }], // node-b also wins 10.0.0.2 (E10)
      want: {
        events: [nodeAssigned],
        series: [series('10.0.0.2')],
        staleSeries: [series('10.0.0.1')],
        withdrawals: [{ service: 'default/web', ips: ['10.0.0.1'], reason: 'loadBalancerIPChanged' }],
      },
    },
    {
      rule: 'Q16/S1 notLoadBalancer: changing the type withdraws and deletes the series',
      steps: [{}, { services: [service({ type: 'NodePort' })] }],
      want: {
        events: [],
        series: [],
        staleSeries: [series('10.0.0.1')],
        withdrawals: [{ service: 'default/web', ips: ['10.0.0.1'], reason: 'notLoadBalancer' }],
      },
    },
    {
      rule: 'L13/EV12: announceFailed once, no series (Q10), and not again on a repeat',
      steps: [missingInterface, missingInterface],
      want: { events: [], series: [], staleSeries: [], withdrawals: [] },
    },
  ])('$rule', ({ steps, want }) => {
    const result = run(...steps);
    expect({
      events: result.events,
      series: result.series,
      staleSeries: result.staleSeries,
      withdrawals: result.withdrawals,
    }).toEqual(want);
  });

  it('L13/EV12: the first reconcile with a missing interface emits announceFailed with MetalLB text', () => {
    const result = run(missingInterface);
    expect(result.events).toEqual([
      {
        namespace: 'default',
        name: 'web',
        uid: 'uid-web',
        type: 'Warning',
        reason: 'announceFailed',
        message:
          'the interfaces specified by LB IP "10.0.0.1" doesn\'t exist in assigned node "node-b" with protocol "layer2"',
      },
    ]);
    expect(result.announcements.size).toBe(0);
    expect(result.statuses).toEqual([]);
  });
});

describe('reconcile: the data plane table and ServiceL2Status', () => {
  const shared = (name: string) => service({ key: `default/${name}`, name, uid: `uid-${name}` });
  const endpointsFor = (...names: string[]) =>
    new Map(names.map((name) => [`default/${name}`, nodes.map((node) => ({ nodeName: node.name }))]));

  it.each([
    {
      rule: 'L14: a shared IP is one entry; "all interfaces" wins over a list',
      given: {
        services: [shared('web'), service({ key: 'default/api', name: 'api', labels: { app: 'api' } })],
        endpoints: endpointsFor('web', 'api'),
        config: configOf(
          [poolObject('alpha', ['10.0.0.0/24'])],
          [
            advertisementObject('web', {
              interfaces: ['eth0'],
              serviceSelectors: [{ matchLabels: { app: 'web' } }],
            }),
            advertisementObject('api', { serviceSelectors: [{ matchLabels: { app: 'api' } }] }),
          ],
        ),
      },
      want: [['10.0.0.1', {}]],
    },
    {
      rule: 'L13/L14: listed interfaces reach the data plane as a sorted union',
      given: {
        services: [shared('web'), service({ key: 'default/api', name: 'api', labels: { app: 'api' } })],
        endpoints: endpointsFor('web', 'api'),
        config: configOf(
          [poolObject('alpha', ['10.0.0.0/24'])],
          [
            advertisementObject('web', {
              interfaces: ['eth1'],
              serviceSelectors: [{ matchLabels: { app: 'web' } }],
            }),
            advertisementObject('api', {
              interfaces: ['eth0'],
              serviceSelectors: [{ matchLabels: { app: 'api' } }],
            }),
          ],
        ),
      },
      want: [['10.0.0.1', { interfaces: ['eth0', 'eth1'] }]],
    },
    {
      rule: 'E9: both IPs of a dual-stack Service reach the data plane',
      given: { services: [service({ ingressIPs: ['10.0.0.1', '2001:db8:1::10'] })] },
      want: [
        ['10.0.0.1', {}],
        ['2001:db8:1::10', {}],
      ],
    },
  ])('$rule', ({ given, want }) => {
    expect([...reconcile(inputs(given), EMPTY_SPEAKER_STATE).announcements]).toEqual(want);
  });

  it.each([
    { rule: 'R4: the owner holds one status; interfaces empty when all are used', given: {}, want: [[]] },
    {
      rule: 'R4: listed interfaces are recorded by name',
      given: {
        config: configOf(
          [poolObject('alpha', ['10.0.0.0/24'])],
          [advertisementObject('one', { interfaces: ['eth0'] })],
        ),
      },
      want: [['eth0']],
    },
    { rule: 'R4: a non-owner holds none', given: { nodeName: 'node-a' }, want: [] },
  ])('$rule', ({ given, want }) => {
    const statuses = reconcile(inputs(given), EMPTY_SPEAKER_STATE).statuses;
    expect(statuses.map((status) => status.interfaces)).toEqual(want);
    for (const status of statuses) {
      expect(status).toMatchObject({
        serviceNamespace: 'default',
        serviceName: 'web',
        node: inputs(given).nodeName,
      });
    }
  });
});

describe('reconcile: failovers (ferrolb_failover_events_total)', () => {
  // For 10.0.0.1 the hash order is [node-b, node-a, node-c]: node-a owns it once node-b leaves gossip.
  const onNodeA = (change: Partial<SpeakerInputs> = {}) => ({ nodeName: 'node-a', ...change });
  const withoutNodeB = onNodeA({ liveMembers: ['node-a', 'node-c'] });
  const takeover = (ip: string, services = ['default/web']) => ({ ip, services, previousOwner: 'node-b' });
  const shared = (name: string) => service({ key: `default/${name}`, name, uid: `uid-${name}` });
  const everyNode = nodes.map((node) => ({ nodeName: node.name, ready: true }));

  it.each([
    {
      rule: 'metrics: taking over from another node is a failover (the owner the election named before)',
      steps: [onNodeA(), withoutNodeB],
      want: [takeover('10.0.0.1')],
    },
    { rule: 'metrics: the first announcement after start is not a failover', steps: [{}], want: [] },
    {
      rule: 'metrics: announcing on, reconcile after reconcile, is not a failover',
      steps: [{}, {}],
      want: [],
    },
    {
      rule: 'metrics: an IP nobody owned before is not a failover (no serving endpoints, E1)',
      steps: [noEndpoints, {}],
      want: [],
    },
    {
      rule: 'metrics: taking the IP back after it moved away is a failover again',
      steps: [withoutNodeB, onNodeA(), withoutNodeB],
      want: [takeover('10.0.0.1')],
    },
    {
      rule: 'metrics: E9, each IP of a dual-stack Service taken over counts once',
      steps: [onNodeA(), withoutNodeB].map((step) => ({
        ...step,
        services: [service({ ingressIPs: ['10.0.0.1', '2001:db8:1::10'] })],
      })),
      want: [takeover('10.0.0.1'), takeover('2001:db8:1::10')],
    },
    {
      rule: 'metrics: L14, a shared IP taken over counts once and names every Service',
      steps: [onNodeA(), withoutNodeB].map((step) => ({
        ...step,
        services: [shared('web'), shared('api')],
        endpoints: new Map([
          ['default/web', everyNode],
          ['default/api', everyNode],
        ]),
      })),
      want: [takeover('10.0.0.1', ['default/web', 'default/api'])],
    },
    {
      rule: 'metrics: L13, an IP elected here but on a missing interface is not announced, so not taken over',
      steps: [onNodeA(missingInterface), onNodeA({ ...missingInterface, liveMembers: ['node-a', 'node-c'] })],
      want: [],
    },
  ])('$rule', ({ steps, want }) => {
    expect(run(...steps).failovers).toEqual(want);
  });
});
