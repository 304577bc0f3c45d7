import {
  type Address,
  compareText,
  type Family,
  type FamilyPolicy,
  matchesSelector,
  type Pool,
} from '../config/index.js';
import type { AddressBook, SharingRequest } from './address-book.js';
import type { ServiceFamily } from './types.js';

/** The lowest usable address of each family in one pool (MetalLB's `Allocation`). */
export type FreeAddresses = Partial<Record<Family, Address>>;

/** MetalLB's family names in messages (`ipfamily.Family`). */
export const FAMILY_NAME: Readonly<Record<ServiceFamily, string>> = {
  IPv4: 'ipv4',
  IPv6: 'ipv6',
  dual: 'dual',
};

function minimum(values: readonly (bigint | undefined)[]): bigint | undefined {
  let lowest: bigint | undefined;
  for (const value of values)
    if (value !== undefined && (lowest === undefined || value < lowest)) lowest = value;
  return lowest;
}

/**
 * A18: per family, the first CIDR (in walk order, A17) with a usable address, and its lowest one.
 * Usable means free, or shareable with this request (A26), so partners pack onto the lowest
 * compatible address. In a shared pool an unused address is preferred, and packing onto a used
 * one happens only when no address of that family is free (DESIGN "Shared pools").
 */
export function freeAddresses(book: AddressBook, pool: Pool, request: SharingRequest): FreeAddresses {
  const found: FreeAddresses = {};
  pool.cidrs.forEach((cidr, position) => {
    if (found[cidr.family]) return;
    const free = book.lowestFree(pool.name, position);
    const shareable =
      pool.shared || request.key.sharing === '' ? [] : book.shareableIn(pool.name, position, request);
    const lowest = shareable.length === 0 ? free : minimum([free, ...shareable]);
    if (lowest !== undefined) found[cidr.family] = { family: cidr.family, value: lowest };
  });
  if (!pool.shared) return found;
  pool.cidrs.forEach((cidr, position) => {
    if (found[cidr.family]) return;
    const packed = minimum(book.shareableIn(pool.name, position, request));
    if (packed !== undefined) found[cidr.family] = { family: cidr.family, value: packed };
  });
  return found;
}

/**
 * `selectIPsForFamilyAndPolicy`: a single-family Service gets only its family; a dual one gets
 * [IPv4, IPv6] (A19), or under PreferDualStack whichever exists. Undefined when nothing fits.
 */
export function selectAddresses(
  found: FreeAddresses,
  family: ServiceFamily,
  policy: FamilyPolicy,
): Address[] | undefined {
  if (family !== 'dual') {
    const address = found[family];
    return address ? [address] : undefined;
  }
  if (found.IPv4 && found.IPv6) return [found.IPv4, found.IPv6];
  if (policy !== 'PreferDualStack') return undefined;
  const single = found.IPv4 ?? found.IPv6;
  return single ? [single] : undefined;
}

/** A22: the namespace must be listed (after namespaceSelectors) and one serviceSelector match. */
export function isPoolCompatible(
  pool: Pool,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  const allocation = pool.serviceAllocation;
  if (!allocation) return true;
  if (allocation.namespaces.length > 0 && !allocation.namespaces.includes(namespace)) return false;
  if (allocation.serviceSelectors.length === 0) return true;
  return allocation.serviceSelectors.some((selector) => matchesSelector(selector, labels));
}

/** Q2 fixed: priority ascending with 0 (unset) last, then name, so the order never varies. */
function comparePinned(a: Pool, b: Pool): number {
  const priorityA = a.serviceAllocation?.priority ?? 0;
  const priorityB = b.serviceAllocation?.priority ?? 0;
  if (priorityA !== priorityB) {
    if (priorityA === 0) return 1;
    if (priorityB === 0) return -1;
    return priorityA - priorityB;
  }
  return compareText(a.name, b.name);
}

/**
 * A15.2: pools pinned to the Service: listed for its namespace, or with serviceSelectors, or with
 * a serviceAllocation naming nothing (V6, pinned for all); autoAssign and compatible only.
 */
export function pinnedPools(
  pools: Iterable<Pool>,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): Pool[] {
  const pinned: Pool[] = [];
  for (const pool of pools) {
    const allocation = pool.serviceAllocation;
    if (!allocation || !pool.autoAssign || !isPoolCompatible(pool, namespace, labels)) continue;
    const matchesAll = allocation.namespaces.length === 0 && allocation.serviceSelectors.length === 0;
    if (matchesAll || allocation.namespaces.includes(namespace) || allocation.serviceSelectors.length > 0)
      pinned.push(pool);
  }
  return pinned.sort(comparePinned);
}

/** A15.3: pools with autoAssign and no serviceAllocation, by name (Q2: MetalLB uses map order). */
export function genericPools(pools: Iterable<Pool>): Pool[] {
  return [...pools]
    .filter((pool) => pool.autoAssign && !pool.serviceAllocation)
    .sort((a, b) => compareText(a.name, b.name));
}
