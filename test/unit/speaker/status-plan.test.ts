import { describe, expect, it } from 'vitest';
import { type ExistingL2Status, planStatusChanges, readL2Status } from '../../../src/speaker/index.js';

const want = (name: string, interfaces: string[] = []) => ({
  serviceNamespace: 'default',
  serviceName: name,
  node: 'n1',
  interfaces,
});
const have = (object: string, name: string, extra: Partial<ExistingL2Status> = {}): ExistingL2Status => ({
  name: object,
  ...want(name),
  ...extra,
});

describe('planStatusChanges', () => {
  it.each([
    {
      rule: 'R4: a newly announced Service gets a status',
      desired: [want('web')],
      existing: [],
      plan: { create: [want('web')], update: [], remove: [] },
    },
    {
      rule: 'R4: an unchanged status is left alone',
      desired: [want('web')],
      existing: [have('l2-a', 'web')],
      plan: { create: [], update: [], remove: [] },
    },
    {
      rule: 'R4: changed interfaces update the status in place',
      desired: [want('web', ['eth0'])],
      existing: [have('l2-a', 'web')],
      plan: { create: [], update: [{ name: 'l2-a', status: want('web', ['eth0']) }], remove: [] },
    },
    {
      rule: 'R4: a non-owner deletes its copy',
      desired: [],
      existing: [have('l2-a', 'web')],
      plan: { create: [], update: [], remove: ['l2-a'] },
    },
    {
      rule: 'R4: a duplicate for the same Service is deleted',
      desired: [want('web')],
      existing: [have('l2-a', 'web'), have('l2-b', 'web')],
      plan: { create: [], update: [], remove: ['l2-b'] },
    },
    {
      rule: 'R4: a copy naming another node (immutable field) is replaced',
      desired: [want('web')],
      existing: [have('l2-a', 'web', { node: 'n2' })],
      plan: { create: [want('web')], update: [], remove: ['l2-a'] },
    },
  ])('$rule', ({ desired, existing, plan }) => {
    expect(planStatusChanges(desired, existing)).toEqual(plan);
  });
});

describe('readL2Status', () => {
  it.each([
    {
      rule: 'R4: status fields and interface names are read',
      object: {
        metadata: { name: 'l2-x' },
        status: {
          node: 'n1',
          serviceName: 'web',
          serviceNamespace: 'default',
          interfaces: [{ name: 'eth0' }, {}],
        },
      },
      want: {
        name: 'l2-x',
        node: 'n1',
        serviceName: 'web',
        serviceNamespace: 'default',
        interfaces: ['eth0'],
      },
    },
    {
      rule: 'R4: a status never written reads with empty Service fields',
      object: { metadata: { name: 'l2-y' } },
      want: { name: 'l2-y', node: '', serviceName: '', serviceNamespace: '', interfaces: [] },
    },
    { rule: 'invalid input: no metadata', object: { status: {} }, want: undefined },
  ])('$rule', ({ object, want }) => {
    expect(readL2Status(object)).toEqual(want);
  });
});
