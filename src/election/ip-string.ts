import { formatAddress, parseAddress } from '../config/address.js';

/** Distinct IPs remembered; a full cache starts over (every Service's IPs are asked on every run). */
const CACHE_LIMIT = 16_384;
const cache = new Map<string, string | undefined>();

/**
 * The text Go's `net.IP.String()` prints for `ip` (E9), or undefined when `ip` is not an IP:
 * IPv4 and IPv4-mapped IPv6 as a dotted quad, other IPv6 in RFC 5952 form. The config module's
 * Go-compatible parser and formatter are the one implementation of these rules. Remembered: a
 * speaker asks for the same IPs on every reconcile (issue 14 profile: parsing was 10 % of a run).
 */
export function goIPString(ip: string): string | undefined {
  if (cache.has(ip)) return cache.get(ip);
  const address = parseAddress(ip);
  const text = address === undefined ? undefined : formatAddress(address);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(ip, text);
  return text;
}
