import type { CustomObjectsApi } from './api/index.js';

/** IPAddressPool.status (R2). Counts come from the allocator; bigint so IPv6 sizes stay exact. */
export interface PoolStatusCounts {
  readonly assignedIPv4: bigint;
  readonly assignedIPv6: bigint;
  readonly availableIPv4: bigint;
  readonly availableIPv6: bigint;
}

/**
 * JSON carries numbers as doubles in client-node, so a count above 2^53 − 1 would be rounded up past
 * MaxInt64 and rejected by the int64 schema. Such counts (huge IPv6 CIDRs, R2/Q17) saturate here
 * instead, one step below MetalLB's MaxInt64.
 */
export function toJsonCount(count: bigint): number {
  return count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
}

/** Writes a pool's status counts with a merge patch (CRDs do not take strategic merge, toolchain §4). */
export async function writePoolStatus(
  custom: CustomObjectsApi,
  pool: { namespace: string; name: string },
  counts: PoolStatusCounts,
): Promise<void> {
  await custom.patchNamespacedCustomObjectStatus({
    group: 'metallb.io',
    version: 'v1beta1',
    plural: 'ipaddresspools',
    namespace: pool.namespace,
    name: pool.name,
    body: {
      status: {
        assignedIPv4: toJsonCount(counts.assignedIPv4),
        assignedIPv6: toJsonCount(counts.assignedIPv6),
        availableIPv4: toJsonCount(counts.availableIPv4),
        availableIPv6: toJsonCount(counts.availableIPv6),
      },
    },
  });
}
