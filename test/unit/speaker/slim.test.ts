// The speaker's cache cuts (issue 14): what readService and readNode read survives, the rest goes.
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { endpointsByService, readNode, readService } from '../../../src/speaker/objects.js';
import { slimEndpointSlice, slimL2Status, slimNode, slimService } from '../../../src/speaker/slim.js';
import { readL2Status } from '../../../src/speaker/status-plan.js';

function service(): KubernetesObject {
  return {
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'u-1',
      labels: { app: 'web' },
      annotations: {
        'metallb.io/allow-shared-ip': 'key',
        'metallb.universe.tf/address-pool': 'old',
        'ferrolb.io/example': 'x',
        'kubectl.kubernetes.io/last-applied-configuration': '{"a":"very long manifest"}',
      },
    },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80, protocol: 'TCP' }] },
    status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
  } as KubernetesObject;
}

describe('speaker cache cuts', () => {
  it('a Service keeps what the speaker reads and loses foreign annotations', () => {
    const original = service();
    const slimmed = service();
    slimService(slimmed);
    expect(slimmed.metadata?.annotations).toEqual({
      'metallb.io/allow-shared-ip': 'key',
      'metallb.universe.tf/address-pool': 'old',
      'ferrolb.io/example': 'x',
    });
    const withoutAnnotations = (object: KubernetesObject) => {
      const read = readService(object);
      if (!read.ok) throw new Error('not a Service');
      return { ...read.value, annotations: undefined };
    };
    expect(withoutAnnotations(slimmed)).toEqual(withoutAnnotations(original));
  });

  it('a Node keeps labels, conditions and taints', () => {
    const node = (): KubernetesObject =>
      ({
        metadata: { name: 'n1', labels: { a: 'b' }, annotations: { big: 'x'.repeat(1000) } },
        spec: { taints: [{ key: 'k', effect: 'NoSchedule' }], podCIDR: '10.0.0.0/24' },
        status: { conditions: [{ type: 'Ready', status: 'True' }], images: [{ names: ['i'] }] },
      }) as KubernetesObject;
    const slimmed = node();
    slimNode(slimmed);
    expect(readNode(slimmed)).toEqual(readNode(node()));
    expect(JSON.stringify(slimmed)).not.toContain('images');
  });

  it("an EndpointSlice keeps its Service label and each endpoint's node and conditions (E1, E6)", () => {
    const slice = (): KubernetesObject =>
      ({
        metadata: {
          name: 'web-x1',
          namespace: 'default',
          resourceVersion: '7',
          labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'c' },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'u-1' }],
        },
        addressType: 'IPv4',
        endpoints: [
          {
            addresses: ['10.1.0.5'],
            nodeName: 'n1',
            conditions: { ready: true, serving: true, terminating: false },
            targetRef: { kind: 'Pod', name: 'web-1' },
          },
          { addresses: ['10.1.0.6'], conditions: { ready: false } },
          { addresses: ['10.1.0.7'], nodeName: 'n2' },
        ],
        ports: [{ port: 80 }],
      }) as KubernetesObject;
    const slimmed = slice();
    slimEndpointSlice(slimmed);
    expect([...endpointsByService([slimmed])]).toEqual([...endpointsByService([slice()])]);
    expect(slimmed.metadata).toEqual({
      name: 'web-x1',
      namespace: 'default',
      resourceVersion: '7',
      labels: { 'kubernetes.io/service-name': 'web' },
    });
    expect(JSON.stringify(slimmed)).not.toContain('10.1.0');
  });

  it('a ServiceL2Status keeps its node label and status (R4)', () => {
    const status = (): KubernetesObject =>
      ({
        metadata: {
          name: 'l2-abc',
          namespace: 'metallb-system',
          resourceVersion: '9',
          labels: {
            'metallb.io/node': 'n1',
            'metallb.io/service-name': 'web',
            'metallb.io/service-namespace': 'default',
          },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'speaker-x', uid: 'u-2' }],
        },
        spec: {},
        status: {
          node: 'n1',
          serviceName: 'web',
          serviceNamespace: 'default',
          interfaces: [{ name: 'eth0' }],
        },
      }) as KubernetesObject;
    const slimmed = status();
    slimL2Status(slimmed);
    expect(readL2Status(slimmed)).toEqual(readL2Status(status()));
    expect(slimmed.metadata?.labels).toEqual({ 'metallb.io/node': 'n1' });
    expect(slimmed.metadata?.ownerReferences).toBeUndefined();
  });
});
