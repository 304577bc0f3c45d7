// v1 Service objects reduced to ServiceSpec (N2, N6, A4, A26).
import { describe, expect, it } from 'vitest';
import { type Fields, parseService } from '../../../src/config/index.js';

const service = (spec: Fields, extra: Fields = {}): Fields => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec,
  ...extra,
});

describe('parseService', () => {
  it.each([
    {
      rule: 'A26: port protocol defaults to TCP',
      object: service({ ports: [{ port: 80 }] }),
      pick: 'ports',
      want: [{ protocol: 'TCP', port: 80 }],
    },
    {
      rule: 'N6: clusterIP is used when clusterIPs is empty',
      object: service({ clusterIP: '10.96.0.1' }),
      pick: 'clusterFamilies',
      want: ['IPv4'],
    },
    {
      rule: 'N6: clusterIPs give the families',
      object: service({ clusterIPs: ['10.96.0.1', 'fd00::1'] }),
      pick: 'clusterFamilies',
      want: ['IPv4', 'IPv6'],
    },
    {
      rule: 'N6: headless None has no family',
      object: service({ clusterIP: 'None' }),
      pick: 'clusterFamilies',
      want: [],
    },
    {
      rule: 'N6: ipFamilyPolicy defaults to SingleStack',
      object: service({}),
      pick: 'ipFamilyPolicy',
      want: 'SingleStack',
    },
    {
      rule: 'A4: ingress entries without an IP are skipped',
      object: service(
        {},
        { status: { loadBalancer: { ingress: [{ hostname: 'x' }, { ip: '198.51.100.1' }] } } },
      ),
      pick: 'ingressIPs',
      want: ['198.51.100.1'],
    },
    { rule: 'N2: loadBalancerIP defaults to empty', object: service({}), pick: 'loadBalancerIP', want: '' },
    { rule: 'C11: no class is undefined', object: service({}), pick: 'loadBalancerClass', want: undefined },
    {
      rule: 'A26: the key is namespace/name, default namespace',
      object: service({}),
      pick: 'key',
      want: 'default/web',
    },
  ])('$rule', ({ object, pick, want }) => {
    const parsed = parseService(object, 'default');
    expect(parsed.ok ? parsed.value[pick as keyof typeof parsed.value] : parsed.message).toEqual(want);
  });

  it.each([
    {
      rule: 'N6: an unknown policy names the field',
      object: service({ ipFamilyPolicy: 'Sometimes' }),
      field: 'spec.ipFamilyPolicy',
    },
    {
      rule: 'A26: a port out of range names the field',
      object: service({ ports: [{ port: 70000 }] }),
      field: 'spec.ports[0].port',
    },
    {
      rule: 'N1: a non-string annotation names the field',
      object: { ...service({}), metadata: { name: 'web', annotations: { a: 1 } } },
      field: 'metadata.annotations.a',
    },
    {
      rule: 'A26: a missing name is reported',
      object: { ...service({}), metadata: {} },
      field: 'metadata.name',
    },
  ])('$rule', ({ object, field }) => {
    const parsed = parseService(object, 'default');
    expect(parsed.ok ? undefined : parsed.field).toBe(field);
  });
});
