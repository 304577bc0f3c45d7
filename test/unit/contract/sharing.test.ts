// Contract review (issue 2): how sharing keys and backend keys are read (A26, N1), through
// `ferrolb plan --json`. MetalLB: k8salloc.BackendKey is labels.Set(selector).String() for Local
// policy (sorted, so order-free; "" without a selector) and "" for Cluster.
import { describe, expect, it } from 'vitest';
import { got, type Planned, planFixture, refused } from './plan-run.js';

type Row = readonly [rule: string, file: string, service: string, expected: Planned];

const rows: Row[] = [
  [
    'A26: Local policy selectors compare as sorted label sets',
    'sharing-keys.yaml',
    'default/l-ba',
    got('p', '10.0.0.1'),
  ],
  [
    'A26: Local policy without a selector shares with Cluster policy',
    'sharing-keys.yaml',
    'default/c-none',
    got('p', '10.0.0.2'),
  ],
  [
    'N1: the deprecated metallb.universe.tf/allow-shared-ip is honoured',
    'sharing-keys.yaml',
    'default/old-key',
    got('p', '10.0.0.2'),
  ],
  [
    'N1: an empty metallb.io/allow-shared-ip wins over the deprecated key and disables sharing',
    'sharing-keys.yaml',
    'default/new-empty',
    refused(
      'can\'t change sharing key for "default/new-empty", address also in use by default/c-none,default/l-none,default/old-key',
    ),
  ],
  [
    'A26: TCP/80 and UDP/80 with one key pack onto the lowest IP',
    'sharing-keys.yaml',
    'default/dual-share-b',
    got('p', '10.0.0.0'),
  ],
  [
    'DESIGN shared pools: a requested IP is shared whatever the keys',
    'shared-pool-keys.yaml',
    'default/kb',
    got('shared', '10.0.0.1'),
  ],
  [
    'DESIGN shared pools: auto with another key packs onto the used IP',
    'shared-pool-keys.yaml',
    'default/auto-kc',
    got('shared', '10.0.0.1'),
  ],
  [
    'DESIGN shared pools: auto without a key packs too',
    'shared-pool-keys.yaml',
    'default/auto-none',
    got('shared', '10.0.0.1'),
  ],
  [
    'DESIGN shared pools, A29: a port already used on the only IP is refused',
    'shared-pool-keys.yaml',
    'default/auto-clash',
    refused('no available IPs'),
  ],
];

describe('plan --json sharing keys', () => {
  it.each(rows)('%s (%s %s)', async (_rule, file, service, expected) => {
    const run = await planFixture(file);
    expect(run.json?.services[service]).toEqual(expected);
  });
});
