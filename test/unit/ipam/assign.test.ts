// MetalLB TestAssignment (T1): Assign's validity and sharing rules, for IPv4 and again for IPv6.
import { describe, expect, it } from 'vitest';
import { makePool } from './fixtures.js';
import { runScenario, type Step, shapeOf, type Want } from './steps.js';

const pools = [
  makePool('test', { addresses: ['1.2.3.4/31', '1000::4/127'] }),
  makePool('test2', { addresses: ['1.2.4.0/24', '1000::4:0/120'], avoidBuggyIPs: true }),
  makePool('pinned-ns', {
    addresses: ['1.2.5.0/24', '1000::5:0/120'],
    serviceAllocation: { namespaces: ['ns1'] },
  }),
  makePool('pinned-labels', {
    addresses: ['1.2.6.0/24', '1000::6:0/120'],
    serviceAllocation: { serviceSelectors: [{ matchLabels: { team: 'red' } }] },
  }),
];

const shared = (key: string, port = 80) => ({ sharingKey: key, ports: [{ protocol: 'TCP', port }] });

interface Row {
  readonly rule: string;
  readonly steps: (ip: (family: 'v4' | 'v6', index: number) => string) => Step[];
  readonly want: (ip: (family: 'v4' | 'v6', index: number) => string) => Want;
}

// Addresses by family: index 0/1 in pool "test", 2/3 in "test2", 4 is "test2"'s buggy .0 (IPv6 has no buggy one).
const ADDRESSES = {
  v4: ['1.2.3.4', '1.2.3.5', '1.2.4.3', '1.2.4.4', '1.2.4.0', '1.2.4.255', '1.2.5.3', '1.2.6.3'],
  v6: ['1000::4', '1000::5', '1000::4:3', '1000::4:4', '1000::4:0', '1000::4:ff', '1000::5:3', '1000::6:3'],
};

const rows: Row[] = [
  {
    rule: 'A21: assign s1',
    steps: (ip) => [{ assign: 's1', ips: [ip('v4', 0)] }],
    want: (ip) => [ip('v4', 0)],
  },
  {
    rule: 'A25: s1 idempotent reassign',
    steps: (ip) => [
      { assign: 's1', ips: [ip('v4', 0)] },
      { assign: 's1', ips: [ip('v4', 0)] },
    ],
    want: (ip) => [ip('v4', 0)],
  },
  {
    rule: "A27: s2 can't grab s1's IP",
    steps: (ip) => [
      { assign: 's1', ips: [ip('v4', 0)] },
      { assign: 's2', ips: [ip('v4', 0)] },
    ],
    want: () => ({
      code: 'sharingConflict',
      message: `can't change sharing key for "s2", address also in use by s1`,
    }),
  },
  {
    rule: 'A25: s2 regrabs the IP s1 freed',
    steps: (ip) => [
      { assign: 's1', ips: [ip('v4', 0)] },
      { unassign: 's1' },
      { assign: 's2', ips: [ip('v4', 0)] },
    ],
    want: (ip) => [ip('v4', 0)],
  },
  {
    rule: 'A21: an address outside every pool is not allowed',
    steps: () => [{ assign: 's1', ips: ['9.9.9.9'] }],
    want: () => ({ code: 'notAllowedInConfig', message: '["9.9.9.9"] is not allowed in config' }),
  },
  {
    rule: 'A26: s4 takes an IP, with sharing',
    steps: (ip) => [{ assign: 's4', ips: [ip('v4', 2)], with: shared('sharing') }],
    want: (ip) => [ip('v4', 2)],
  },
  {
    rule: 'A27: s4 changes its sharing key in place (only user)',
    steps: (ip) => [
      { assign: 's4', ips: [ip('v4', 2)], with: shared('sharing') },
      { assign: 's4', ips: [ip('v4', 2)], with: shared('other') },
    ],
    want: (ip) => [ip('v4', 2)],
  },
  {
    rule: 'A29: s3 cannot share with s4 (port conflict)',
    steps: (ip) => [
      { assign: 's4', ips: [ip('v4', 2)], with: shared('sharing') },
      { assign: 's3', ips: [ip('v4', 2)], with: shared('sharing') },
    ],
    want: (ip) => ({ code: 'portInUse', message: `port TCP/80 is already in use on "${ip('v4', 2)}"` }),
  },
  {
    rule: 'A28: s3 cannot share with s4 (wrong sharing key)',
    steps: (ip) => [
      { assign: 's4', ips: [ip('v4', 2)], with: shared('sharing') },
      { assign: 's3', ips: [ip('v4', 2)], with: shared('othersharing', 443) },
    ],
    want: () => ({
      code: 'sharingConflict',
      message: `can't change sharing key for "s3", address also in use by s4`,
    }),
  },
  {
    rule: 'A28: s3 cannot share with s4 (wrong backend key)',
    steps: (ip) => [
      { assign: 's4', ips: [ip('v4', 2)], with: { ...shared('sharing'), backendKey: 'app=a' } },
      { assign: 's3', ips: [ip('v4', 2)], with: { ...shared('sharing', 443), backendKey: 'app=b' } },
    ],
    want: () => ({
      code: 'sharingConflict',
      message: `can't change sharing key for "s3", address also in use by s4`,
    }),
  },
  {
    rule: 'A28: a Service without a key cannot join a shared address',
    steps: (ip) => [
      { assign: 's4', ips: [ip('v4', 2)], with: shared('sharing') },
      { assign: 's3', ips: [ip('v4', 2)], with: { ports: [{ protocol: 'TCP', port: 443 }] } },
    ],
    want: () => ({
      code: 'sharingConflict',
      message: `can't change sharing key for "s3", address also in use by s4`,
    }),
  },
  {
    rule: 'A26: s3 takes the same IP as s4 (same key, other port)',
    steps: (ip) => [
      { assign: 's4', ips: [ip('v4', 2)], with: shared('sharing') },
      { assign: 's3', ips: [ip('v4', 2)], with: shared('sharing', 443) },
    ],
    want: (ip) => [ip('v4', 2)],
  },
  {
    rule: 'A26: TCP/53 and UDP/53 share one address (protocol is part of identity)',
    steps: (ip) => [
      {
        assign: 'tcp',
        ips: [ip('v4', 2)],
        with: { sharingKey: 'dns', ports: [{ protocol: 'TCP', port: 53 }] },
      },
      {
        assign: 'udp',
        ips: [ip('v4', 2)],
        with: { sharingKey: 'dns', ports: [{ protocol: 'UDP', port: 53 }] },
      },
    ],
    want: (ip) => [ip('v4', 2)],
  },
  {
    rule: 'A29: s3 can change its ports while keeping the same IP',
    steps: (ip) => [
      { assign: 's4', ips: [ip('v4', 2)], with: shared('sharing') },
      { assign: 's3', ips: [ip('v4', 2)], with: shared('sharing', 443) },
      { assign: 's3', ips: [ip('v4', 2)], with: shared('sharing', 8443) },
    ],
    want: (ip) => [ip('v4', 2)],
  },
  {
    rule: "A27: s3 can't change its sharing key while keeping the same IP",
    steps: (ip) => [
      { assign: 's4', ips: [ip('v4', 2)], with: shared('sharing') },
      { assign: 's3', ips: [ip('v4', 2)], with: shared('sharing', 443) },
      { assign: 's3', ips: [ip('v4', 2)], with: shared('changed', 443) },
    ],
    want: () => ({
      code: 'sharingConflict',
      message: `can't change sharing key for "s3", address also in use by s4`,
    }),
  },
  {
    rule: 'A22: a pool pinned to ns1 refuses a Service in ns2',
    steps: (ip) => [{ assign: 'ns2/s1', ips: [ip('v4', 6)] }],
    want: () => ({ code: 'poolNotCompatible', message: 'pool pinned-ns not compatible for ip assignment' }),
  },
  {
    rule: 'A22: a pool pinned to ns1 accepts a Service in ns1',
    steps: (ip) => [{ assign: 'ns1/s1', ips: [ip('v4', 6)] }],
    want: (ip) => [ip('v4', 6)],
  },
  {
    rule: 'A22: a pool pinned by serviceSelectors refuses unmatched labels',
    steps: (ip) => [{ assign: 's1', ips: [ip('v4', 7)], with: { labels: { team: 'blue' } } }],
    want: () => ({
      code: 'poolNotCompatible',
      message: 'pool pinned-labels not compatible for ip assignment',
    }),
  },
  {
    rule: 'A22: a pool pinned by serviceSelectors accepts matching labels',
    steps: (ip) => [{ assign: 's1', ips: [ip('v4', 7)], with: { labels: { team: 'red' } } }],
    want: (ip) => [ip('v4', 7)],
  },
];

const buggyRows: Row[] = [
  {
    rule: 'A32: s3 cannot grab a 0 buggy IP',
    steps: (ip) => [{ assign: 's3', ips: [ip('v4', 4)] }],
    want: (ip) => ({ code: 'notAllowedInConfig', message: `["${ip('v4', 4)}"] is not allowed in config` }),
  },
  {
    rule: 'A32: s3 cannot grab a 255 buggy IP',
    steps: (ip) => [{ assign: 's3', ips: [ip('v4', 5)] }],
    want: (ip) => ({ code: 'notAllowedInConfig', message: `["${ip('v4', 5)}"] is not allowed in config` }),
  },
];

describe.each([
  { family: 'IPv4', map: 'v4' as const },
  { family: 'IPv6', map: 'v6' as const },
])('assign ($family)', ({ map }) => {
  const ip = (_family: 'v4' | 'v6', index: number) => ADDRESSES[map][index] as string;
  it.each(rows)('$rule', ({ steps, want }) => {
    expect(shapeOf(runScenario(pools, steps(ip)).outcome)).toEqual(want(ip));
  });
});

describe('assign (IPv4 only)', () => {
  const ip = (_family: 'v4' | 'v6', index: number) => ADDRESSES.v4[index] as string;
  it.each(buggyRows)('$rule', ({ steps, want }) => {
    expect(shapeOf(runScenario(pools, steps(ip)).outcome)).toEqual(want(ip));
  });
  it.each([
    {
      rule: 'A32: IPv6 addresses ending in :0 are not buggy',
      ips: ['1000::4:0'],
      want: ['1000::4:0'] as Want,
    },
    {
      rule: 'A23: ip dual-stack assign s1',
      ips: ['1.2.3.4', '1000::4'],
      want: ['1.2.3.4', '1000::4'] as Want,
    },
    {
      rule: 'A19: requested dual order is kept as written',
      ips: ['1000::4', '1.2.3.4'],
      want: ['1000::4', '1.2.3.4'] as Want,
    },
    {
      rule: 'A21: ip dual-stack assign from different pools fails',
      ips: ['1.2.3.4', '1000::4:5'],
      want: { code: 'notAllowedInConfig', message: '["1.2.3.4" "1000::4:5"] is not allowed in config' },
    },
    {
      rule: 'A23: two addresses of one family fail',
      ips: ['1.2.3.4', '1.2.3.5'],
      want: { code: 'sameFamily', message: '"1.2.3.4" "1.2.3.5" has the same family' },
    },
    {
      rule: 'A23: three addresses fail',
      ips: ['1.2.3.4', '1.2.3.5', '1000::4'],
      want: { code: 'tooManyAddresses', message: 'more than two addresses ["1.2.3.4" "1.2.3.5" "1000::4"]' },
    },
    {
      rule: 'A21: text that is not an address is not allowed',
      ips: ['1.2.3.400'],
      want: { code: 'notAllowedInConfig', message: '["1.2.3.400"] is not allowed in config' },
    },
  ])('$rule', ({ ips, want }) => {
    expect(shapeOf(runScenario(pools, [{ assign: 's1', ips }]).outcome)).toEqual(want);
  });
});
