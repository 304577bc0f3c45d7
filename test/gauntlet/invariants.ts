// Pure invariant checks over what the API server shows and what the gauntlet applied (issue 7
// item 2). Each returns the violations it found as plain strings naming the objects; none does I/O.
import { FAMILY_BITS, parseAddress } from '../../src/config/address.js';
import { hashOrder } from '../../src/election/index.js';
import { NODE_NAMES, type PoolModel, type PortModel, type ServiceModel, type World } from './model.js';

/** A Service as read back from the API server. */
export interface ObservedService {
  readonly key: string;
  readonly namespace: string;
  readonly uid: string;
  readonly ips: readonly string[];
  readonly sharingKey?: string;
  readonly ports: readonly PortModel[];
  readonly local: boolean;
  readonly loadBalancer: boolean;
}

/** Whether a pool `addresses` entry (CIDR or `start-end`, either family) contains `ip` (V2, V3). */
export function entryContains(entry: string, ip: string): boolean {
  const address = parseAddress(ip);
  if (address === undefined) return false;
  if (entry.includes('-')) {
    const [start, end] = entry.split('-').map((side) => parseAddress(side.trim()));
    if (start?.family !== address.family || end?.family !== address.family) return false;
    return address.value >= start.value && address.value <= end.value;
  }
  const [baseText, bitsText] = entry.split('/');
  const base = parseAddress(baseText ?? '');
  const bits = Number(bitsText);
  if (base?.family !== address.family || !Number.isInteger(bits)) return false;
  const hostBits = BigInt(FAMILY_BITS[address.family] - bits);
  return address.value >> hostBits === base.value >> hostBits;
}

/** The applied pool holding `ip`, if any. */
export function poolOf(world: World, ip: string): PoolModel | undefined {
  return [...world.pools.values()].find((pool) => pool.addresses.some((entry) => entryContains(entry, ip)));
}

/** Every held IP lies in a pool that allows the Service holding it (A21, A22, V5). */
export function poolViolations(world: World, services: readonly ObservedService[]): string[] {
  const found: string[] = [];
  for (const service of services) {
    for (const ip of service.ips) {
      const pool = poolOf(world, ip);
      if (!pool) found.push(`${service.key} holds ${ip}, which no pool contains`);
      else if (pool.namespaces && !pool.namespaces.includes(service.namespace)) {
        found.push(`${service.key} holds ${ip} of pool ${pool.name}, pinned to ${pool.namespaces.join(',')}`);
      }
    }
  }
  return found;
}

function portsCollide(first: ObservedService, second: ObservedService): PortModel | undefined {
  return first.ports.find((port) =>
    second.ports.some((other) => other.port === port.port && other.protocol === port.protocol),
  );
}

/** No address is held by two Services that may not share it (A26-A29). */
export function sharingViolations(services: readonly ObservedService[]): string[] {
  const byIp = new Map<string, ObservedService[]>();
  for (const service of services) {
    for (const ip of service.ips) byIp.set(ip, [...(byIp.get(ip) ?? []), service]);
  }
  const found: string[] = [];
  for (const [ip, holders] of byIp) {
    for (let first = 0; first < holders.length; first += 1) {
      for (let second = first + 1; second < holders.length; second += 1) {
        const a = holders[first] as ObservedService;
        const b = holders[second] as ObservedService;
        if (!a.sharingKey || a.sharingKey !== b.sharingKey) {
          found.push(
            `${ip} held by ${a.key} and ${b.key} with sharing keys "${a.sharingKey ?? ''}" / "${b.sharingKey ?? ''}"`,
          );
        }
        const port = portsCollide(a, b);
        if (port) found.push(`${ip} held by ${a.key} and ${b.key}, both on ${port.protocol}/${port.port}`);
      }
    }
  }
  return found;
}

/** A Service's IPs by key, for restart comparisons. */
export function ipsByService(services: readonly ObservedService[]): Map<string, string> {
  return new Map(services.filter((service) => service.ips.length > 0).map((s) => [s.key, s.ips.join(',')]));
}

/** Services whose IPs differ between two snapshots (present with IPs in both). */
export function movedIps(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  return [...before]
    .filter(([key, ips]) => after.get(key) !== ips)
    .map(([key, ips]) => `${key}: ${ips} -> ${after.get(key) ?? '(none)'}`);
}

function advertisedNodes(world: World, pool: string): string[] | undefined {
  const ads = [...world.advertisements.values()].filter((ad) => ad.pools.includes(pool));
  if (ads.length === 0) return undefined;
  return world.nodes
    .filter((node) => ads.some((ad) => ad.zone === undefined || ad.zone === node.zone))
    .map((node) => node.name);
}

/** A Service holding an IP, with the IP its election hashes: its first ingress IP (E9). */
export interface Holder {
  readonly service: ServiceModel;
  readonly firstIp: string;
}

/**
 * The node announcing every IP of `holder` (E1-E9 plus DESIGN's extras): first in hash order of
 * its first ingress IP among live, advertised, eligible nodes; undefined when nobody may announce it.
 */
export function holderOwner(world: World, holder: Holder, live: readonly string[]): string | undefined {
  const { service, firstIp } = holder;
  const pool = poolOf(world, firstIp);
  if (!pool || !service.loadBalancer || service.readyNodes.length === 0) return undefined; // E1
  const advertised = advertisedNodes(world, pool.name);
  if (!advertised) return undefined; // A20
  const eligible = world.nodes
    .filter((node) => live.includes(node.name) && advertised.includes(node.name))
    .filter((node) => !node.excluded && !node.networkUnavailable && !node.outOfService)
    .map((node) => node.name);
  const candidates = service.local ? eligible.filter((name) => service.readyNodes.includes(name)) : eligible;
  return hashOrder(candidates, firstIp)[0];
}

/**
 * The nodes that must answer for `ip`, sorted: each holder's owner. Holders of one IP hash the same
 * first IP when they share within one family (the churn's sharing keys are per family), so this is
 * one node; holders hashing different first IPs may elect different nodes, as MetalLB does (E9).
 */
export function expectedOwners(
  world: World,
  context: { live: readonly string[]; holders: readonly Holder[] },
): string[] {
  const owners = context.holders.map((holder) => holderOwner(world, holder, context.live));
  return [...new Set(owners.filter((owner): owner is string => owner !== undefined))].sort();
}

/** The live-node list used while everything runs. */
export const ALL_NODES: readonly string[] = NODE_NAMES;
