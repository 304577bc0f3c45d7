import { describe, expect, it } from 'vitest';
import {
  buildStatusRows,
  formatStatusTable,
  type StatusEvent,
  type StatusOwner,
  type StatusService,
  toConfigurationRefusal,
  toStatusEvent,
  toStatusOwner,
  toStatusService,
} from '../../../src/status/index.js';

const service = (name: string, fields: Partial<StatusService> = {}): StatusService => ({
  namespace: 'default',
  name,
  ips: [],
  pool: undefined,
  loadBalancerClass: undefined,
  ...fields,
});
const owner = (name: string, node: string, interfaces: string[] = []): StatusOwner => ({
  serviceNamespace: 'default',
  serviceName: name,
  node,
  interfaces,
});
const warning = (
  name: string,
  reason: string,
  timeMs: number,
  component = 'metallb-controller',
): StatusEvent => ({
  namespace: 'default',
  name,
  reason,
  message: `${reason} message`,
  component,
  timeMs,
});

describe('buildStatusRows', () => {
  it.each([
    {
      rule: 'R4: an allocated and announced Service shows its IPs, pool, owner and interfaces',
      services: [service('web', { ips: ['203.0.113.10', '2001:db8:1::10'], pool: 'alpha' })],
      owners: [owner('web', 'node-b', ['eth1', 'eth0'])],
      events: [],
      want: {
        ips: '203.0.113.10,2001:db8:1::10',
        pool: 'alpha',
        node: 'node-b',
        interfaces: 'eth0,eth1',
        note: '',
      },
    },
    {
      rule: 'R4: a ServiceL2Status without interfaces means every interface',
      services: [service('web', { ips: ['203.0.113.10'], pool: 'alpha' })],
      owners: [owner('web', 'node-a')],
      events: [],
      want: { node: 'node-a', interfaces: '(all)', note: '' },
    },
    {
      rule: 'EV2: no IP shows the latest Warning Event, reason and message',
      services: [service('big')],
      owners: [],
      events: [warning('big', 'LoadBalancerFailed', 1), warning('big', 'AllocationFailed', 2)],
      want: {
        ips: '-',
        pool: '-',
        node: '-',
        interfaces: '-',
        note: 'no IP: AllocationFailed: AllocationFailed message',
      },
    },
    {
      rule: 'EV2: Events of another Service with the same name elsewhere are not shown',
      services: [service('big')],
      owners: [],
      events: [{ ...warning('big', 'AllocationFailed', 2), namespace: 'other' }],
      want: { note: 'no IP yet: no controller has acted on it (is the controller running?)' },
    },
    {
      rule: 'C11: a foreign loadBalancerClass without an event is explained',
      services: [service('classy', { loadBalancerClass: 'example.com/other' })],
      owners: [],
      events: [],
      want: {
        note: 'no IP: loadBalancerClass example.com/other (only a controller started with --lb-class example.com/other handles it)',
      },
    },
    {
      rule: 'EV12: an IP nobody announces shows the speaker warning',
      services: [service('web', { ips: ['203.0.113.10'], pool: 'alpha' })],
      owners: [],
      events: [warning('web', 'announceFailed', 5, 'metallb-speaker')],
      want: { node: '-', note: 'not announced: announceFailed: announceFailed message' },
    },
    {
      rule: 'EV2: an old controller warning does not explain a missing owner once the Service has an IP',
      services: [service('web', { ips: ['203.0.113.10'], pool: 'alpha' })],
      owners: [],
      events: [warning('web', 'AllocationFailed', 5)],
      want: { note: 'not announced by any node' },
    },
    {
      rule: 'R4: two ServiceL2Status objects for one Service (owner changing) are both shown',
      services: [service('web', { ips: ['203.0.113.10'], pool: 'alpha' })],
      owners: [owner('web', 'node-b'), owner('web', 'node-a', ['eth0'])],
      events: [],
      want: {
        node: 'node-a,node-b',
        interfaces: 'eth0',
        note: 'announced by more than one node (changing owner?)',
      },
    },
  ])('$rule', ({ services, owners, events, want }) => {
    const [row] = buildStatusRows({ services, owners, events });
    expect(row).toMatchObject(want);
  });

  it('status: rows are sorted by namespace, then name, whatever the input order', () => {
    const services = [
      service('b'),
      { ...service('a'), namespace: 'zeta' },
      service('a'),
      { ...service('c'), namespace: 'alpha' },
    ];
    expect(buildStatusRows({ services, owners: [], events: [] }).map((row) => row.service)).toEqual([
      'alpha/c',
      'default/a',
      'default/b',
      'zeta/a',
    ]);
  });
});

describe('formatStatusTable', () => {
  it('status: columns are aligned under a header, two spaces apart, last column unpadded', () => {
    const rows = buildStatusRows({
      services: [
        service('web', { ips: ['203.0.113.10'], pool: 'alpha' }),
        service('database-primary', { ips: ['203.0.113.11'], pool: 'alpha' }),
        service('big'),
      ],
      owners: [owner('web', 'node-a', ['eth0']), owner('database-primary', 'node-b')],
      events: [warning('big', 'AllocationFailed', 1)],
    });
    expect(formatStatusTable(rows)).toBe(
      [
        'SERVICE                   IPS           POOL   NODE    INTERFACES  NOTE',
        'default/big               -             -      -       -           no IP: AllocationFailed: AllocationFailed message',
        'default/database-primary  203.0.113.11  alpha  node-b  (all)',
        'default/web               203.0.113.10  alpha  node-a  eth0',
        '',
      ].join('\n'),
    );
  });

  it('status: an empty cluster says so instead of printing a bare header', () => {
    expect(formatStatusTable([])).toBe('No Services of type LoadBalancer found.\n');
  });
});

describe('conversions from API objects', () => {
  it.each([
    {
      rule: 'A11: ingress IPs in order, pool from metallb.io/ip-allocated-from-pool',
      object: {
        metadata: {
          namespace: 'ns',
          name: 'web',
          annotations: { 'metallb.io/ip-allocated-from-pool': 'alpha' },
        },
        spec: { type: 'LoadBalancer' },
        status: {
          loadBalancer: { ingress: [{ ip: '2001:db8:1::5' }, { hostname: 'x' }, { ip: '203.0.113.5' }] },
        },
      },
      want: { namespace: 'ns', name: 'web', ips: ['2001:db8:1::5', '203.0.113.5'], pool: 'alpha' },
    },
    {
      rule: 'C2: a ClusterIP Service is not listed',
      object: { metadata: { namespace: 'ns', name: 'internal' }, spec: { type: 'ClusterIP' } },
      want: undefined,
    },
    {
      rule: 'C11: the loadBalancerClass is kept',
      object: {
        metadata: { namespace: 'ns', name: 'c' },
        spec: { type: 'LoadBalancer', loadBalancerClass: 'x/y' },
      },
      want: { ips: [], pool: undefined, loadBalancerClass: 'x/y' },
    },
  ])('$rule', ({ object, want }) => {
    const converted = toStatusService(object);
    if (want === undefined) expect(converted).toBeUndefined();
    else expect(converted).toMatchObject(want);
  });

  it.each([
    {
      rule: 'R4: node, service and interface names are read from status',
      object: {
        status: {
          node: 'n1',
          serviceName: 'web',
          serviceNamespace: 'ns',
          interfaces: [{ name: 'eth0' }, {}],
        },
      },
      want: { node: 'n1', serviceName: 'web', serviceNamespace: 'ns', interfaces: ['eth0'] },
    },
    {
      rule: 'R4: a status without a node is not an owner yet',
      object: { status: { serviceName: 'web' } },
      want: undefined,
    },
  ])('$rule', ({ object, want }) => {
    expect(toStatusOwner(object)).toEqual(want);
  });

  it.each([
    {
      rule: 'EV2: lastTimestamp is preferred, source.component kept',
      object: {
        type: 'Warning',
        reason: 'AllocationFailed',
        message: 'Failed to allocate IP for "ns/big": no available IPs',
        involvedObject: { kind: 'Service', namespace: 'ns', name: 'big' },
        source: { component: 'metallb-controller' },
        lastTimestamp: new Date(5000),
        eventTime: '1970-01-01T00:00:01.000000Z',
      },
      want: {
        namespace: 'ns',
        name: 'big',
        reason: 'AllocationFailed',
        component: 'metallb-controller',
        timeMs: 5000,
      },
    },
    {
      rule: 'EV2: events.k8s.io-style Events carry only eventTime and reportingComponent',
      object: {
        type: 'Warning',
        reason: 'announceFailed',
        involvedObject: { kind: 'Service', namespace: 'ns', name: 'web' },
        reportingComponent: 'metallb-speaker',
        eventTime: '1970-01-01T00:00:02.000000Z',
      },
      want: { component: 'metallb-speaker', timeMs: 2000, message: '' },
    },
    {
      rule: 'EV1: Normal Events are not reasons for a missing IP',
      object: { type: 'Normal', reason: 'IPAllocated', involvedObject: { kind: 'Service', name: 'web' } },
      want: undefined,
    },
    {
      rule: 'EV2: Warnings about other kinds are not shown',
      object: { type: 'Warning', reason: 'BackOff', involvedObject: { kind: 'Pod', name: 'web' } },
      want: undefined,
    },
  ])('$rule', ({ object, want }) => {
    const converted = toStatusEvent(object);
    if (want === undefined) expect(converted).toBeUndefined();
    else expect(converted).toMatchObject(want);
  });
});

describe('toConfigurationRefusal (R6)', () => {
  it('R6: only an Invalid ConfigurationState is a refusal, with its error summary', () => {
    expect(
      toConfigurationRefusal({
        metadata: { name: 'speaker-node-a' },
        status: { result: 'Invalid', errorSummary: 'configReconcilerValid: IPAddressPool x: bad' },
      }),
    ).toEqual({ name: 'speaker-node-a', summary: 'configReconcilerValid: IPAddressPool x: bad' });
    expect(
      toConfigurationRefusal({ metadata: { name: 'controller' }, status: { result: 'Valid' } }),
    ).toBeUndefined();
    expect(toConfigurationRefusal({ metadata: { name: 'controller' } })).toBeUndefined();
  });
});
