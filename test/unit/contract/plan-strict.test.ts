// Issue 13 #8: `plan` is as strict as the API server that will receive the same documents —
// unknown fields (kubectl's strict field validation), letter-case typos, MetalLB annotation keys
// that nothing reads — and it reads stdin (`-f -`), refuses an empty input, and tells a plan
// with a Service left without an IP apart (`--exit-code`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlan } from './plan-run.js';

const BINARY = join(import.meta.dirname, '../../../bin/ferrolb.js');

const POOL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: alpha, namespace: metallb-system}
spec:
  addresses: [198.51.100.10/31]
`;

function service(name: string, extra = ''): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec:
  type: LoadBalancer
  ports: [{port: 80, protocol: TCP}]
${extra}`;
}

function writeTemporary(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ferrolb-strict-')), 'plan.yaml');
  writeFileSync(file, text);
  return file;
}

describe('plan: strict fields, as the API server', () => {
  it.each([
    {
      rule: 'a misspelt pool field refuses the pool (not "pool has no prefixes defined")',
      text: `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: alpha, namespace: metallb-system}
spec:
  adresses: [198.51.100.10/31]
---
${service('web')}`,
      warning:
        'document 1 (IPAddressPool metallb-system/alpha): strict decoding error: unknown field "spec.adresses"',
    },
    {
      rule: 'a letter-case typo is named with the field it meant',
      text: `${POOL}  autoassign: false
---
${service('web')}`,
      warning:
        'document 1 (IPAddressPool metallb-system/alpha): strict decoding error: unknown field "spec.autoassign" (did you mean "spec.autoAssign"?)',
    },
    {
      rule: 'an unknown Service field (core/v1) refuses the Service',
      text: `${POOL}---
${service('web', '  loadBalancerIp: 198.51.100.10\n')}`,
      warning:
        'document 2 (Service default/web): strict decoding error: unknown field "spec.loadBalancerIp" (did you mean "spec.loadBalancerIP"?)',
    },
    {
      rule: 'nested fields are checked too (serviceAllocation, ports, metadata)',
      text: `${POOL}  serviceAllocation: {priority: 1, namespace: [a]}
---
${service('web')}`,
      warning:
        'document 1 (IPAddressPool metallb-system/alpha): strict decoding error: unknown field "spec.serviceAllocation.namespace"',
    },
  ])('$rule', async ({ text, warning }) => {
    const run = await runPlan(['-f', writeTemporary(text), '--json']);
    expect(run.code).toBe(2);
    expect(run.json?.warnings).toEqual([warning]);
    expect(run.stderr).toBe(`ferrolb plan: ${warning}`);
  });

  it('a refused pool is not planned from: its Services get no IP', async () => {
    const text = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: alpha, namespace: metallb-system}
spec: {adresses: [198.51.100.10/31]}
---
${service('web')}`;
    const run = await runPlan(['-f', writeTemporary(text), '--json']);
    expect(run.json?.services['default/web']).toEqual({ error: expect.any(String) });
  });

  it('every field a real object carries is accepted (status, managedFields, ownerReferences, labels)', async () => {
    const text = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: alpha
  namespace: metallb-system
  uid: 5b0f
  resourceVersion: "12"
  labels: {team: a}
  annotations: {metallb.io/share-address-pool: "true"}
  managedFields: [{manager: kubectl, operation: Apply, fieldsV1: {f:spec: {}}}]
spec:
  addresses: [198.51.100.10/31]
  autoAssign: true
  avoidBuggyIPs: false
  serviceAllocation:
    priority: 1
    namespaces: [default]
    namespaceSelectors: [{matchLabels: {a: b}, matchExpressions: [{key: a, operator: In, values: [b]}]}]
    serviceSelectors: []
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: l2, namespace: metallb-system}
spec:
  ipAddressPools: [alpha]
  interfaces: [eth0]
  nodeSelectors: [{matchLabels: {a: b}}]
---
${service('web', '  selector: {app: web}\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 10}}\n  ipFamilies: [IPv4]\n  ipFamilyPolicy: SingleStack\n')}status:
  loadBalancer:
    ingress: [{ip: 198.51.100.10, ipMode: VIP, ports: [{port: 80, protocol: TCP}]}]
`;
    const run = await runPlan(['-f', writeTemporary(text), '--json']);
    expect(run.json?.warnings).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.json?.services['default/web']).toEqual({ ips: ['198.51.100.10'], pool: 'alpha' });
  });

  it('a misspelt metallb.io/ annotation is warned with the key it meant; planning goes on (exit 0)', async () => {
    const text = `${POOL}---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  annotations: {metallb.io/adress-pool: alpha, metallb.universe.tf/allow-shared-ip: k, metallb.io/colour: red}
spec: {type: LoadBalancer, ports: [{port: 80}]}
`;
    const run = await runPlan(['-f', writeTemporary(text), '--json']);
    expect(run.code).toBe(0);
    expect(run.json?.warnings).toEqual([
      'document 2 (Service default/web): annotation "metallb.io/adress-pool" is not a MetalLB annotation and has no effect (did you mean "metallb.io/address-pool"?)',
      'document 2 (Service default/web): annotation "metallb.io/colour" is not a MetalLB annotation and has no effect',
    ]);
  });
});

describe('plan: input and exit codes', () => {
  it('-f - reads the documents from standard input (compiled binary)', () => {
    const run = spawnSync(process.execPath, [BINARY, 'plan', '-f', '-', '--json'], {
      input: `${POOL}---\n${service('web')}`,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).services).toEqual({
      'default/web': { ips: ['198.51.100.10'], pool: 'alpha' },
    });
  });

  it('-f - with nothing on standard input is an error naming it, exit 2', () => {
    const run = spawnSync(process.execPath, [BINARY, 'plan', '-f', '-'], { input: '', encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('standard input holds no objects');
  });

  it('--exit-code: 3 when a Service gets no IP, 0 when every Service has one; without it 0', async () => {
    const full = writeTemporary(`${POOL}---\n${service('a')}---\n${service('b')}---\n${service('c')}`);
    expect((await runPlan(['-f', full, '--json'])).code).toBe(0);
    const refused = await runPlan(['-f', full, '--json', '--exit-code']);
    expect(refused.code).toBe(3);
    expect(refused.json?.services['default/c']).toEqual({ error: 'no available IPs' });
    const fits = writeTemporary(`${POOL}---\n${service('a')}`);
    expect((await runPlan(['-f', fits, '--json', '--exit-code'])).code).toBe(0);
  });
});
