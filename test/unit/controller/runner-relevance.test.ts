import { describe, expect, it } from 'vitest';
import {
  isHandledByClass,
  isRelevantNamespaceChange,
  isRelevantServiceChange,
} from '../../../src/controller/relevance.js';

describe('isHandledByClass', () => {
  it.each([
    { rule: 'C11: no flag handles a Service without class', flag: '', serviceClass: undefined, want: true },
    {
      rule: 'C11: no flag ignores a Service with any class',
      flag: '',
      serviceClass: 'example.com/x',
      want: false,
    },
    {
      rule: 'C11: a flag handles only its own class',
      flag: 'example.com/x',
      serviceClass: 'example.com/x',
      want: true,
    },
    {
      rule: 'C11: a flag ignores Services without class',
      flag: 'example.com/x',
      serviceClass: undefined,
      want: false,
    },
  ])('$rule', ({ flag, serviceClass, want }) => {
    expect(
      isHandledByClass({ spec: serviceClass === undefined ? {} : { loadBalancerClass: serviceClass } }, flag),
    ).toBe(want);
  });
});

describe('watch relevance (diff before acting)', () => {
  const base = {
    metadata: { labels: { a: '1' }, annotations: {} },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: {} },
  };
  it.each([
    {
      rule: 'A38: a label change is relevant',
      current: { ...base, metadata: { ...base.metadata, labels: { a: '2' } } },
      want: true,
    },
    { rule: 'A40: a spec change is relevant', current: { ...base, spec: { type: 'ClusterIP' } }, want: true },
    {
      rule: 'A4: an ingress change (somebody else wrote status) is relevant',
      current: { ...base, status: { loadBalancer: { ingress: [{ ip: '203.0.113.1' }] } } },
      want: true,
    },
    {
      rule: 'diff: a resourceVersion-only update is not relevant',
      current: { ...base, metadata: { ...base.metadata, resourceVersion: '9' } },
      want: false,
    },
  ])('$rule', ({ current, want }) => {
    expect(isRelevantServiceChange(base, current)).toBe(want);
  });

  it('V5: a Namespace matters only through its labels', () => {
    expect(
      isRelevantNamespaceChange(
        { metadata: { labels: {} } },
        { metadata: { labels: {} }, spec: { finalizers: [] } },
      ),
    ).toBe(false);
    expect(
      isRelevantNamespaceChange({ metadata: { labels: {} } }, { metadata: { labels: { team: 'a' } } }),
    ).toBe(true);
  });
});
