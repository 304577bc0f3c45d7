// MetalLB's TestControllerMutation (controller/controller_test.go, T2) as `ferrolb plan --json`
// rows: each case is one Service planned alone against MetalLB's pools, as MetalLB runs each case
// on its own. `wantErr` cases must be refused; the rest must get MetalLB's IPs. pool5's CIDRs
// differ from MetalLB's (see the fixture), so its addresses do too.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT_FIXTURES, runPlan } from './plan-run.js';

const POOLS = readFileSync(join(CONTRACT_FIXTURES, 'metallb-mutation-pools.yaml'), 'utf8');
const directory = mkdtempSync(join(tmpdir(), 'ferrolb-mutation-'));

interface Case {
  readonly rule: string;
  readonly service: string;
  readonly ips?: readonly string[];
  readonly error?: string;
}

const cases: Case[] = [
  {
    rule: 'T2 simple LoadBalancer',
    service: 'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}',
    ips: ['1.2.3.0'],
  },
  {
    rule: 'T2 request specific IP',
    service: 'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4], loadBalancerIP: 1.2.3.1}',
    ips: ['1.2.3.1'],
  },
  {
    rule: 'T2 request specific IP via custom annotation',
    service:
      'metadata: {name: test, annotations: {metallb.io/loadBalancerIPs: 1.2.3.1}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}',
    ips: ['1.2.3.1'],
  },
  {
    rule: 'T2 request IP from both svc.spec.LoadBalancerIP and custom annotation',
    service:
      'metadata: {name: test, annotations: {metallb.io/loadBalancerIPs: 1.2.3.1}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4], loadBalancerIP: 1.2.3.2}',
    error: 'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
  },
  {
    rule: 'T2 request invalid IP',
    service: 'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4], loadBalancerIP: "please sir"}',
    error: 'invalid spec.loadBalancerIP "please sir"',
  },
  {
    rule: 'T2 incompatible ip and address pool annotations',
    service:
      'metadata: {name: test, annotations: {metallb.io/loadBalancerIPs: 1.2.3.1, metallb.io/address-pool: pool2}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}',
    error: 'requested loadBalancer IP(s) ["1.2.3.1"] is not compatible with requested address pool pool2',
  },
  {
    rule: 'T2 request two IPs from same ip family via custom annotation',
    service:
      'metadata: {name: test, annotations: {metallb.io/loadBalancerIPs: "1.2.3.1,1.2.3.2"}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}',
    error: 'IPFamilyForAddresses: same address family ["1.2.3.1" "1.2.3.2"]',
  },
  {
    rule: 'T2 request infeasible IP (the held IP is lost)',
    service:
      'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4], loadBalancerIP: 1.2.3.4}\nstatus: {loadBalancer: {ingress: [{ip: 1.2.3.1}]}}',
    error: '["1.2.3.4"] is not allowed in config',
  },
  {
    rule: 'T2 request IP from specific pool',
    service:
      'metadata: {name: test, annotations: {metallb.io/address-pool: pool1}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}',
    ips: ['1.2.3.0'],
  },
  {
    rule: 'T2 switch to a different specific pool',
    service:
      'metadata: {name: test, annotations: {metallb.io/address-pool: pool2}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}\nstatus: {loadBalancer: {ingress: [{ip: 1.2.3.0}]}}',
    ips: ['3.4.5.6'],
  },
  {
    rule: 'T2 unknown pool requested',
    service:
      'metadata: {name: test, annotations: {metallb.io/address-pool: does-not-exist}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}',
    error: 'unknown pool "does-not-exist"',
  },
  {
    rule: 'T2 invalid IP assigned',
    service:
      'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}\nstatus: {loadBalancer: {ingress: [{ip: 2.3.4.5}]}}',
    ips: ['1.2.3.0'],
  },
  {
    rule: 'T2 invalid ingress state',
    service:
      'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}\nstatus: {loadBalancer: {ingress: [{hostname: foo.bar.local}, {ip: 10.10.10.10}]}}',
    ips: ['1.2.3.0'],
  },
  {
    rule: 'T2 request layer2 service (autoAssign=false pool by IP)',
    service: 'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4], loadBalancerIP: 3.4.5.6}',
    ips: ['3.4.5.6'],
  },
  {
    rule: 'T2 Layer2 service with local traffic policy',
    service:
      'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4], loadBalancerIP: 3.4.5.6, externalTrafficPolicy: Local}',
    ips: ['3.4.5.6'],
  },
  {
    rule: 'T2 request IP from wrong ip-family (ipv4)',
    service: 'spec: {type: LoadBalancer, clusterIPs: ["3000::1"], loadBalancerIP: 1.2.3.1}',
    error: 'requested loadBalancer IP(s) ["1.2.3.1"] does not match the ipFamily of the service',
  },
  {
    rule: 'T2 request IP from wrong ip-family (ipv6) via custom annotation',
    service:
      'metadata: {name: test, annotations: {metallb.io/loadBalancerIPs: "1000::"}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}',
    error: 'requested loadBalancer IP(s) ["1000::"] does not match the ipFamily of the service',
  },
  {
    rule: 'T2 IP from wrong ip-family (ipv6) assigned',
    service:
      'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}\nstatus: {loadBalancer: {ingress: [{ip: "1000::"}]}}',
    ips: ['1.2.3.0'],
  },
  {
    rule: 'T2 IP from wrong ip-family (ipv4) assigned',
    service:
      'spec: {type: LoadBalancer, clusterIPs: ["3000::1"]}\nstatus: {loadBalancer: {ingress: [{ip: 1.2.3.0}]}}',
    ips: ['1000::'],
  },
  {
    rule: 'T2 simple dual-stack LoadBalancer',
    service: 'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4, "3000::1"], ipFamilyPolicy: RequireDualStack}',
    ips: ['1.2.4.0', '1001::'],
  },
  {
    rule: 'T2 request IPs from specific pool (dual)',
    service:
      'metadata: {name: test, annotations: {metallb.io/address-pool: pool5}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4, "3000::1"], ipFamilyPolicy: RequireDualStack}',
    ips: ['1.2.4.0', '1001::'],
  },
  {
    rule: 'T2 simple dual-stack LoadBalancer with PreferDualStack policy',
    service: 'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4, "3000::1"], ipFamilyPolicy: PreferDualStack}',
    ips: ['1.2.4.0', '1001::'],
  },
  {
    rule: 'T2 single-stack LoadBalancer with PreferDualStack policy',
    service:
      'metadata: {name: test, namespace: test-ns1}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4], ipFamilyPolicy: PreferDualStack}',
    ips: ['7.8.9.0'],
  },
  {
    rule: 'T2 request IP from single-stack ipv4 pool with PreferDualStack policy',
    service:
      'metadata: {name: test, annotations: {metallb.io/address-pool: pool1}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4, "1000::"], ipFamilyPolicy: PreferDualStack}',
    ips: ['1.2.3.0'],
  },
  {
    rule: 'T2 request IP from single-stack ipv6 pool with PreferDualStack policy',
    service:
      'metadata: {name: test, annotations: {metallb.io/address-pool: pool3}}\nspec: {type: LoadBalancer, clusterIPs: ["1000::1"], ipFamilyPolicy: PreferDualStack}',
    ips: ['1000::'],
  },
  {
    rule: 'T2 request specific loadbalancer IP with dual-stack',
    service: 'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4, "3000::1"], loadBalancerIP: 1.2.3.1}',
    error: 'requested loadBalancer IP(s) ["1.2.3.1"] does not match the ipFamily of the service',
  },
  {
    rule: 'T2 request dual-stack loadbalancer IPs via custom annotation',
    service:
      'metadata: {name: test, annotations: {metallb.io/loadBalancerIPs: "1.2.3.0,1000::"}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4, "3000::1"], ipFamilyPolicy: RequireDualStack}',
    error: '["1.2.3.0" "1000::"] is not allowed in config',
  },
  {
    rule: 'T2 request dual-stack loadbalancer IPs via custom annotation, from one pool',
    service:
      'metadata: {name: test, annotations: {metallb.io/loadBalancerIPs: "1.2.4.1,1001::1"}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4, "3000::1"], ipFamilyPolicy: RequireDualStack}',
    ips: ['1.2.4.1', '1001::1'],
  },
  {
    rule: 'T2 request dual-stack loadbalancer with invalid ingress',
    service:
      'spec: {type: LoadBalancer, clusterIPs: ["3000::1", 5.6.7.8], ipFamilyPolicy: RequireDualStack}\nstatus: {loadBalancer: {ingress: [{hostname: foo.bar.local}, {ip: "1000::"}]}}',
    ips: ['1.2.4.0', '1001::'],
  },
  {
    rule: 'T2 request dual-stack loadbalancer IPs via custom annotation in a single stack cluster',
    service:
      'metadata: {name: test, annotations: {metallb.io/loadBalancerIPs: "1.2.4.0,1001::"}}\nspec: {type: LoadBalancer, clusterIP: 1.2.3.4}',
    error: 'requested loadBalancer IP(s) ["1.2.4.0" "1001::"] does not match the ipFamily of the service',
  },
  {
    rule: 'T2 request IP for service from namespace specific ip pool',
    service: 'metadata: {name: test, namespace: test-ns1}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}',
    ips: ['7.8.9.0'],
  },
  {
    rule: 'T2 request IP for service from no priority namespace specific ip pool',
    service: 'metadata: {name: test, namespace: test-ns2}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}',
    ips: ['16.17.18.0'],
  },
  {
    rule: 'T2 request IP for service from service label specific ip pool',
    service:
      'metadata: {name: test, labels: {team: metallb}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}',
    ips: ['19.20.21.0'],
  },
  {
    rule: 'T2 request IP for service from ip pool having both namespace and service label',
    service:
      'metadata: {name: test, namespace: test-ns1, labels: {team: metallb}}\nspec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}',
    ips: ['25.26.27.0'],
  },
  {
    rule: "T2 simple LoadBalancer, ips already assigned but can't determine family",
    service:
      'spec: {type: LoadBalancer, clusterIPs: [1.2.3.4]}\nstatus: {loadBalancer: {ingress: [{ip: 1.2.3.0}, {ip: 1.2.3.1}, {ip: 1.2.4.0}]}}',
    ips: ['1.2.3.0'],
  },
];

function serviceDocument(service: string): string {
  const withName = service.startsWith('metadata:') ? service : `metadata: {name: test}\n${service}`;
  return `apiVersion: v1\nkind: Service\n${withName}\n`;
}

describe("MetalLB's TestControllerMutation through plan --json", () => {
  it.each(cases)('$rule', async ({ rule, service, ips, error }) => {
    const file = join(directory, `${rule.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
    writeFileSync(file, `${POOLS}---\n${serviceDocument(service)}`);
    const run = await runPlan(['-f', file, '--json']);
    expect(run.code).toBe(0);
    expect(run.json?.warnings).toEqual([]);
    const planned = Object.values(run.json?.services ?? {});
    expect(planned).toEqual([ips === undefined ? { error } : { ips, pool: expect.any(String) }]);
  });
});
