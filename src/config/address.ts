/** An IP family, spelled as Kubernetes spells `spec.ipFamilies`. */
export type Family = 'IPv4' | 'IPv6';

/** One IP address as a number: IPv4 in 32 bits, IPv6 in 128 bits. */
export interface Address {
  readonly family: Family;
  readonly value: bigint;
}

/** Number of bits in an address of each family. */
export const FAMILY_BITS: Readonly<Record<Family, number>> = { IPv4: 32, IPv6: 128 };

const IPV4_MAPPED_PREFIX = 0xffffn << 32n;
const IPV4_MAPPED_MASK = ~0xffffffffn & ((1n << 128n) - 1n);

/**
 * Parses an IP address with Go `net.ParseIP` semantics: dotted-quad IPv4 without leading zeros,
 * IPv6 with at most one `::` and an optional trailing dotted quad, no zone. An IPv4-mapped IPv6
 * address (`::ffff:1.2.3.4`) is IPv4, as Go's `To4()` makes it (E9, A31).
 */
export function parseAddress(text: string): Address | undefined {
  if (text.includes(':')) {
    const value = parseIPv6(text);
    if (value === undefined) return undefined;
    if ((value & IPV4_MAPPED_MASK) === IPV4_MAPPED_PREFIX) {
      return { family: 'IPv4', value: value & 0xffffffffn };
    }
    return { family: 'IPv6', value };
  }
  const value = parseIPv4(text);
  return value === undefined ? undefined : { family: 'IPv4', value: BigInt(value) };
}

function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    // Go (since 1.17) rejects leading zeros: they were read as octal by some C libraries.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '', halves.length === 1);
  if (head === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? joinGroups(head) : undefined;
  const tail = parseGroups(halves[1] ?? '', true);
  if (tail === undefined) return undefined;
  // `::` stands for at least one zero group.
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return joinGroups([...head, ...new Array<number>(missing).fill(0), ...tail]);
}

/** Hex groups of one side of `::`; a trailing dotted quad is allowed only at the very end. */
function parseGroups(text: string, mayEndWithIPv4: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && mayEndWithIPv4 && part.includes('.')) {
      const ipv4 = parseIPv4(part);
      if (ipv4 === undefined) return undefined;
      groups.push(Math.floor(ipv4 / 65536), ipv4 % 65536);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
      groups.push(Number.parseInt(part, 16));
    }
  }
  return groups;
}

function joinGroups(groups: readonly number[]): bigint {
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return value;
}

/**
 * Formats an address as Go's `net.IP.String()` does: IPv4 as a dotted quad; IPv6 per RFC 5952
 * §4 (lowercase, the longest run of two or more zero groups becomes `::`, leftmost on a tie).
 */
export function formatAddress(address: Address): string {
  if (address.family === 'IPv4') {
    const value = Number(address.value);
    return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
  }
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((address.value >> shift) & 0xffffn));
  const [runStart, runLength] = longestZeroRun(groups);
  if (runLength < 2) return groups.map((group) => group.toString(16)).join(':');
  const head = groups.slice(0, runStart).map((group) => group.toString(16));
  const tail = groups.slice(runStart + runLength).map((group) => group.toString(16));
  return `${head.join(':')}::${tail.join(':')}`;
}

function longestZeroRun(groups: readonly number[]): [number, number] {
  let bestStart = -1;
  let bestLength = 0;
  let start = -1;
  for (let index = 0; index <= groups.length; index += 1) {
    if (index < groups.length && groups[index] === 0) {
      if (start < 0) start = index;
      continue;
    }
    if (start >= 0 && index - start > bestLength) {
      bestStart = start;
      bestLength = index - start;
    }
    start = -1;
  }
  return [bestStart, bestLength];
}

/** The canonical text of an address given as text, or undefined when it does not parse. */
export function canonicalAddress(text: string): string | undefined {
  const address = parseAddress(text);
  return address ? formatAddress(address) : undefined;
}

/**
 * A31: an IPv4 address whose last octet is 0 or 255 confuses the smurf protection of some CPE
 * firmware, which drops its traffic; avoidBuggyIPs excludes it whatever the prefix length.
 */
export function isBuggyAddress(address: Address): boolean {
  if (address.family !== 'IPv4') return false;
  const lastOctet = address.value & 0xffn;
  return lastOctet === 0n || lastOctet === 255n;
}
