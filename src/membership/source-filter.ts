// Which source addresses the gossip socket's kernel filter admits (issue 12 #6; docs/gossip.md
// "Kernel source filter"). Pure: the shell in udp.ts attaches the result to the socket.
import { canonicalIp } from '../l2/codec/address.js';

/** What to attach: the addresses (4 or 16 bytes), none at all, or none because there are too many. */
export type SourceFilterPlan =
  | { readonly kind: 'filter'; readonly addresses: readonly Uint8Array[] }
  | { readonly kind: 'none' }
  | { readonly kind: 'tooMany'; readonly count: number };

/**
 * The filter for an allow-list (name → address): undefined (no allow-list yet, e.g. Kubernetes
 * before the first pod list) or an empty one attaches none, as do more than `limit` addresses
 * (the caller logs that). An IPv4-mapped IPv6 address (a dual-stack socket reports IPv4 peers so)
 * also admits its IPv4 form: the kernel sees the IPv4 header. Unparsable addresses are skipped:
 * no datagram can come from them.
 */
export function planSourceFilter(
  allowed: ReadonlyMap<string, string> | undefined,
  limit: number,
): SourceFilterPlan {
  if (allowed === undefined) return { kind: 'none' };
  const unique = new Map<string, Uint8Array>();
  for (const address of allowed.values()) {
    const ip = canonicalIp(address);
    if (ip === undefined) continue;
    unique.set(ip.text, ip.bytes);
    const mapped = mappedIPv4(ip.bytes);
    if (mapped !== undefined) unique.set(mapped.join('.'), mapped);
  }
  if (unique.size === 0) return { kind: 'none' };
  if (unique.size > limit) return { kind: 'tooMany', count: unique.size };
  return { kind: 'filter', addresses: [...unique.values()] };
}

/** The IPv4 address inside ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), else undefined. */
function mappedIPv4(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length !== 16) return undefined;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return undefined;
  return bytes[10] === 0xff && bytes[11] === 0xff ? bytes.slice(12) : undefined;
}
