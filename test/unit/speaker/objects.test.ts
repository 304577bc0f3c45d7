import { describe, expect, it } from 'vitest';
import { endpointsByService, readNode, readService } from '../../../src/speaker/index.js';

describe('readNode', () => {
  it.each([
    {
      rule: 'E5: NetworkUnavailable=True and taints are read',
      object: {
        metadata: { name: 'n1', labels: { zone: 'a' } },
        spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] },
        status: { conditions: [{ type: 'NetworkUnavailable', status: 'True' }] },
      },
      want: {
        name: 'n1',
        labels: { zone: 'a' },
        networkUnavailable: true,
        taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }],
      },
    },
    {
      rule: 'E5: NetworkUnavailable=False keeps the node; garbage fields read as absent',
      object: {
        metadata: { name: 'n2', labels: { ok: 'x', bad: 7 } },
        spec: { taints: 'nope' },
        status: { conditions: [{ type: 'NetworkUnavailable', status: 'False' }] },
      },
      want: { name: 'n2', labels: { ok: 'x' }, networkUnavailable: false, taints: [] },
    },
    { rule: 'invalid input: a Node without a name is skipped', object: { metadata: {} }, want: undefined },
    { rule: 'invalid input: not an object', object: 'node', want: undefined },
  ])('$rule', ({ object, want }) => {
    expect(readNode(object)).toEqual(want);
  });
});

describe('endpointsByService', () => {
  it('E1/E6: endpoints of every slice are grouped by namespace/service; nil ready stays nil', () => {
    const slice = (namespace: string, service: string | undefined, endpoints: unknown) => ({
      metadata: {
        namespace,
        name: `${service}-x`,
        labels: service ? { 'kubernetes.io/service-name': service } : {},
      },
      endpoints,
    });
    const grouped = endpointsByService([
      slice('default', 'web', [{ nodeName: 'n1', conditions: { ready: true } }, { conditions: {} }]),
      slice('default', 'web', [{ nodeName: 'n2', conditions: { ready: false, serving: true } }]),
      slice('other', 'web', [{ nodeName: 'n3', conditions: { ready: 'yes' } }]),
      slice('default', undefined, [{ nodeName: 'n4' }]),
      slice('default', 'empty', null),
    ]);
    expect([...grouped]).toEqual([
      ['default/web', [{ nodeName: 'n1', ready: true }, {}, { nodeName: 'n2', ready: false, serving: true }]],
      ['other/web', [{ nodeName: 'n3' }]],
      ['default/empty', []],
    ]);
  });
});

describe('readService', () => {
  it.each([
    {
      rule: 'A4: ingress entries without an IP are skipped; the class is kept for C11',
      object: {
        metadata: { name: 'web', namespace: 'shop', uid: 'u1' },
        spec: { type: 'LoadBalancer', loadBalancerClass: 'ferrolb', externalTrafficPolicy: 'Local' },
        status: { loadBalancer: { ingress: [{ hostname: 'x' }, { ip: '203.0.113.7' }] } },
      },
      want: {
        ok: true,
        value: {
          key: 'shop/web',
          uid: 'u1',
          loadBalancerClass: 'ferrolb',
          externalTrafficPolicy: 'Local',
          ingressIPs: ['203.0.113.7'],
        },
      },
    },
    {
      rule: 'invalid input: an unknown externalTrafficPolicy names the Service and field',
      object: {
        metadata: { name: 'web', namespace: 'shop' },
        spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Nearest' },
      },
      want: { ok: false, key: 'shop/web', field: 'spec.externalTrafficPolicy' },
    },
  ])('$rule', ({ object, want }) => {
    expect(readService(object)).toMatchObject(want);
  });
});
