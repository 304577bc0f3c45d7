// planDocuments as the standalone mode calls it (any namespace), and the MetalLB Events (§6) that
// the plan's Decisions carry for the controller to emit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readYamlDocuments } from '../../../src/cli/plan.js';
import { planDocuments } from '../../../src/controller/index.js';
import { CONTRACT_FIXTURES } from './plan-run.js';

function planFile(file: string, options: { namespace: string; anyNamespace?: boolean }) {
  const { documents } = readYamlDocuments(readFileSync(join(CONTRACT_FIXTURES, file), 'utf8'));
  return planDocuments(documents, options);
}

describe('standalone: planDocuments with anyNamespace', () => {
  const result = planFile('standalone.yaml', { namespace: 'metallb-system', anyNamespace: true });

  it.each([
    ['C8: the holder keeps its IP', 'default/kept', { ips: ['198.51.100.200'], pool: 'lab-pool' }],
    [
      'A18: the first new Service takes the next free IP',
      'default/web',
      { ips: ['198.51.100.201'], pool: 'lab-pool' },
    ],
    [
      'A19, Q1: requested "v6, v4" is kept in that order',
      'default/dns',
      { ips: ['2001:db8:1::201', '198.51.100.202'], pool: 'lab-pool' },
    ],
    ['A15: the pool is full', 'default/late', { error: 'no available IPs' }],
    [
      'A28: a held IP is not shared without a key',
      'default/twice',
      { error: 'can\'t change sharing key for "default/twice", address also in use by default/kept' },
    ],
  ])('%s (%s)', (_rule, key, expected) => {
    expect(result.services[key]).toEqual(expected);
  });

  it('DESIGN standalone: pools in any namespace and the Cluster document raise no warning', () => {
    expect(result.warnings).toEqual([]);
    expect(result.invalid).toBe(false);
  });

  it('seed, DESIGN plan contract: the same file under `plan` ignores the pool and ad outside metallb-system', () => {
    const planned = planFile('standalone.yaml', { namespace: 'metallb-system' });
    expect(planned.warnings).toEqual([
      'document 2 (IPAddressPool lab/lab-pool): not in namespace metallb-system, ignored',
      'document 3 (L2Advertisement lab/lab-l2): not in namespace metallb-system, ignored',
    ]);
    expect(planned.services['default/web']).toEqual({ error: 'no available IPs' });
  });
});

describe('Events carried by plan decisions (§6)', () => {
  const result = planFile('standalone.yaml', { namespace: 'metallb-system', anyNamespace: true });
  const events = (key: string) =>
    result.decisions.get(key)?.events.map(({ type, reason, message }) => `${type} ${reason}: ${message}`);

  it.each([
    ['EV1: a new allocation', 'default/web', ['Normal IPAllocated: Assigned IP ["198.51.100.201"]']],
    [
      'EV1: a requested dual allocation, in request order',
      'default/dns',
      ['Normal IPAllocated: Assigned IP ["2001:db8:1::201" "198.51.100.202"]'],
    ],
    [
      'EV2: a refusal names the Service',
      'default/late',
      ['Warning AllocationFailed: Failed to allocate IP for "default/late": no available IPs'],
    ],
  ])('%s (%s)', (_rule, key, expected) => {
    expect(events(key)).toEqual(expected);
  });

  it('C8: a restored IP that is still valid raises no Event', () => {
    expect(events('default/kept')).toEqual([]);
  });
});
