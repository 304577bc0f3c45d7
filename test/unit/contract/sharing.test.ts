// Contract review (issue 2): how sharing keys and backend keys are read (A26, N1), through
// `ferrolb plan --json`. MetalLB: k8salloc.BackendKey is labels.Set(selector).String() for Local
// policy (sorted, so order-free; "" without a selector) and "" for Cluster.
import { describe, expect, it } from 'vitest';
import { got, type Planned, planFixture, refused } from './plan-run.js';

type Row = readonly [rule: string, service: string, expected: Planned];

const rows: Row[] = [
  ['A26: Local policy selectors compare as sorted label sets', 'default/l-ba', got('p', '10.0.0.1')],
  ['A26: Local policy without a selector shares with Cluster policy', 'default/c-none', got('p', '10.0.0.2')],
  [
    'N1: the deprecated metallb.universe.tf/allow-shared-ip is honoured',
    'default/old-key',
    got('p', '10.0.0.2'),
  ],
  [
    'N1: an empty metallb.io/allow-shared-ip wins over the deprecated key and disables sharing',
    'default/new-empty',
    refused(
      'can\'t change sharing key for "default/new-empty", address also in use by default/c-none,default/l-none,default/old-key',
    ),
  ],
  [
    'A26: TCP/80 and UDP/80 with one key pack onto the lowest IP',
    'default/dual-share-b',
    got('p', '10.0.0.0'),
  ],
];

describe('plan --json sharing keys', () => {
  it.each(rows)('%s (%s)', async (_rule, service, expected) => {
    const run = await planFixture('sharing-keys.yaml');
    expect(run.json?.services[service]).toEqual(expected);
  });
});
