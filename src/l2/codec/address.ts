// Text forms of MACs and IP addresses. Sets of owned addresses are keyed by the canonical text
// (dotted quad, RFC 5952 for IPv6) so that "2001:db8:1::a" and "2001:DB8:1:0::A" are one address.
import { IPV4_BYTES, IPV6_BYTES, MAC_BYTES } from './constants.js';

/** "aa:bb:cc:dd:ee:ff" for 6 bytes. */
export function formatMac(mac: Uint8Array): string {
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/** 6 bytes for "aa:bb:cc:dd:ee:ff" (case-insensitive, ':' or '-'), undefined when malformed. */
export function parseMac(text: string): Uint8Array | undefined {
  const parts = text.trim().split(/[:-]/);
  if (parts.length !== MAC_BYTES || !parts.every((part) => /^[0-9a-fA-F]{2}$/.test(part))) return undefined;
  return Uint8Array.from(parts, (part) => Number.parseInt(part, 16));
}

/** Dotted quad for 4 bytes. */
export function formatIPv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, IPV4_BYTES)).join('.');
}

/** 4 bytes for a dotted quad, undefined when malformed. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== IPV4_BYTES) return undefined;
  if (!parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255)) return undefined;
  return Uint8Array.from(parts, Number);
}

/** RFC 5952 text for 16 bytes: lower case, no leading zeros, the longest run (≥ 2) of zero groups as "::". */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let index = 0; index < IPV6_BYTES; index += 2)
    groups.push(((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < groups.length; start += 1) {
    let length = 0;
    while (groups[start + length] === 0) length += 1;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  const parts = text.split(':');
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIPv4(part);
      if (!ipv4) return undefined;
      groups.push(((ipv4[0] ?? 0) << 8) | (ipv4[1] ?? 0), ((ipv4[2] ?? 0) << 8) | (ipv4[3] ?? 0));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** 16 bytes for IPv6 text (with "::" and a dotted-quad tail), undefined when malformed or zoned. */
export function parseIPv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(IPV6_BYTES);
  groups.forEach((group, index) => {
    bytes[2 * index] = group >>> 8;
    bytes[2 * index + 1] = group & 0xff;
  });
  return bytes;
}

/** Canonical text of an IPv4 or IPv6 address, or undefined when `text` is neither. */
export function canonicalIp(text: string): { family: 4 | 6; text: string; bytes: Uint8Array } | undefined {
  const ipv4 = parseIPv4(text);
  if (ipv4) return { family: 4, text: formatIPv4(ipv4), bytes: ipv4 };
  const ipv6 = parseIPv6(text);
  if (ipv6) return { family: 6, text: formatIPv6(ipv6), bytes: ipv6 };
  return undefined;
}

/** The solicited-node multicast address ff02::1:ffXX:XXXX of `address` (RFC 4291 §2.7.1). */
export function solicitedNodeAddress(address: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(IPV6_BYTES);
  bytes.set([0xff, 0x02], 0);
  bytes.set([0x01, 0xff, address[13] ?? 0, address[14] ?? 0, address[15] ?? 0], 11);
  return bytes;
}

/** The Ethernet address 33:33 + the low 32 bits of an IPv6 multicast group (RFC 2464 §7). */
export function multicastMac(group: Uint8Array): Uint8Array {
  return new Uint8Array([0x33, 0x33, group[12] ?? 0, group[13] ?? 0, group[14] ?? 0, group[15] ?? 0]);
}
