// The speaker's cache cuts (issue 14): what readService and readNode read survives, the rest goes.
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { readNode, readService } from '../../../src/speaker/objects.js';
import { slimNode, slimService } from '../../../src/speaker/slim.js';

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
});
