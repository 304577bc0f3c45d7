import { describe, expect, it } from 'vitest';
import { decideLease, type LeaseRecord } from '../../../src/k8s/lease-decision.js';

const record = (holderIdentity: string | undefined, leaseTransitions = 3): LeaseRecord => ({
  holderIdentity,
  leaseDurationSeconds: 15,
  leaseTransitions,
});

describe('decideLease (client-go tryAcquireOrRenew)', () => {
  it.each([
    {
      rule: 'Lease: no Lease yet is created',
      lease: undefined,
      observedAtMs: 0,
      nowMs: 0,
      want: { action: 'create' },
    },
    {
      rule: 'Lease: our own Lease is renewed',
      lease: record('me'),
      observedAtMs: 0,
      nowMs: 99_000,
      want: { action: 'renew' },
    },
    {
      rule: 'Lease: another live holder makes us wait',
      lease: record('other'),
      observedAtMs: 10_000,
      nowMs: 24_999,
      want: { action: 'wait', holder: 'other' },
    },
    {
      rule: 'Lease: a holder unseen for the lease duration is taken over, counting a transition',
      lease: record('other'),
      observedAtMs: 10_000,
      nowMs: 25_000,
      want: { action: 'acquire', transitions: 4 },
    },
    {
      rule: 'Lease: a released Lease (empty holder) is taken at once',
      lease: record(''),
      observedAtMs: 10_000,
      nowMs: 10_001,
      want: { action: 'acquire', transitions: 4 },
    },
  ])('$rule', ({ lease, observedAtMs, nowMs, want }) => {
    expect(decideLease(lease, { identity: 'me', observedAtMs, nowMs })).toEqual(want);
  });
});
