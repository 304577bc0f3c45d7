// Contract review (issue 2): what `ferrolb plan --json` prints besides allocations — warnings
// (also on stderr), ignored objects, invalid documents and exit codes (DESIGN `plan --json`
// contract, "Command-line contract": 0 success, 2 invalid input or flags).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planFixture, runPlan } from './plan-run.js';

const ignoredClass =
  'document 15 (Service default/cls): spec.loadBalancerClass "foo" is not handled without --lb-class, ignored';

describe('plan --json warnings and exit codes', () => {
  it.each([
    {
      rule: 'C11, A1: a classed Service and a ClusterIP Service are absent; the class is named once',
      file: 'allocation.yaml',
      code: 0,
      absent: ['default/cls', 'default/cip'],
      warnings: [ignoredClass],
    },
    {
      rule: 'seed, DESIGN: a pool outside --namespace and unknown kinds are ignored with a warning, exit 0',
      file: 'namespaces.yaml',
      code: 0,
      absent: [],
      warnings: [
        'document 3 (IPAddressPool other/stray): not in namespace metallb-system, ignored',
        'document 8 (PodDisruptionBudget): kind policy/v1/PodDisruptionBudget is not supported, ignored',
        'document 9 (BGPPeer): BGP objects are not supported, ignored',
        'document 10 (BGPAdvertisement): BGP objects are not supported, ignored',
      ],
    },
    {
      rule: 'V2, V3, V7, V8: invalid, duplicate and overlapping pools are named with MetalLB text, exit 2',
      file: 'invalid-pools.yaml',
      code: 2,
      absent: [],
      warnings: [
        'document 1 (IPAddressPool zeta) spec.addresses: CIDR "10.0.0.0/28" in pool "zeta" overlaps with already defined CIDR "10.0.0.8/29"',
        'document 3 (IPAddressPool beta) spec.addresses[0]: parsing address pool beta: invalid CIDR "10.1.0.0/24 " in pool "beta": invalid CIDR "10.1.0.0/24 "',
        'document 4 (IPAddressPool gamma) spec.addresses[0]: parsing address pool gamma: invalid CIDR "10.2.0.1" in pool "gamma": invalid CIDR "10.2.0.1"',
        'document 5 (IPAddressPool alpha) metadata.name: duplicate definition of pool "alpha"',
        'document 6 (IPAddressPool delta) spec.addresses[0]: parsing address pool delta: invalid CIDR "10.4.0.9-10.4.0.1" in pool "delta": invalid IP range "10.4.0.9-10.4.0.1": start IP "10.4.0.9" is after the end IP "10.4.0.1"',
        'document 7 (IPAddressPool eps) spec.addresses: CIDR "10.5.0.4/30" in pool "eps" overlaps with already defined CIDR "10.5.0.0/29"',
        'document 8 (IPAddressPool nop) spec.addresses: parsing address pool nop: pool has no prefixes defined',
        'document 9 (IPAddressPool range2) spec.addresses[1]: parsing address pool range2: invalid CIDR "bad-10.6.0.9" in pool "range2": invalid IP range "bad-10.6.0.9": invalid start IP "bad"',
      ],
    },
    {
      rule: 'V1, V5, V9, V10: serviceAllocation and L2Advertisement errors; a missing pool reference is silent',
      file: 'validation.yaml',
      code: 2,
      absent: [],
      warnings: [
        'document 2 (IPAddressPool dupns) spec.serviceAllocation.namespaces[1]: parsing address pool dupns: duplicate definition in namespaces field',
        'document 3 (L2Advertisement ad) spec.ipAddressPools[1]: duplicate definition of ipAddressPools "p"',
        'document 5 (IPAddressPool badsel) spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].operator: parsing address pool badsel: "Foo" is not a valid label selector operator',
        'document 6 (IPAddressPool strauto) spec.autoAssign: parsing address pool strauto: expected a boolean',
        'document 7 (IPAddressPool (unnamed)) metadata.name: parsing address pool : missing pool name',
      ],
    },
  ])('$rule', async ({ file, code, absent, warnings }) => {
    const run = await planFixture(file);
    expect(run.code).toBe(code);
    expect(run.json?.warnings).toEqual(warnings);
    expect(run.stderr).toBe(warnings.map((warning) => `ferrolb plan: ${warning}`).join('\n'));
    for (const key of absent) expect(run.json?.services).not.toHaveProperty(key);
  });
});

function writeTemporary(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ferrolb-contract-')), 'plan.yaml');
  writeFileSync(file, text);
  return file;
}

describe('plan --json on files that are not a configuration', () => {
  it.each([
    {
      rule: 'DESIGN exit codes: YAML that does not parse is a warning, exit 2',
      text: 'foo: [unclosed\n  : : :\n',
      code: 2,
      warning: /^document 1: invalid YAML: /,
    },
    {
      rule: 'DESIGN exit codes: a document that is not an object, exit 2',
      text: 'just a string\n',
      code: 2,
      warning: /^document 1: not an object, ignored$/,
    },
    {
      rule: 'DESIGN exit codes: a mapping that is no Kubernetes object (no kind), exit 2',
      text: 'hello: world\n',
      code: 2,
      warning: /^document 1: not a Kubernetes object \(no kind\), ignored$/,
    },
    {
      rule: 'DESIGN exit codes: binary garbage never crashes, exit 2',
      text: '\u0000\u0001\u00ff{[:\n\t- ]}',
      code: 2,
      warning: /^document 1: /,
    },
  ])('$rule', async ({ text, code, warning }) => {
    const run = await runPlan(['-f', writeTemporary(text), '--json']);
    expect(run.code).toBe(code);
    expect(run.json?.services).toEqual({});
    if (warning === undefined) expect(run.json?.warnings).toEqual([]);
    else expect(run.json?.warnings).toEqual([expect.stringMatching(warning)]);
  });

  it.each([
    { rule: 'DESIGN exit codes: -f is missing', args: ['--json'], message: '-f FILE is required' },
    {
      rule: 'issue 13 #8 (kubectl: "no objects passed to apply"): an empty file is an error, exit 2',
      args: ['-f', writeTemporary(''), '--json'],
      message: 'holds no objects: nothing to plan',
    },
    {
      rule: 'issue 13 #8: only empty documents is an error too, exit 2',
      args: ['-f', writeTemporary('---\n---\n# nothing\n'), '--json'],
      message: 'holds no objects: nothing to plan',
    },
    {
      rule: 'DESIGN exit codes: the file does not exist',
      args: ['-f', '/nonexistent/x.yaml', '--json'],
      message: 'cannot read /nonexistent/x.yaml',
    },
  ])('$rule', async ({ args, message }) => {
    const run = await runPlan(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });
});
