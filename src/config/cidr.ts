import { type Address, FAMILY_BITS, type Family, formatAddress, parseAddress } from './address.js';
import { goQuote } from './go-format.js';

/** One CIDR of a pool: the inclusive range it covers, host bits masked (V2). */
export interface Cidr {
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
  readonly prefixLength: number;
  /** Go `net.IPNet.String()`, e.g. `198.51.100.0/24`. */
  readonly text: string;
}

/** The result of parsing one `spec.addresses` entry. */
export type CidrParse =
  | { readonly ok: true; readonly cidrs: readonly Cidr[] }
  | { readonly ok: false; readonly message: string };

/** Builds the CIDR of `prefixLength` bits that contains `address`. */
export function makeCidr(address: Address, prefixLength: number): Cidr {
  const hostBits = BigInt(FAMILY_BITS[address.family] - prefixLength);
  const first = (address.value >> hostBits) << hostBits;
  const last = first + (1n << hostBits) - 1n;
  const text = `${formatAddress({ family: address.family, value: first })}/${prefixLength}`;
  return { family: address.family, first, last, prefixLength, text };
}

/**
 * Parses one `spec.addresses` entry as MetalLB's `config.ParseCIDR` does: an entry containing `-`
 * is a `start-end` range (V3), anything else a CIDR read like Go `net.ParseCIDR` (V2).
 */
export function parseAddressesEntry(entry: string): CidrParse {
  if (!entry.includes('-')) return parseGoCidr(entry);
  return parseRange(entry);
}

/** V2: Go `net.ParseCIDR`: no trimming, a bare IP is invalid, host bits are masked. */
function parseGoCidr(entry: string): CidrParse {
  const invalid: CidrParse = { ok: false, message: `invalid CIDR ${goQuote(entry)}` };
  const slash = entry.indexOf('/');
  if (slash < 0) return invalid;
  const address = parseCidrAddress(entry.slice(0, slash));
  const lengthText = entry.slice(slash + 1);
  // Go's dtoi: decimal digits only (leading zeros allowed), the whole rest of the string.
  if (!address || !/^[0-9]{1,3}$/.test(lengthText)) return invalid;
  const prefixLength = Number(lengthText);
  if (prefixLength > FAMILY_BITS[address.family]) return invalid;
  return { ok: true, cidrs: [makeCidr(address, prefixLength)] };
}

/** Go's ParseCIDR sizes the prefix by the written form: `::ffff:a.b.c.d/n` is a 128-bit prefix. */
function parseCidrAddress(text: string): Address | undefined {
  const address = parseAddress(text);
  if (!address) return undefined;
  if (address.family === 'IPv4' && text.includes(':')) {
    return { family: 'IPv6', value: (0xffffn << 32n) | address.value };
  }
  return address;
}

/** V3: split on the first `-`, trim each side, summarise into the minimal ascending CIDR list. */
function parseRange(entry: string): CidrParse {
  const dash = entry.indexOf('-');
  const startText = entry.slice(0, dash);
  const endText = entry.slice(dash + 1);
  const start = parseAddress(startText.trim());
  if (!start)
    return {
      ok: false,
      message: `invalid IP range ${goQuote(entry)}: invalid start IP ${goQuote(startText)}`,
    };
  const end = parseAddress(endText.trim());
  if (!end)
    return { ok: false, message: `invalid IP range ${goQuote(entry)}: invalid end IP ${goQuote(endText)}` };
  if (start.family !== end.family) {
    return {
      ok: false,
      message: `invalid IP range ${goQuote(entry)}: start IP ${goQuote(formatAddress(start))} and end IP ${goQuote(formatAddress(end))} are of different families`,
    };
  }
  if (start.value > end.value) {
    return {
      ok: false,
      message: `invalid IP range ${goQuote(entry)}: start IP ${goQuote(formatAddress(start))} is after the end IP ${goQuote(formatAddress(end))}`,
    };
  }
  return { ok: true, cidrs: summarize(start.family, start.value, end.value) };
}

/** The minimal list of CIDRs covering [first, last], ascending (A17, mikioh/ipaddr Summarize). */
export function summarize(family: Family, first: bigint, last: bigint): Cidr[] {
  const bits = FAMILY_BITS[family];
  const cidrs: Cidr[] = [];
  let cursor = first;
  while (cursor <= last) {
    let hostBits = 0;
    // Grow the block while it stays aligned on `cursor` and inside the range.
    while (hostBits < bits) {
      const size = 1n << BigInt(hostBits + 1);
      if (cursor % size !== 0n || cursor + size - 1n > last) break;
      hostBits += 1;
    }
    cidrs.push(makeCidr({ family, value: cursor }, bits - hostBits));
    cursor += 1n << BigInt(hostBits);
  }
  return cidrs;
}

/** V8: two CIDRs overlap when one contains the other (aligned blocks never partly intersect). */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** Whether `address` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, address: Address): boolean {
  return cidr.family === address.family && cidr.first <= address.value && address.value <= cidr.last;
}
