// MetalLB TestControllerMutation (T2) as tables: one reconcile of one Service against pools, with
// the exact Events (EV1–EV10), sync results (C10) and ferrolb's fixes (Q1, Q3, AllocationChanged).
import { describe, expect, it } from 'vitest';
import type { Pool, ServiceSpec } from '../../../src/config/index.js';
import { converge, forgetService } from '../../../src/controller/index.js';
import { allocatorFor, makePool, makeService, POOLS, type ServiceShape } from './fixtures.js';

const dualIPs = { clusterIPs: ['10.96.0.1', 'fd00::1'] };
const pinned = (name: string, priority: number, cidr: string, allocation: Record<string, unknown>) =>
  makePool(name, { addresses: [cidr], serviceAllocation: { priority, ...allocation } });

interface Row {
  readonly rule: string;
  readonly service: ServiceShape;
  readonly pools?: readonly Pool[];
  /** Services reconciled first, on the same allocator. */
  readonly before?: readonly ServiceShape[];
  readonly ingress: readonly string[];
  readonly pool?: string;
  readonly sync?: string;
  readonly events: readonly string[];
}

const rows: Row[] = [
  {
    rule: 'A15: simple LoadBalancer',
    service: {},
    ingress: ['1.2.3.0'],
    pool: 'pool1',
    events: ['Normal IPAllocated Assigned IP ["1.2.3.0"]'],
  },
  {
    rule: 'A13: request specific IP via spec',
    service: { loadBalancerIP: '1.2.3.1' },
    ingress: ['1.2.3.1'],
    pool: 'pool1',
    events: ['Normal IPAllocated Assigned IP ["1.2.3.1"]'],
  },
  {
    rule: 'A13: request specific IP via annotation',
    service: { annotations: { 'metallb.io/loadBalancerIPs': '1.2.3.1' } },
    ingress: ['1.2.3.1'],
    pool: 'pool1',
    events: ['Normal IPAllocated Assigned IP ["1.2.3.1"]'],
  },
  {
    rule: 'N2: both spec and annotation is an error',
    service: { loadBalancerIP: '1.2.3.1', annotations: { 'metallb.io/loadBalancerIPs': '1.2.3.1' } },
    ingress: [],
    sync: 'errorNoRetry',
    events: [
      'Warning AllocationFailed Failed to allocate IP for "default/web": service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
    ],
  },
  {
    rule: 'N3: invalid annotation IP',
    service: { annotations: { 'metallb.io/loadBalancerIPs': 'banana' } },
    ingress: [],
    sync: 'errorNoRetry',
    events: [
      'Warning AllocationFailed Failed to allocate IP for "default/web": invalid metallb.io/loadBalancerIPs: "banana"',
    ],
  },
  {
    rule: 'N3: two IPs of one family',
    service: { annotations: { 'metallb.io/loadBalancerIPs': '1.2.3.0,1.2.3.1' } },
    ingress: [],
    sync: 'errorNoRetry',
    events: [
      'Warning AllocationFailed Failed to allocate IP for "default/web": IPFamilyForAddresses: same address family ["1.2.3.0" "1.2.3.1"]',
    ],
  },
  {
    rule: 'A21: request infeasible IP',
    service: { loadBalancerIP: '9.9.9.9' },
    ingress: [],
    sync: 'errorNoRetry',
    events: [
      'Warning AllocationFailed Failed to allocate IP for "default/web": ["9.9.9.9"] is not allowed in config',
    ],
  },
  {
    rule: 'A13: a dual-stack Service requesting one IP fails',
    service: { ...dualIPs, policy: 'RequireDualStack', loadBalancerIP: '1.2.3.1' },
    ingress: [],
    sync: 'errorNoRetry',
    events: [
      'Warning AllocationFailed Failed to allocate IP for "default/web": requested loadBalancer IP(s) ["1.2.3.1"] does not match the ipFamily of the service',
    ],
  },
  {
    rule: 'A13: requested IP and a different address-pool',
    service: { loadBalancerIP: '1.2.3.1', annotations: { 'metallb.io/address-pool': 'pool2' } },
    ingress: [],
    sync: 'errorNoRetry',
    events: [
      'Warning AllocationFailed Failed to allocate IP for "default/web": requested loadBalancer IP(s) ["1.2.3.1"] is not compatible with requested address pool pool2',
    ],
  },
  {
    rule: 'A14: request IP from a pool',
    service: { annotations: { 'metallb.io/address-pool': 'pool2' } },
    ingress: ['3.4.5.6'],
    pool: 'pool2',
    events: ['Normal IPAllocated Assigned IP ["3.4.5.6"]'],
  },
  {
    rule: 'N1: the deprecated address-pool key is honoured and warned about',
    service: { annotations: { 'metallb.universe.tf/address-pool': 'pool2' } },
    ingress: ['3.4.5.6'],
    pool: 'pool2',
    events: [
      'Normal IPAllocated Assigned IP ["3.4.5.6"]',
      'Warning deprecatedAnnotation Service uses deprecated annotation metallb.universe.tf/address-pool',
    ],
  },
  {
    rule: 'A14: request IP from an unknown pool',
    service: { annotations: { 'metallb.io/address-pool': 'nope' } },
    ingress: [],
    sync: 'errorNoRetry',
    events: ['Warning AllocationFailed Failed to allocate IP for "default/web": unknown pool "nope"'],
  },
  {
    rule: 'A39: switching the address-pool moves the Service',
    service: { ingress: ['1.2.3.0'], annotations: { 'metallb.io/address-pool': 'pool2' } },
    ingress: ['3.4.5.6'],
    pool: 'pool2',
    events: [
      'Normal IPAllocated Assigned IP ["3.4.5.6"]',
      'Normal AllocationChanged Changed IP from ["1.2.3.0"] to ["3.4.5.6"]: pool pool2 was requested',
    ],
  },
  {
    rule: 'A39: removing the address-pool annotation keeps the IP',
    service: { ingress: ['3.4.5.6'] },
    ingress: ['3.4.5.6'],
    pool: 'pool2',
    events: [],
  },
  {
    rule: 'A40: changing the requested IP moves the Service',
    service: { ingress: ['1.2.3.0'], loadBalancerIP: '1.2.3.1' },
    ingress: ['1.2.3.1'],
    pool: 'pool1',
    events: [
      'Normal IPAllocated Assigned IP ["1.2.3.1"]',
      'Normal AllocationChanged Changed IP from ["1.2.3.0"] to ["1.2.3.1"]: different IPs were requested',
    ],
  },
  {
    rule: 'A7a: an ingress IP outside every pool is cleared and reallocated',
    service: { ingress: ['9.9.9.9'] },
    ingress: ['1.2.3.0'],
    pool: 'pool1',
    events: [
      'Normal ClearAssignment current IP for "default/web" not allowed by config, will attempt for new IP assignment: ["9.9.9.9"] is not allowed in config',
      'Normal IPAllocated Assigned IP ["1.2.3.0"]',
    ],
  },
  {
    rule: 'A6: invalid ingress text is cleared and reallocated',
    service: { ingress: ['banana'] },
    ingress: ['1.2.3.0'],
    pool: 'pool1',
    events: [
      'Warning nolbIPsIPFamily Failed to retrieve LBIPs IPFamily for ["banana"]: IPFamilyForAddresses: Invalid address ["banana"]',
      'Normal IPAllocated Assigned IP ["1.2.3.0"]',
      'Normal AllocationChanged Changed IP from ["banana"] to ["1.2.3.0"]: its IP family no longer matches the Service',
    ],
  },
  {
    rule: 'A6: wrong family ingress is reallocated',
    service: { ingress: ['1000::1'] },
    ingress: ['1.2.3.0'],
    pool: 'pool1',
    events: [
      'Normal IPAllocated Assigned IP ["1.2.3.0"]',
      'Normal AllocationChanged Changed IP from ["1000::1"] to ["1.2.3.0"]: its IP family no longer matches the Service',
    ],
  },
  {
    rule: 'A41: LoadBalancer to NodePort clears the IP',
    service: { type: 'NodePort', ingress: ['1.2.3.0'] },
    ingress: [],
    sync: 'success',
    events: ['Normal AllocationChanged Released IP ["1.2.3.0"]: the Service is not of type LoadBalancer'],
  },
  {
    rule: 'A1: a freed IP still in a pool triggers ReprocessAll',
    before: [{ ingress: ['1.2.3.0'] }],
    service: { type: 'ClusterIP', ingress: ['1.2.3.0'] },
    ingress: [],
    sync: 'reprocessAll',
    events: ['Normal AllocationChanged Released IP ["1.2.3.0"]: the Service is not of type LoadBalancer'],
  },
  {
    rule: 'A2: no pools clears every Service',
    pools: [],
    service: { ingress: ['1.2.3.0'] },
    ingress: [],
    sync: 'errorNoRetry',
    events: ['Normal AllocationChanged Released IP ["1.2.3.0"]: no address pool is configured'],
  },
  {
    rule: 'A3: no cluster IP clears and errors',
    service: { clusterIPs: [] },
    ingress: [],
    sync: 'error',
    events: [],
  },
  {
    rule: 'A5: RequireDualStack with one cluster IP',
    service: { policy: 'RequireDualStack' },
    ingress: [],
    sync: 'error',
    events: [
      'Warning not enough clusterips Service requires dual stack but not enough clusterips [10.96.0.1]',
    ],
  },
  {
    rule: 'A19: dual-stack RequireDualStack gets [IPv4, IPv6]',
    service: { ...dualIPs, policy: 'RequireDualStack' },
    ingress: ['1.2.3.0', '1000::'],
    pool: 'pool1',
    events: ['Normal IPAllocated Assigned IP ["1.2.3.0" "1000::"]'],
  },
  {
    rule: 'A16: PreferDualStack with a single-family pool gets one IP',
    pools: [makePool('v4', { addresses: ['3.4.5.6/32'] })],
    service: { ...dualIPs, policy: 'PreferDualStack' },
    ingress: ['3.4.5.6'],
    pool: 'v4',
    events: ['Normal IPAllocated Assigned IP ["3.4.5.6"]'],
  },
  {
    rule: 'A8: PreferDualStack with one IP held tops up from the same pool',
    service: { ...dualIPs, policy: 'PreferDualStack', ingress: ['1.2.3.1'] },
    ingress: ['1.2.3.1', '1000::'],
    pool: 'pool1',
    events: ['Normal IPAllocated Assigned additional IP "1000::"'],
  },
  {
    rule: 'A8: a failed top-up keeps the held IP',
    pools: [makePool('v4', { addresses: ['3.4.5.6/32'] })],
    service: { ...dualIPs, policy: 'PreferDualStack', ingress: ['3.4.5.6'] },
    ingress: ['3.4.5.6'],
    pool: 'v4',
    events: [
      'Normal AdditionalAssignFailed cannot assign additional IP in PreferDualStack: no available IPs in pool v4 for ipv6 IPFamily',
    ],
  },
  {
    rule: 'Q3: PreferDualStack with one cluster IP never tops up',
    service: { policy: 'PreferDualStack', ingress: ['1.2.3.1'] },
    ingress: ['1.2.3.1'],
    pool: 'pool1',
    events: [],
  },
  {
    rule: 'Q1: held ingress order is never re-sorted',
    service: {
      ...dualIPs,
      policy: 'RequireDualStack',
      ingress: ['1000::1', '1.2.3.1'],
      annotations: { 'metallb.io/loadBalancerIPs': '1000::1,1.2.3.1' },
    },
    ingress: ['1000::1', '1.2.3.1'],
    pool: 'pool1',
    events: [],
  },
  {
    rule: 'A19: requested IPs keep the annotation order',
    service: {
      ...dualIPs,
      policy: 'RequireDualStack',
      annotations: { 'metallb.io/loadBalancerIPs': '1000::1, 1.2.3.1' },
    },
    ingress: ['1000::1', '1.2.3.1'],
    pool: 'pool1',
    events: ['Normal IPAllocated Assigned IP ["1000::1" "1.2.3.1"]'],
  },
  {
    rule: 'A7d: an invalid request stops without allocating',
    service: { ingress: ['1.2.3.0'], annotations: { 'metallb.io/loadBalancerIPs': 'banana' } },
    ingress: ['1.2.3.0'],
    pool: 'pool1',
    sync: 'error',
    events: [
      'Warning LoadBalancerFailed invalid requested loadbalancer IPs: invalid metallb.io/loadBalancerIPs: "banana"',
    ],
  },
  {
    rule: 'A15: autoAssign=false pool is used only when asked for',
    pools: [makePool('manual', { addresses: ['4000::/127'], autoAssign: false })],
    service: { clusterIPs: ['fd00::1'] },
    ingress: [],
    sync: 'errorNoRetry',
    events: ['Warning AllocationFailed Failed to allocate IP for "default/web": no available IPs'],
  },
  {
    rule: 'A15: pinned by namespace, priority 5 wins over 8, 9 and 10',
    pools: [
      pinned('pool10', 10, '10.10.0.0/31', { namespaces: ['team'] }),
      pinned('pool12', 5, '10.12.0.0/31', { namespaces: ['team'] }),
      pinned('pool8', 8, '10.8.0.0/31', { namespaces: ['team'] }),
      pinned('pool9', 9, '10.9.0.0/31', { namespaces: ['team'] }),
    ],
    service: { namespace: 'team' },
    ingress: ['10.12.0.0'],
    pool: 'pool12',
    events: ['Normal IPAllocated Assigned IP ["10.12.0.0"]'],
  },
  {
    rule: 'A22: pinned by labels: an unlabelled Service gets a generic pool',
    pools: [
      pinned('red', 1, '10.20.0.0/31', { serviceSelectors: [{ matchLabels: { team: 'red' } }] }),
      makePool('generic', { addresses: ['10.30.0.0/31'] }),
    ],
    service: { labels: { team: 'blue' } },
    ingress: ['10.30.0.0'],
    pool: 'generic',
    events: ['Normal IPAllocated Assigned IP ["10.30.0.0"]'],
  },
  {
    rule: 'A38: a label change that breaks compatibility reallocates',
    pools: [
      pinned('red', 1, '10.20.0.0/31', { serviceSelectors: [{ matchLabels: { team: 'red' } }] }),
      makePool('generic', { addresses: ['10.30.0.0/31'] }),
    ],
    service: { labels: { team: 'blue' }, ingress: ['10.20.0.0'] },
    ingress: ['10.30.0.0'],
    pool: 'generic',
    events: [
      'Normal ClearAssignment current IP for "default/web" not allowed by config, will attempt for new IP assignment: pool red not compatible for ip assignment',
      'Normal IPAllocated Assigned IP ["10.30.0.0"]',
    ],
  },
  {
    rule: 'A11: a changed sharing key triggers ReprocessAll',
    before: [{ ingress: ['1.2.3.0'] }],
    service: { ingress: ['1.2.3.0'], annotations: { 'metallb.io/allow-shared-ip': 'k' } },
    ingress: ['1.2.3.0'],
    pool: 'pool1',
    sync: 'reprocessAll',
    events: [],
  },
  {
    rule: 'A30: a sharer switched to Local with another selector loses the shared IP',
    before: [
      { name: 'a', ingress: ['1.2.3.0'], annotations: { 'metallb.io/allow-shared-ip': 'k' } },
      {
        name: 'b',
        ingress: ['1.2.3.0'],
        annotations: { 'metallb.io/allow-shared-ip': 'k' },
        ports: [{ port: 443 }],
      },
    ],
    service: {
      name: 'b',
      ingress: ['1.2.3.0'],
      annotations: { 'metallb.io/allow-shared-ip': 'k' },
      ports: [{ port: 443 }],
      local: { app: 'other' },
    },
    ingress: ['1.2.3.1'],
    pool: 'pool1',
    sync: 'reprocessAll',
    events: [
      `Normal ClearAssignment current IP for "default/b" not allowed by config, will attempt for new IP assignment: can't change sharing key for "default/b", address also in use by default/a`,
      'Normal IPAllocated Assigned IP ["1.2.3.1"]',
    ],
  },
];

function reconcile(pools: readonly Pool[], before: readonly ServiceShape[], service: ServiceSpec) {
  const allocator = allocatorFor(pools);
  for (const shape of before) converge(makeService(shape), allocator);
  return converge(service, allocator);
}

describe('converge (TestControllerMutation)', () => {
  it.each(rows)('$rule', ({ service, pools, before, ingress, pool, sync, events }) => {
    const decision = reconcile(pools ?? POOLS, before ?? [], makeService(service));
    expect({
      ingress: decision.ingress,
      pool: decision.pool,
      sync: decision.sync,
      events: decision.events.map((event) => `${event.type} ${event.reason} ${event.message}`),
    }).toEqual({ ingress, pool, sync: sync ?? 'success', events });
  });

  it('A11: nothing changed means nothing to write', () => {
    const decision = reconcile(
      POOLS,
      [],
      makeService({ ingress: ['1.2.3.0'], annotations: { 'metallb.io/ip-allocated-from-pool': 'pool1' } }),
    );
    expect(decision.changed).toBe(false);
  });

  it('A12: a deleted Service frees its IP and asks for a reprocess', () => {
    const allocator = allocatorFor();
    converge(makeService({ ingress: ['1.2.3.0'] }), allocator);
    expect([forgetService('default/web', allocator), forgetService('default/web', allocator)]).toEqual([
      'reprocessAll',
      'success',
    ]);
    expect(allocator.holdingOf('default/web')).toBeUndefined();
  });
});

describe('converge after a pool change (TestControllerReassign)', () => {
  const held = makeService({
    ingress: ['1.2.3.0'],
    annotations: { 'metallb.io/ip-allocated-from-pool': 'pool1' },
  });

  it.each([
    {
      rule: 'A35: a deleted pool reallocates the Service from another pool',
      next: [makePool('pool2', { addresses: ['3.4.5.6/32'] })],
      want: {
        ingress: ['3.4.5.6'],
        pool: 'pool2',
        sync: 'success',
        events: [
          'Normal ClearAssignment current IP for "default/web" not allowed by config, will attempt for new IP assignment: ["1.2.3.0"] is not allowed in config',
          'Normal IPAllocated Assigned IP ["3.4.5.6"]',
        ],
      },
    },
    {
      rule: 'A35: with nothing free the Service ends with no ingress and AllocationFailed',
      next: [makePool('full', { addresses: ['3.4.5.6/32'], autoAssign: false })],
      want: {
        ingress: [],
        pool: undefined,
        sync: 'errorNoRetry',
        events: [
          'Normal ClearAssignment current IP for "default/web" not allowed by config, will attempt for new IP assignment: ["1.2.3.0"] is not allowed in config',
          'Warning AllocationFailed Failed to allocate IP for "default/web": no available IPs',
        ],
      },
    },
    {
      rule: 'A34: a renamed pool keeps the IP and rewrites the pool annotation',
      next: [makePool('renamed', { addresses: ['1.2.3.0/31', '1000::/127'] })],
      want: { ingress: ['1.2.3.0'], pool: 'renamed', sync: 'success', events: [] },
    },
  ])('$rule', ({ next, want }) => {
    const allocator = allocatorFor();
    converge(held, allocator);
    allocator.setPools(next);
    const decision = converge(held, allocator);
    expect({
      ingress: decision.ingress,
      pool: decision.pool,
      sync: decision.sync,
      events: decision.events.map((event) => `${event.type} ${event.reason} ${event.message}`),
    }).toEqual(want);
    expect(decision.changed).toBe(true);
  });
});
