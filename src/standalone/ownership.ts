// Which VIPs this node owns, from the allocation every node computes identically and the members
// alive in gossip (issue 5 item 2). Pure: the shell feeds it data and applies the result.
import {
  type ElectionAdvertisement,
  type ElectionNode,
  electOwner,
  type InterfaceHealth,
  shouldAnnounce,
} from '../election/index.js';

/** One allocated Service as the standalone election needs it. */
export interface StandaloneService {
  /** `namespace/name`. */
  readonly key: string;
  /** The allocated IPs in written order; ingress[0] is hashed (E9). */
  readonly ips: readonly string[];
  readonly pool: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** The L2Advertisements covering the Service's pool (V11). */
  readonly advertisements: readonly ElectionAdvertisement[];
}

/** Everything one ownership computation needs. */
export interface OwnershipInput {
  readonly nodeName: string;
  readonly services: readonly StandaloneService[];
  /** Every configured member as a Node (with its labels). */
  readonly members: readonly ElectionNode[];
  /** Members alive or suspect in gossip (E5). */
  readonly liveMembers: readonly string[];
  readonly interfaceHealth?: InterfaceHealth;
}

/** Interfaces to announce one IP on; undefined means every selected interface (L13). */
export interface OwnedAnnouncement {
  readonly interfaces?: readonly string[];
}

/** The result: what this node announces, and who owns each IP cluster-wide (for logs, metrics). */
export interface Ownership {
  readonly owned: ReadonlyMap<string, OwnedAnnouncement>;
  /** IP → elected owner; absent when no member may announce it. */
  readonly owners: ReadonlyMap<string, string>;
  /** IP → the Services using it (shared IPs list several). */
  readonly servicesByIP: ReadonlyMap<string, readonly string[]>;
}

/**
 * Elects the owner of every Service's IPs over the live members. Standalone Services have no
 * endpoints, so every member is eligible (the election's "no endpoint information" input);
 * nodeSelectors still apply, against the members' labels.
 */
export function computeOwnership(input: OwnershipInput): Ownership {
  const owned = new Map<string, OwnedAnnouncement>();
  const owners = new Map<string, string>();
  const servicesByIP = new Map<string, string[]>();
  for (const service of input.services) {
    const election = {
      service: {
        key: service.key,
        labels: service.labels,
        annotations: service.annotations,
        ingressIPs: service.ips,
      },
      advertisements: service.advertisements,
      nodes: input.members,
      liveMembers: input.liveMembers,
      interfaceHealth: input.interfaceHealth,
    };
    for (const ip of service.ips) servicesByIP.set(ip, [...(servicesByIP.get(ip) ?? []), service.key]);
    const result = electOwner(election);
    if (result.ok) for (const ip of service.ips) owners.set(ip, result.owner);
    const decision = shouldAnnounce({ ...election, nodeName: input.nodeName });
    if (!decision.announce) continue;
    const interfaces = decision.interfaces === 'all' ? undefined : decision.interfaces;
    for (const ip of decision.ips) owned.set(ip, mergeInterfaces(owned.get(ip), interfaces));
  }
  return { owned, owners, servicesByIP };
}

/** Two Services sharing an IP announce it on the union of their interfaces (L13). */
function mergeInterfaces(
  existing: OwnedAnnouncement | undefined,
  interfaces?: readonly string[],
): OwnedAnnouncement {
  if (!existing) return interfaces ? { interfaces } : {};
  if (!existing.interfaces || !interfaces) return {};
  return { interfaces: [...new Set([...existing.interfaces, ...interfaces])].sort() };
}

/** The change between two owned sets: IPs to start and stop announcing. */
export function diffOwned(
  previous: ReadonlyMap<string, OwnedAnnouncement>,
  next: ReadonlyMap<string, OwnedAnnouncement>,
): { readonly gained: readonly string[]; readonly lost: readonly string[] } {
  return {
    gained: [...next.keys()].filter((ip) => !previous.has(ip)),
    lost: [...previous.keys()].filter((ip) => !next.has(ip)),
  };
}
