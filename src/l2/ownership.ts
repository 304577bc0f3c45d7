// Which owned IPs each interface answers and announces (MetalLB L8, L13, L14; Q12). Pure.
import { setDefined } from '../shapes.js';
import { canonicalIp, formatMac, multicastMac, solicitedNodeAddress } from './codec/index.js';

/** One owned IP in canonical form with the interfaces its advertisements allow (undefined = all, L13). */
export interface OwnedAddress {
  readonly ip: string;
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  readonly interfaces?: readonly string[];
}

// The same IP written two ways: its interface lists merge, and "all interfaces" wins (L13 union).
function mergeInterfaces(
  previous: OwnedAddress | undefined,
  next: readonly string[] | undefined,
): readonly string[] | undefined {
  if (!previous) return next;
  if (previous.interfaces === undefined || next === undefined) return undefined;
  return [...new Set([...previous.interfaces, ...next])];
}

/** Canonicalizes the speaker's map; invalid IPs are returned apart so the shell can log them (never crash). */
export function canonicalOwned(owned: ReadonlyMap<string, { readonly interfaces?: readonly string[] }>): {
  addresses: Map<string, OwnedAddress>;
  invalid: string[];
} {
  const addresses = new Map<string, OwnedAddress>();
  const invalid: string[] = [];
  for (const [text, announcement] of owned) {
    const parsed = canonicalIp(text);
    if (!parsed) {
      invalid.push(text);
      continue;
    }
    const interfaces = mergeInterfaces(addresses.get(parsed.text), announcement.interfaces);
    const address: OwnedAddress = { ip: parsed.text, family: parsed.family, bytes: parsed.bytes };
    setDefined(address, 'interfaces', interfaces);
    addresses.set(parsed.text, address);
  }
  return { addresses, invalid };
}

/** The IPs of `family` that `interfaceName` answers for (L8: owned and allowed on this interface). */
export function addressesOn(
  addresses: ReadonlyMap<string, OwnedAddress>,
  interfaceName: string,
  family: 4 | 6,
): OwnedAddress[] {
  return [...addresses.values()].filter(
    (address) =>
      address.family === family &&
      (address.interfaces === undefined || address.interfaces.includes(interfaceName)),
  );
}

/**
 * The multicast MACs an NDP socket must have joined for its IPv6 addresses: one per distinct
 * solicited-node group, so two VIPs sharing the low 24 bits share one membership (L12, L14).
 */
export function solicitedNodeGroups(addresses: readonly OwnedAddress[]): Map<string, Uint8Array> {
  const groups = new Map<string, Uint8Array>();
  for (const address of addresses) {
    if (address.family !== 6) continue;
    const mac = multicastMac(solicitedNodeAddress(address.bytes));
    groups.set(formatMac(mac), mac);
  }
  return groups;
}

/** Announcement key of one IP on one interface. */
export function announcementKey(interfaceName: string, ip: string): string {
  return `${interfaceName}|${ip}`;
}

/** Splits a key made by announcementKey (interface names never contain '|'). */
export function splitAnnouncementKey(key: string): { interfaceName: string; ip: string } {
  const separator = key.indexOf('|');
  return { interfaceName: key.slice(0, separator), ip: key.slice(separator + 1) };
}

/** Keys present in `next` but not `previous`, and the reverse. */
export function diffKeys(
  previous: ReadonlySet<string>,
  next: ReadonlySet<string>,
): { gained: string[]; lost: string[] } {
  return {
    gained: [...next].filter((key) => !previous.has(key)),
    lost: [...previous].filter((key) => !next.has(key)),
  };
}
