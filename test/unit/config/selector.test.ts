import { describe, expect, it } from 'vitest';
import { type LabelSelector, matchesSelector, selectorKey } from '../../../src/config/selector.js';

describe('label selectors', () => {
  it.each([
    { rule: 'selector: empty matches all', selector: {}, labels: { a: '1' }, want: true },
    {
      rule: 'selector: matchLabels equal',
      selector: { matchLabels: { a: '1' } },
      labels: { a: '1', b: '2' },
      want: true,
    },
    {
      rule: 'selector: matchLabels differs',
      selector: { matchLabels: { a: '1' } },
      labels: { a: '2' },
      want: false,
    },
    {
      rule: 'selector: In',
      selector: { matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '3'] }] },
      labels: { a: '3' },
      want: true,
    },
    {
      rule: 'selector: NotIn with key absent',
      selector: { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] },
      labels: {},
      want: true,
    },
    {
      rule: 'selector: Exists',
      selector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] },
      labels: {},
      want: false,
    },
    {
      rule: 'selector: DoesNotExist',
      selector: { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] },
      labels: { b: '' },
      want: true,
    },
  ] as { rule: string; selector: LabelSelector; labels: Record<string, string>; want: boolean }[])(
    '$rule',
    ({ selector, labels, want }) => {
      expect(matchesSelector(selector, labels)).toBe(want);
    },
  );

  it('selector: key is independent of label order', () => {
    expect(selectorKey({ matchLabels: { b: '2', a: '1' } })).toBe(
      selectorKey({ matchLabels: { a: '1', b: '2' } }),
    );
  });
});
