import { describe, expect, it } from 'vitest';
import { ALLOCATED_FROM_POOL } from '../../../src/config/annotations.js';
import { toJsonCount } from '../../../src/k8s/pool-status.js';
import { type ServiceLike, withAllocationStatus } from '../../../src/k8s/service-status.js';

const service = (ips: string[], pool?: string): ServiceLike => ({
  metadata: { annotations: { other: 'kept', ...(pool ? { [ALLOCATED_FROM_POOL]: pool } : {}) } },
  status: { loadBalancer: ips.length > 0 ? { ingress: ips.map((ip) => ({ ip })) } : {} },
});

describe('withAllocationStatus', () => {
  it.each([
    {
      rule: 'A11: a new allocation writes ingress and the pool annotation',
      from: service([]),
      desired: { ips: ['203.0.113.1'], pool: 'alpha' },
      want: service(['203.0.113.1'], 'alpha'),
    },
    {
      rule: 'A11: an unchanged allocation writes nothing',
      from: service(['203.0.113.1'], 'alpha'),
      desired: { ips: ['203.0.113.1'], pool: 'alpha' },
      want: undefined,
    },
    {
      rule: 'Q1: a reordered dual-stack list is written in the decided order, never re-sorted',
      from: service(['2001:db8:1::1', '203.0.113.1'], 'alpha'),
      desired: { ips: ['203.0.113.1', '2001:db8:1::1'], pool: 'alpha' },
      want: service(['203.0.113.1', '2001:db8:1::1'], 'alpha'),
    },
    {
      rule: 'A11: a clear empties loadBalancer and removes only the pool annotation',
      from: service(['203.0.113.1'], 'alpha'),
      desired: { ips: [], pool: undefined },
      want: service([]),
    },
  ])('$rule', ({ from, desired, want }) => {
    expect(withAllocationStatus(from, desired)).toEqual(want);
  });
});

describe('toJsonCount', () => {
  it.each([
    { rule: 'R2: small counts pass unchanged', count: 254n, want: 254 },
    {
      rule: 'Q17: counts beyond 2^53 - 1 saturate instead of rounding past int64',
      count: (1n << 63n) - 1n,
      want: Number.MAX_SAFE_INTEGER,
    },
  ])('$rule', ({ count, want }) => {
    expect(toJsonCount(count)).toBe(want);
  });
});
