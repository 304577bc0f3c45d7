// Contract review (issue 2): requested IPs, sharing, shared pools and restored ingress through
// `ferrolb plan --json`. Error strings are MetalLB's (controller/service.go, allocator.go,
// ipfamily.go), byte for byte.
import { describe, expect, it } from 'vitest';
import { got, type Planned, planFixture, refused } from './plan-run.js';

type Row = readonly [rule: string, file: string, service: string, expected: Planned];

const rows: Row[] = [
  [
    'A19, Q1: requested "v6, v4" keeps that order',
    'requests.yaml',
    'default/order',
    got('dual', '2001:db8::3', '10.0.0.3'),
  ],
  [
    'N2: both spec.loadBalancerIP and the annotation',
    'requests.yaml',
    'default/both',
    refused('service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP'),
  ],
  [
    'N3: three requested IPs',
    'requests.yaml',
    'default/three',
    refused('IPFamilyForAddresses: invalid ips length 3 ["10.0.0.5" "2001:db8::5" "10.0.0.6"]'),
  ],
  [
    'N3: two IPs of one family',
    'requests.yaml',
    'default/samefam',
    refused('IPFamilyForAddresses: same address family ["10.0.0.5" "10.0.0.6"]'),
  ],
  [
    'N3: two IPs of one family on a dual Service',
    'requests.yaml',
    'default/samefam2',
    refused('IPFamilyForAddresses: same address family ["10.0.0.5" "10.0.0.6"]'),
  ],
  [
    'A13: a requested IP from another pool than address-pool',
    'requests.yaml',
    'default/poolmismatch',
    refused('requested loadBalancer IP(s) ["10.9.0.1"] is not compatible with requested address pool dual'),
  ],
  [
    'N3: an annotation item that is not an IP',
    'requests.yaml',
    'default/badip',
    refused('invalid metallb.io/loadBalancerIPs: "10.0.0.x"'),
  ],
  [
    'N2: spec.loadBalancerIP that is not an IP',
    'requests.yaml',
    'default/badspec',
    refused('invalid spec.loadBalancerIP "nope"'),
  ],
  [
    'A13: requested family differs from the clusterIP family',
    'requests.yaml',
    'default/famreq',
    refused('requested loadBalancer IP(s) ["2001:db8::7"] does not match the ipFamily of the service'),
  ],
  [
    'A13: a dual-stack Service requesting one IP',
    'requests.yaml',
    'default/dual1req',
    refused('requested loadBalancer IP(s) ["10.0.0.8"] does not match the ipFamily of the service'),
  ],
  [
    'N1: the deprecated metallb.universe.tf/loadBalancerIPs is honoured',
    'requests.yaml',
    'default/oldann',
    got('dual', '10.0.0.9'),
  ],
  [
    'N1: an empty metallb.io/address-pool wins over the deprecated key and means unset',
    'requests.yaml',
    'default/emptynew',
    got('dual', '10.0.0.0'),
  ],
  [
    'N3, A19: items are trimmed and IPv6 is written canonically',
    'addresses.yaml',
    'default/canon',
    got('p', '2001:db8::5'),
  ],
  [
    'N3: an empty item after a comma is invalid',
    'addresses.yaml',
    'default/trailing',
    refused('invalid metallb.io/loadBalancerIPs: "10.0.0.1,"'),
  ],
  ['N2: spec.loadBalancerIP may be IPv6', 'addresses.yaml', 'default/spec6', got('p', '2001:db8::9')],
  [
    'N3: an IPv4-mapped IPv6 address is IPv4 (Go net.ParseIP)',
    'addresses.yaml',
    'default/mapped',
    got('p', '10.0.0.3'),
  ],
  [
    'N2: leading zeros are refused (Go net.ParseIP)',
    'addresses.yaml',
    'default/leadingzero',
    refused('invalid spec.loadBalancerIP "10.0.0.04"'),
  ],
  [
    'N1: an empty annotation counts as unset beside spec.loadBalancerIP',
    'addresses.yaml',
    'default/emptyip',
    got('p', '10.0.0.6'),
  ],
  ['A26: TCP/53 and UDP/53 share with one key', 'sharing.yaml', 'default/u', got('gen', '10.0.0.4')],
  [
    'A29, A28: same key, same port',
    'sharing.yaml',
    'default/clash',
    refused('port TCP/53 is already in use on "10.0.0.4"'),
  ],
  [
    'A28: a different key, other users present',
    'sharing.yaml',
    'default/diffkey',
    refused('can\'t change sharing key for "default/diffkey", address also in use by default/t,default/u'),
  ],
  [
    'A28: no key, other users present',
    'sharing.yaml',
    'default/nokey',
    refused('can\'t change sharing key for "default/nokey", address also in use by default/t,default/u'),
  ],
  [
    'A18: auto with a key takes the lowest usable IP',
    'sharing.yaml',
    'default/auto-k1',
    got('gen', '10.0.0.0'),
  ],
  ['A18: auto with the same key packs onto it', 'sharing.yaml', 'default/auto-k1b', got('gen', '10.0.0.0')],
  [
    'A26, A27: Local policy with another selector',
    'sharing.yaml',
    'default/local2',
    refused('can\'t change sharing key for "default/local2", address also in use by default/local1'),
  ],
  [
    'A26, A27: Local policy with the same selector shares',
    'sharing.yaml',
    'default/local3',
    got('gen', '10.0.0.6'),
  ],
  [
    'A26: Cluster policy beside Local users',
    'sharing.yaml',
    'default/cluster3',
    refused(
      'can\'t change sharing key for "default/cluster3", address also in use by default/local1,default/local3',
    ),
  ],
  [
    'DESIGN shared pools: Local with another selector is refused',
    'shared-pool.yaml',
    'default/l2',
    refused('can\'t change sharing key for "default/l2", address also in use by default/l1'),
  ],
  [
    'DESIGN shared pools: Local with the same selector shares without a key',
    'shared-pool.yaml',
    'default/l3',
    got('shared', '10.0.0.1'),
  ],
  [
    'DESIGN shared pools: auto prefers an unused address',
    'shared-pool.yaml',
    'default/a1',
    got('shared', '10.0.0.2'),
  ],
  [
    'DESIGN shared pools: auto packs when none is free',
    'shared-pool.yaml',
    'default/a2',
    got('shared', '10.0.0.2'),
  ],
  [
    'DESIGN shared pools: a port clash on every address is refused',
    'shared-pool.yaml',
    'default/a3',
    refused('no available IPs'),
  ],
  ['C8: a holder keeps its ingress', 'restore.yaml', 'default/holder', got('p', '10.0.0.0')],
  [
    'C8: an earlier Service without ingress does not take it',
    'restore.yaml',
    'default/first',
    got('p', '10.0.0.1'),
  ],
  [
    'C8, A27: a later Service requesting it is refused',
    'restore.yaml',
    'default/thief',
    refused('can\'t change sharing key for "default/thief", address also in use by default/holder'),
  ],
  [
    'A7a, A35: ingress outside every pool is reallocated',
    'restore.yaml',
    'default/outside',
    got('p', '10.0.0.2'),
  ],
  ['A4: hostname-only ingress is no IP', 'restore.yaml', 'default/hostname', got('p', '10.0.0.3')],
  [
    'A40: a changed request moves the Service',
    'restore-changes.yaml',
    'default/moved-req',
    got('p', '10.0.0.5'),
  ],
  [
    'A39: a changed address-pool moves the Service',
    'restore-changes.yaml',
    'default/moved-pool',
    got('q', '10.0.1.0'),
  ],
  [
    'A7a: a held IP of an autoAssign=false pool stays',
    'restore-changes.yaml',
    'default/kept-noauto',
    got('q', '10.0.1.7'),
  ],
  [
    'A6: a held IP of the wrong family is reallocated',
    'restore-changes.yaml',
    'default/wrongfam',
    got('p', '10.0.0.0'),
  ],
  [
    'Q1: held [IPv6, IPv4] is never re-sorted',
    'restore-changes.yaml',
    'default/dualrev',
    got('p', '2001:db8::8', '10.0.0.8'),
  ],
  [
    'A8: PreferDualStack with two clusterIPs is topped up from its pool',
    'restore-changes.yaml',
    'default/topup',
    got('p', '10.0.0.9', '2001:db8::'),
  ],
  [
    'Q3: PreferDualStack with one clusterIP is not topped up',
    'restore-changes.yaml',
    'default/notopup',
    got('p', '10.0.0.10'),
  ],
  [
    'C8: of two holders of one IP the first keeps it',
    'restore-changes.yaml',
    'default/dupholder',
    got('p', '10.0.0.1'),
  ],
  [
    'A6: an ingress that is not an IP is reallocated',
    'restore-changes.yaml',
    'default/buggyheld',
    got('p', '10.0.0.2'),
  ],
];

describe('plan --json requests, sharing and restore contract', () => {
  it.each(rows)('%s (%s %s)', async (_rule, file, service, expected) => {
    const run = await planFixture(file);
    expect(run.json?.services[service]).toEqual(expected);
  });
});
