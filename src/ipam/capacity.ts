import {
  type Cidr,
  FAMILY_BITS,
  HUGE_CIDR_HOST_BITS,
  isBuggyAddress,
  MAX_INT64,
  type Pool,
} from '../config/index.js';

/** Usable addresses of a pool (M3, R2), each count saturating at MaxInt64 (Q17). */
export interface PoolCapacity {
  readonly total: bigint;
  readonly ipv4: bigint;
  readonly ipv6: bigint;
}

function saturatingAdd(a: bigint, b: bigint): bigint {
  const sum = a + b;
  // biome-ignore lint/complexity/useMathMinMax: Math.min does not accept bigint.
  return sum > MAX_INT64 ? MAX_INT64 : sum;
}

/**
 * A33: a CIDR of /24 or larger loses 2 addresses per /24 to avoidBuggyIPs; a smaller one loses one
 * for each of its first and last addresses that ends in .0 or .255.
 */
export function cidrCapacity(cidr: Cidr, avoidBuggyIPs: boolean): bigint {
  const hostBits = FAMILY_BITS[cidr.family] - cidr.prefixLength;
  // R2: MetalLB reports MaxInt64 for an IPv6 CIDR this large; kept for the metric contract.
  if (hostBits >= HUGE_CIDR_HOST_BITS) return MAX_INT64;
  let size = 1n << BigInt(hostBits);
  if (!avoidBuggyIPs || cidr.family !== 'IPv4') return size;
  if (cidr.prefixLength <= 24) return size - (1n << BigInt(24 - cidr.prefixLength)) * 2n;
  if (isBuggyAddress({ family: 'IPv4', value: cidr.first })) size -= 1n;
  if (cidr.last !== cidr.first && isBuggyAddress({ family: 'IPv4', value: cidr.last })) size -= 1n;
  return size;
}

/** M3: capacity = CIDR sizes minus buggy IPs, per family and in total, saturating (Q17). */
export function poolCapacity(pool: Pool): PoolCapacity {
  let ipv4 = 0n;
  let ipv6 = 0n;
  for (const cidr of pool.cidrs) {
    const size = cidrCapacity(cidr, pool.avoidBuggyIPs);
    if (cidr.family === 'IPv4') ipv4 = saturatingAdd(ipv4, size);
    else ipv6 = saturatingAdd(ipv6, size);
  }
  return { total: saturatingAdd(ipv4, ipv6), ipv4, ipv6 };
}
