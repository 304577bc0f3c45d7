// Contract review (issue 2): `ferrolb plan --json` against MetalLB's allocation rules, one row per
// Service of each fixture in test/fixtures/contract/. Expected values come from MetalLB's code
// (controller/service.go, internal/allocator/*.go) and reference/metallb-behaviour.md, not from
// ferrolb's output.
import { describe, expect, it } from 'vitest';
import { got, type Planned, planFixture, refused } from './plan-run.js';

type Row = readonly [rule: string, file: string, service: string, expected: Planned];

const rows: Row[] = [
  [
    'A15, A31: autoAssign=false pools (p16 sorts first) are skipped; avoidBuggyIPs skips x.0 of a /24',
    'allocation.yaml',
    'default/a',
    got('p24', '10.0.0.1'),
  ],
  [
    'A14, A31: address-pool bypasses autoAssign; /16 with avoidBuggyIPs starts at .1',
    'allocation.yaml',
    'default/b16',
    got('p16', '10.1.0.1'),
  ],
  [
    'A31, T1 TestBuggyIPs: 1.2.4.0/31 with avoidBuggyIPs leaves only .1',
    'allocation.yaml',
    'default/b31',
    got('p31', '10.2.4.1'),
  ],
  [
    'A31, allocation.go: the /31 is then exhausted',
    'allocation.yaml',
    'default/b31b',
    refused('no available IPs in pool p31 for ipv4 IPFamily'),
  ],
  [
    'V3, A17: a range "a - b" with spaces around "-" starts at a',
    'allocation.yaml',
    'default/r',
    got('range', '10.3.0.5'),
  ],
  [
    'A32, A21: an excluded x.y.z.255 of a /16 is not in the pool',
    'allocation.yaml',
    'default/bug16',
    refused('["10.1.3.255"] is not allowed in config'),
  ],
  [
    'A18, N6: IPv6 pool, family from spec.ipFamilies, network address first',
    'allocation.yaml',
    'default/six',
    got('v6', '2001:db8::'),
  ],
  [
    'A21: an IP in no pool, Go %q of the IP slice',
    'allocation.yaml',
    'default/notin',
    refused('["1.2.3.4"] is not allowed in config'),
  ],
  [
    'A15: PreferDualStack with one clusterIP gets one IP (N6, Q3)',
    'dual-stack.yaml',
    'default/pref-1',
    got('dual', '10.0.0.2'),
  ],
  [
    'A16, A18, A19: RequireDualStack gets [IPv4, IPv6] from one pool, network addresses first',
    'dual-stack.yaml',
    'default/req-dual',
    got('dual', '10.0.0.0', '2001:db8::'),
  ],
  [
    'A5, EV6: RequireDualStack with one clusterIP is refused',
    'dual-stack.yaml',
    'default/req-dual-1cip',
    refused('Service requires dual stack but not enough clusterips [10.96.0.2]'),
  ],
  [
    'A19: PreferDualStack with two clusterIPs, ipFamilies [IPv6, IPv4], is still written [IPv4, IPv6]',
    'dual-stack.yaml',
    'default/pref-2',
    got('dual', '10.0.0.1', '2001:db8::1'),
  ],
  [
    'N6, DESIGN plan contract: no clusterIPs, family from spec.ipFamilies',
    'dual-stack.yaml',
    'default/fam6',
    got('dual', '2001:db8::2'),
  ],
  [
    'A19, DESIGN plan contract: RequireDualStack with ipFamilies [IPv6, IPv4] is written [IPv4, IPv6]',
    'dual-stack.yaml',
    'default/famdual',
    got('dual', '10.0.0.3', '2001:db8::3'),
  ],
  [
    'A16, DESIGN plan contract: RequireDualStack without clusterIPs or ipFamilies is dual',
    'dual-stack.yaml',
    'default/req-nofam',
    got('dual', '10.0.0.4', '2001:db8::4'),
  ],
  [
    'A16: RequireDualStack never falls back to one family',
    'dual-stack-split.yaml',
    'default/req-noinfo',
    refused('no available IPs'),
  ],
  [
    'A16, DESIGN plan contract: PreferDualStack without families is IPv4',
    'dual-stack-split.yaml',
    'default/pref-noinfo',
    got('v4', '10.0.0.0'),
  ],
  [
    'A16, N6: PreferDualStack falls back to the primary family, IPv6 when ipFamilies[0] is IPv6',
    'dual-stack-split.yaml',
    'default/pref-2-v6first',
    got('v6', '2001:db8::'),
  ],
  [
    'A16, N6: PreferDualStack falls back to IPv4 as primary',
    'dual-stack-split.yaml',
    'default/pref-2-v4first',
    got('v4', '10.0.0.1'),
  ],
  [
    'A16: RequireDualStack across two single-family pools is refused',
    'dual-stack-split.yaml',
    'default/req-split',
    refused('no available IPs'),
  ],
  [
    'N6, DESIGN plan contract: SingleStack takes only ipFamilies[0]',
    'dual-stack-split.yaml',
    'default/single-fam2',
    got('v6', '2001:db8::1'),
  ],
  [
    'A2: without pools every Service is refused',
    'no-pools.yaml',
    'default/nopools',
    refused('no available IPs'),
  ],
  [
    'A15, Q2: unpinned autoAssign pools are tried by name',
    'pinning.yaml',
    'default/plain',
    got('aa-generic', '10.0.1.0'),
  ],
  [
    'A15, V5: namespaceSelectors pool at priority 5 beats namespaces pool at 8',
    'pinning.yaml',
    'team/t1',
    got('nssel-pool', '10.0.3.0'),
  ],
  [
    'A15, A22: serviceSelectors pin a Service before generic pools',
    'pinning.yaml',
    'default/sp',
    got('svcsel-pool', '10.0.4.0'),
  ],
  ['A15, Q2: equal priorities are tied by name', 'pinning.yaml', 'default/tie', got('a-tie', '10.0.6.0')],
  [
    'A13, A22: a requested IP in a pool pinned to another namespace',
    'pinning.yaml',
    'default/wrongns',
    refused('pool ns-pool not compatible for ip assignment'),
  ],
  [
    'A14, A22: address-pool naming a pool pinned to another namespace',
    'pinning.yaml',
    'default/wrongns2',
    refused('pool ns-pool not compatible for ip assignment'),
  ],
  [
    'V6: a pool with only priority is pinned for every Service, before generic pools',
    'namespaces.yaml',
    'default/any',
    got('z-prio', '10.0.1.0'),
  ],
  [
    'seed, A21: a pool outside --namespace does not exist',
    'namespaces.yaml',
    'default/stray-req',
    refused('["10.0.9.1"] is not allowed in config'),
  ],
  [
    'A13: a requested IP bypasses autoAssign=false',
    'namespaces.yaml',
    'default/off-req',
    got('off', '10.0.2.1'),
  ],
  [
    'V8, DESIGN plan contract: of two overlapping pools the later by name loses',
    'invalid-pools.yaml',
    'default/web',
    got('alpha', '10.0.0.8'),
  ],
  [
    'V5: a namespaceSelector on kubernetes.io/metadata.name matches a namespace no document declares',
    'namespace-labels.yaml',
    'undeclared/a',
    got('by-name', '10.0.1.0'),
  ],
  [
    'V5: a declared Namespace also carries kubernetes.io/metadata.name',
    'namespace-labels.yaml',
    'declared/b',
    got('by-name-declared', '10.0.2.0'),
  ],
  [
    'V5, A15: a Service in neither namespace uses the generic pool',
    'namespace-labels.yaml',
    'default/c',
    got('generic', '10.0.0.0'),
  ],
  [
    'C8: a dual holder is restored before a single holder of the same IP',
    'restore-order.yaml',
    'default/dual-holder',
    got('renamed', '10.0.0.5', '2001:db8::5'),
  ],
  [
    'C8, A35: the single holder that lost is reallocated',
    'restore-order.yaml',
    'default/single-holder',
    got('renamed', '10.0.0.0'),
  ],
  [
    'A34: a held IP whose pool was renamed stays, under the new name',
    'restore-order.yaml',
    'default/moved-pool',
    got('renamed', '10.0.0.6'),
  ],
];

describe('plan --json allocation contract', () => {
  it.each(rows)('%s (%s %s)', async (_rule, file, service, expected) => {
    const run = await planFixture(file);
    expect(run.json?.services[service]).toEqual(expected);
  });
});
