// Pure invariant checks over what the API server shows and what the gauntlet applied (issue 7
// item 2). Each returns the violations it found as plain strings naming the objects; none does I/O.
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

function ipv4Number(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) {
    return undefined;
  }
  return (
    (((parts[0] as number) << 24) |
      ((parts[1] as number) << 16) |
      ((parts[2] as number) << 8) |
      (parts[3] as number)) >>>
    0
  );
}

/** Whether a pool `addresses` entry (CIDR or `start-end`) contains the IPv4 `ip`. */
export function entryContains(entry: string, ip: string): boolean {
  const value = ipv4Number(ip);
  if (value === undefined) return false;
  if (entry.includes('-')) {
    const [start, end] = entry.split('-').map((side) => ipv4Number(side.trim()));
    return start !== undefined && end !== undefined && value >= start && value <= end;
  }
  const [base, bitsText] = entry.split('/');
  const baseValue = ipv4Number(base ?? '');
  const bits = Number(bitsText);
  if (baseValue === undefined || !Number.isInteger(bits)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (value & mask) >>> 0 === (baseValue & mask) >>> 0;
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

/**
 * The node that must answer for `ip` (E1-E8 plus DESIGN's extras): first in hash order among live,
 * advertised, eligible nodes, for any announcing holder; undefined when nobody may announce it.
 */
export function expectedOwner(
  world: World,
  ip: string,
  context: { live: readonly string[]; holders: readonly ServiceModel[] },
): string | undefined {
  const { live } = context;
  const pool = poolOf(world, ip);
  const holders = context.holders.filter((service) => service.loadBalancer);
  if (!pool || holders.length === 0) return undefined;
  const advertised = advertisedNodes(world, pool.name);
  if (!advertised) return undefined;
  const eligible = world.nodes
    .filter((node) => live.includes(node.name) && advertised.includes(node.name))
    .filter((node) => !node.excluded && !node.networkUnavailable && !node.outOfService)
    .map((node) => node.name);
  const owners = new Set<string>();
  for (const holder of holders) {
    if (holder.readyNodes.length === 0) continue; // E1: nothing can serve
    const candidates = holder.local ? eligible.filter((name) => holder.readyNodes.includes(name)) : eligible;
    const owner = hashOrder(candidates, ip)[0];
    if (owner) owners.add(owner);
  }
  // The generator never lets Local Services share an IP, so holders agree (E9: one hash per IP).
  return [...owners][0];
}

/** The live-node list used while everything runs. */
export const ALL_NODES: readonly string[] = NODE_NAMES;
