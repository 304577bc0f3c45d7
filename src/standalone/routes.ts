// Local routes for owned VIPs (DESIGN "VIPs are never interface addresses"): the owner adds
// `local VIP dev lo table local proto 199` so the kernel accepts traffic for the VIP without the
// VIP ever being an interface address, and removes it when it loses the IP. Over rtnetlink, not
// iproute2 (issue 11). Host safety (issue 12 #4): a route is added with NLM_F_EXCL, never
// replaced, and refused when the VIP is an address of this host or table local already routes it
// for someone else (the kernel's own local route of a host address); only routes carrying
// ferrolb's protocol number are ever deleted.
import { canonicalAddress } from '../config/index.js';
import {
  addLocalTableRoute,
  deleteLocalTableRoute,
  hostAddresses,
  type LocalTableRoute,
  readLocalTableRoutes,
  readNetlinkDump,
} from '../l2/index.js';

/**
 * Routing protocol number that marks ferrolb's routes, so a restart can find and remove the
 * routes a killed process left behind without touching anyone else's (unassigned in
 * /etc/iproute2/rt_protos).
 */
export const ROUTE_PROTOCOL_NUMBER = 199;
/** The same number as iproute2's `proto` argument takes it (test helpers). */
export const ROUTE_PROTOCOL = String(ROUTE_PROTOCOL_NUMBER);

/** rtm_protocol values iproute2 names (linux/rtnetlink.h RTPROT_*), for refusal messages. */
const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 2: 'kernel', 3: 'boot', 4: 'static' };

/** Why a VIP's local route was not added: the host would be damaged by announcing it. */
export class RouteRefusedError extends Error {
  constructor(
    message: string,
    readonly ip: string,
    readonly reason: 'hostAddress' | 'foreignRoute',
  ) {
    super(message);
    this.name = 'RouteRefusedError';
  }
}

function same(left: string, right: string): boolean {
  return (canonicalAddress(left) ?? left) === (canonicalAddress(right) ?? right);
}

function hostRoute(ip: string): LocalTableRoute | undefined {
  const length = ip.includes(':') ? 128 : 32;
  return readLocalTableRoutes().find((route) => route.prefixLength === length && same(route.destination, ip));
}

function refuseForeign(ip: string, route: LocalTableRoute): RouteRefusedError {
  const owner = PROTOCOL_NAMES[route.protocol] ?? `protocol ${route.protocol}`;
  return new RouteRefusedError(
    `${ip}: table local already has a route for it (owned by ${owner}): refusing to announce it, the route is left alone`,
    ip,
    'foreignRoute',
  );
}

/** The addresses configured on this host's interfaces, every family and scope. */
export function readHostAddresses(): string[] {
  return hostAddresses(readNetlinkDump());
}

/**
 * Adds (or keeps) ferrolb's local route for `ip`. Throws RouteRefusedError when `ip` is an address
 * of this host or table local already holds another owner's route for it; nothing is changed then.
 */
export async function addLocalRoute(ip: string): Promise<void> {
  if (readHostAddresses().some((address) => same(address, ip)))
    throw new RouteRefusedError(
      `${ip} is an address of this host: refusing to announce it (the host keeps its address and route)`,
      ip,
      'hostAddress',
    );
  const existing = hostRoute(ip);
  if (existing?.protocol === ROUTE_PROTOCOL_NUMBER) return;
  if (existing) throw refuseForeign(ip, existing);
  try {
    addLocalTableRoute(ip, ROUTE_PROTOCOL_NUMBER);
  } catch (error) {
    // Someone added one between the check and the add: decide again on what is there now.
    const raced = (error as { errno?: string }).errno === 'EEXIST' ? hostRoute(ip) : undefined;
    if (raced?.protocol === ROUTE_PROTOCOL_NUMBER) return;
    if (raced) throw refuseForeign(ip, raced);
    throw error;
  }
}

/** Removes ferrolb's local route for `ip`; a route already gone, or another owner's, is left as is. */
export async function removeLocalRoute(ip: string): Promise<void> {
  deleteLocalTableRoute(ip, ROUTE_PROTOCOL_NUMBER);
}

/** The VIPs that currently have a ferrolb local route. */
export async function listLocalRoutes(): Promise<string[]> {
  return readLocalTableRoutes()
    .filter((route) => route.protocol === ROUTE_PROTOCOL_NUMBER)
    .map((route) => route.destination);
}

/** Removes every route ferrolb added, in both families (leftovers of a killed process). */
export async function flushLocalRoutes(): Promise<void> {
  for (const ip of await listLocalRoutes()) deleteLocalTableRoute(ip, ROUTE_PROTOCOL_NUMBER);
}
