// The seed guide's examples (DESIGN: the user-facing source of truth for IPPool behaviour) through
// `ferrolb plan --json`: every Service gets the address the guide promises, with no warning.
import { describe, expect, it } from 'vitest';
import { got, type Planned, planFixture } from './plan-run.js';

const rows: (readonly [rule: string, service: string, expected: Planned])[] = [
  [
    'seed "Specify IPPool": address-pool picks the pool',
    'default/metallb-ippool3',
    got('default', '172.16.13.200'),
  ],
  [
    'seed "Specify the IP address": loadBalancerIPs picks the IP',
    'default/metallb-ippool4',
    got('default', '172.16.13.210'),
  ],
  ['seed "Shared IP address": TCP/53 with the key', 'default/dns-service-tcp', got('dns', '1.2.3.4')],
  [
    'seed "Shared IP address": UDP/53 with the same key shares 1.2.3.4',
    'default/dns-service-udp',
    got('dns', '1.2.3.4'),
  ],
  [
    'seed "Cluster default IPPool": only autoAssign pools serve unannotated Services',
    'default/auto',
    got('default', '172.16.13.201'),
  ],
  [
    'seed "Shared IPPool": a requested IP of the shared pool',
    'default/on-shared-a',
    got('test-2048-pool', '10.6.202.95'),
  ],
  [
    'seed "Shared IPPool": shared without a key on another port',
    'default/on-shared-b',
    got('test-2048-pool', '10.6.202.95'),
  ],
];

describe("the seed guide's examples", () => {
  it.each(rows)('%s (%s)', async (_rule, service, expected) => {
    const run = await planFixture('seed.yaml');
    expect(run.json?.services[service]).toEqual(expected);
  });

  it("seed: the guide's manifests, server-set metadata included, raise no warning and exit 0", async () => {
    const run = await planFixture('seed.yaml');
    expect(run.json?.warnings).toEqual([]);
    expect(run.code).toBe(0);
  });
});
