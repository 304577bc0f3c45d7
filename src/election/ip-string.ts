import { formatAddress, parseAddress } from '../config/address.js';

/**
 * The text Go's `net.IP.String()` prints for `ip` (E9), or undefined when `ip` is not an IP:
 * IPv4 and IPv4-mapped IPv6 as a dotted quad, other IPv6 in RFC 5952 form. The config module's
 * Go-compatible parser and formatter are the one implementation of these rules.
 */
export function goIPString(ip: string): string | undefined {
  const address = parseAddress(ip);
  return address === undefined ? undefined : formatAddress(address);
}
