// Objects the speaker keeps per Service, endpoint or IP share V8 hidden classes when they have the
// same properties (src/shapes.ts, issue 14): built with conditional spreads, each had its own once
// the site had seen a few shapes (60,000 classes, ~11 MB, at 10,000 Services).
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { canonicalOwned } from '../../../src/l2/ownership.js';
import { EMPTY_SPEAKER_STATE, reconcile } from '../../../src/speaker/index.js';
import { endpointsByService, readService } from '../../../src/speaker/objects.js';
import { slimEndpointSlice, slimL2Status, slimService } from '../../../src/speaker/slim.js';
import { inputs, service } from './fixtures.js';

setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const hasFastProperties = new Function('a', 'return %HasFastProperties(a)') as (a: object) => boolean;

/** The property lists among `objects` whose objects do not all share one hidden class. */
function unsharedShapes(objects: readonly object[]): string[] {
  const first = new Map<string, object>();
  const unshared = new Set<string>();
  for (const object of objects) {
    const keys = Object.keys(object).join(',');
    const model = first.get(keys);
    if (model === undefined) first.set(keys, object);
    else if (!haveSameMap(model, object)) unshared.add(keys);
  }
  return [...unshared];
}

const pick = <T>(choices: readonly T[], index: number): T => choices[index % choices.length] as T;

/** Slices as the API sends them, varied so every reading site sees many shapes. */
function slices(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    metadata: {
      name: `web-${index}-x`,
      namespace: 'default',
      ...(index % 3 === 0 ? {} : { resourceVersion: String(index) }),
      labels: { 'kubernetes.io/service-name': `web-${index}`, other: 'x' },
    },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['10.1.0.1'],
        ...(index % 4 === 0 ? {} : { nodeName: pick(['node-a', 'node-b'], index) }),
        conditions: {
          ...(index % 5 === 0 ? {} : { ready: pick([true, false], index) }),
          ...(index % 7 === 0 ? {} : { serving: pick([false, true], index) }),
          terminating: false,
        },
      },
    ],
  }));
}

describe('hidden classes of per-object state (issue 14)', () => {
  it('the probe tells shared from unshared shapes (a control for the tests below)', () => {
    const spread = (index: number) => ({
      ...(index % 2 ? { a: 1 } : {}),
      ...(index % 3 ? { b: 2 } : {}),
      ...(index % 5 ? { c: 3 } : {}),
    });
    expect(unsharedShapes(Array.from({ length: 200 }, (_, index) => spread(index)))).not.toEqual([]);
  });

  it('slimmed EndpointSlices and the endpoints read from them share classes by shape', () => {
    const objects = slices(200);
    for (const slice of objects) slimEndpointSlice(slice);
    const endpoints = objects.flatMap((slice) => slice.endpoints);
    expect(unsharedShapes(objects.map((slice) => slice.metadata))).toEqual([]);
    expect(unsharedShapes(endpoints)).toEqual([]);
    expect(unsharedShapes(endpoints.map((endpoint) => endpoint.conditions))).toEqual([]);
    const read = [...endpointsByService(objects).values()].flat();
    expect(read).toHaveLength(200);
    expect(unsharedShapes(read)).toEqual([]);
  });

  it('slimmed objects keep fast properties (nothing is deleted from them)', () => {
    const objects = slices(20);
    for (const slice of objects) slimEndpointSlice(slice);
    const status = {
      metadata: {
        name: 'l2-abcde',
        namespace: 'ferrolb-system',
        labels: { 'metallb.io/node': 'n1', x: 'y' },
      },
      spec: {},
      status: { node: 'n1', serviceName: 'web', serviceNamespace: 'default', interfaces: [] },
    };
    slimL2Status(status);
    const annotated = {
      metadata: {
        name: 'web',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'metallb.io/address-pool': 'a',
          z: '1',
        },
      },
    };
    slimService(annotated);
    expect(annotated.metadata.annotations).toEqual({ 'metallb.io/address-pool': 'a' });
    const slow = [...objects, status, annotated.metadata.annotations].filter(
      (object) => !hasFastProperties(object),
    );
    expect(slow).toEqual([]);
  });

  it('Services read with and without a uid share classes by shape', () => {
    const read = Array.from({ length: 200 }, (_, index) =>
      readService({
        metadata: { name: `web-${index}`, namespace: 'default', ...(index % 3 ? { uid: `u-${index}` } : {}) },
        spec: { type: 'LoadBalancer', ...(index % 4 ? { externalTrafficPolicy: 'Local' } : {}) },
        status: { loadBalancer: { ingress: [{ ip: `10.0.0.${index % 250}` }] } },
      }),
    ).flatMap((result) => (result.ok ? [result.value] : []));
    expect(read).toHaveLength(200);
    expect(unsharedShapes(read)).toEqual([]);
  });

  it('announced Services, withdrawn outcomes and owned addresses share classes by shape', () => {
    const services = Array.from({ length: 200 }, (_, index) =>
      service({
        key: `default/web-${index}`,
        name: `web-${index}`,
        uid: index % 3 ? `u-${index}` : undefined,
        ingressIPs: [`10.0.0.${1 + (index % 250)}`],
      }),
    );
    const endpoints = new Map(services.map((item) => [item.key, [{ nodeName: 'node-b', ready: true }]]));
    const result = reconcile(inputs({ services, endpoints }), EMPTY_SPEAKER_STATE);
    const announced = [...result.state.services.values()];
    const withdrawn = [...result.outcomes.values()].filter((outcome) => !outcome.announce);
    expect(announced.length).toBeGreaterThan(10);
    expect(withdrawn.length).toBeGreaterThan(10);
    expect(unsharedShapes(announced)).toEqual([]);
    expect(unsharedShapes(withdrawn)).toEqual([]);
    const owned = canonicalOwned(
      new Map(
        announced.flatMap((item, index) =>
          item.ips.map((ip) => [ip, index % 2 ? { interfaces: ['eth0'] } : {}] as const),
        ),
      ),
    );
    expect(unsharedShapes([...owned.addresses.values()])).toEqual([]);
  });
});
