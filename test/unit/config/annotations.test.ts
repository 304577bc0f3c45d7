import { describe, expect, it } from 'vitest';
import { Annotation, readAnnotation } from '../../../src/config/annotations.js';

describe('annotation lookup', () => {
  it.each([
    {
      rule: 'N1: current key wins',
      given: { 'metallb.io/address-pool': 'a', 'metallb.universe.tf/address-pool': 'b' },
      want: 'a',
    },
    {
      rule: 'N1: current key wins even when empty',
      given: { 'metallb.io/address-pool': '', 'metallb.universe.tf/address-pool': 'b' },
      want: '',
    },
    {
      rule: 'N1: deprecated key read when current absent',
      given: { 'metallb.universe.tf/address-pool': 'b' },
      want: 'b',
    },
    { rule: 'N1: neither key gives undefined', given: {}, want: undefined },
  ] as { rule: string; given: Record<string, string>; want: string | undefined }[])(
    '$rule',
    ({ given, want }) => {
      expect(readAnnotation(given, Annotation.addressPool)).toBe(want);
    },
  );
});
