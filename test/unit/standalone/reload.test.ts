import { describe, expect, it } from 'vitest';
import { planDocuments } from '../../../src/controller/index.js';
import { loadStandaloneConfig, type StandaloneConfig } from '../../../src/standalone/load.js';

// Issue 12 #10: SIGHUP re-reads FILE; every running allocation is restored before new Services
// are allocated (C8, as the controller restores ingress), so a reload never renumbers an IP.
const CLUSTER = `apiVersion: ferrolb.io/v1alpha1
kind: Cluster
metadata: {name: lab}
spec:
  members:
  - {name: node-a, address: 198.51.100.11}`;
const POOL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lab}
spec: {addresses: [203.0.113.10-203.0.113.20]}`;
const service = (name: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec: {type: LoadBalancer, ports: [{port: 80}]}`;

function load(documents: readonly string[], running?: StandaloneConfig): StandaloneConfig {
  const loaded = loadStandaloneConfig(documents.join('\n---\n'), planDocuments, running?.services);
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.value;
}

const ipsOf = (config: StandaloneConfig) =>
  Object.fromEntries(config.services.map((entry) => [entry.key, entry.ips]));

describe('SIGHUP keeps running allocations (issue 12 #10, C8)', () => {
  it('removing one Service does not move another auto-assigned IP', () => {
    const first = load([POOL, service('one'), service('two'), CLUSTER]);
    expect(ipsOf(first)).toEqual({ 'default/one': ['203.0.113.10'], 'default/two': ['203.0.113.11'] });
    const reloaded = load([POOL, service('two'), CLUSTER], first);
    expect(ipsOf(reloaded)).toEqual({ 'default/two': ['203.0.113.11'] });
  });

  it('a new Service listed first gets a free IP; the running ones keep theirs', () => {
    const first = load([POOL, service('one'), service('two'), CLUSTER]);
    const reloaded = load([POOL, service('zero'), service('one'), service('two'), CLUSTER], first);
    expect(ipsOf(reloaded)).toEqual({
      'default/zero': ['203.0.113.12'],
      'default/one': ['203.0.113.10'],
      'default/two': ['203.0.113.11'],
    });
  });

  it('an IP the new FILE no longer allows is not kept: the Service is allocated again', () => {
    const first = load([POOL, service('one'), service('two'), CLUSTER]);
    const narrower = POOL.replace('203.0.113.10-203.0.113.20', '203.0.113.11-203.0.113.20');
    expect(ipsOf(load([narrower, service('one'), service('two'), CLUSTER], first))).toEqual({
      'default/one': ['203.0.113.12'],
      'default/two': ['203.0.113.11'],
    });
  });
});
