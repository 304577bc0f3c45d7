import { isIPv4, isIPv6 } from 'node:net';

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0xffff] as const;

/**
 * The text Go's `net.IP.String()` prints for `ip` (E9), or undefined when `ip` is not an IP:
 * IPv4 and IPv4-mapped IPv6 as a dotted quad, other IPv6 in RFC 5952 form (lowercase, the longest
 * run of two or more zero groups as `::`, the leftmost on a tie, a single zero group kept).
 */
export function goIPString(ip: string): string | undefined {
  if (isIPv4(ip)) return ip.split('.').map(Number).join('.');
  if (!isIPv6(ip) || ip.includes('%')) return undefined;
  const groups = ipv6Groups(ip);
  if (MAPPED_PREFIX.every((value, index) => groups[index] === value)) {
    const high = groups[6] ?? 0;
    const low = groups[7] ?? 0;
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return formatRfc5952(groups);
}

/** The eight 16-bit groups of a valid IPv6 text (node:net validated it). */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
  const headGroups = parse(head);
  if (tail === undefined) return headGroups;
  const tailGroups = parse(tail);
  const zeros = new Array<number>(8 - headGroups.length - tailGroups.length).fill(0);
  return [...headGroups, ...zeros, ...tailGroups];
}

/** RFC 5952 §4.2: compress the longest run (>= 2) of zero groups, the first one on a tie. */
function formatRfc5952(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < groups.length; ) {
    let end = start;
    while (end < groups.length && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end === start ? start + 1 : end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
