import {
  type Address,
  cidrContains,
  type Family,
  formatAddress,
  goQuote,
  isBuggyAddress,
  type Pool,
  type ServicePort,
} from '../config/index.js';
import { FreeIndex } from './free-index.js';
import { portText, type SharingKey, sharingError } from './sharing.js';

/** One Service's allocation (MetalLB `alloc`): pool, addresses in written order, ports, keys. */
export interface Holding {
  readonly pool: string;
  readonly addresses: readonly Address[];
  readonly ips: readonly string[];
  readonly ports: readonly ServicePort[];
  readonly key: SharingKey;
}

/** Everything known about one address in use. */
interface AddressUse {
  readonly address: Address;
  readonly pool: string;
  /** service key → true; the Services holding this address. */
  readonly services: Set<string>;
  /** `TCP/80` → service key holding that port on this address. */
  readonly ports: Map<string, string>;
  /** The key of the latest assignment, as MetalLB's `sharingKeyForIP`. */
  key: SharingKey;
}

/** One pool with a free index per CIDR (aligned with `pool.cidrs`) and its addresses in use. */
interface PoolState {
  readonly pool: Pool;
  readonly indexes: readonly FreeIndex[];
  /** Addresses in use per family, by text (M3 counts these, so a shared address counts once). */
  readonly inUse: Record<Family, Set<string>>;
  readonly services: Set<string>;
}

/**
 * The allocator's bookkeeping (MetalLB's maps, each commented with its key and value): which
 * address is used by whom, with which ports and keys, and where each pool's lowest free address
 * is. It applies changes without judging them; `Allocator` decides.
 */
export class AddressBook {
  readonly pools = new Map<string, PoolState>();
  /** address text → its use. */
  private readonly uses = new Map<string, AddressUse>();
  /** sharing key → address texts whose latest key has it, to find partners without a scan (A18). */
  private readonly bySharingKey = new Map<string, Set<string>>();

  constructor(pools: readonly Pool[]) {
    for (const pool of pools) {
      const indexes = pool.cidrs.map(
        (cidr) => new FreeIndex(cidr.first, cidr.last, pool.avoidBuggyIPs && cidr.family === 'IPv4'),
      );
      this.pools.set(pool.name, {
        pool,
        indexes,
        inUse: { IPv4: new Set(), IPv6: new Set() },
        services: new Set(),
      });
    }
  }

  /** A21: the one pool containing every address (avoidBuggyIPs exclusions count as outside). */
  poolContaining(addresses: readonly Address[]): Pool | undefined {
    for (const { pool } of this.pools.values()) {
      const containsAll = addresses.every(
        (address) =>
          !(pool.avoidBuggyIPs && isBuggyAddress(address)) &&
          pool.cidrs.some((cidr) => cidrContains(cidr, address)),
      );
      if (containsAll && addresses.length > 0) return pool;
    }
    return undefined;
  }

  /**
   * A26–A29: why `serviceKey` may not use `ip` with these ports and key, or undefined. When the key
   * does not match but the only user is this Service, its key is updated in place (A27).
   */
  sharingProblem(
    serviceKey: string,
    ip: string,
    ports: readonly ServicePort[],
    key: SharingKey,
  ): string | undefined {
    const use = this.uses.get(ip);
    if (!use) return undefined;
    const pool = this.pools.get(use.pool)?.pool;
    if (sharingError(use.key, key, pool?.shared ?? false) !== undefined) {
      const others = [...use.services].filter((other) => other !== serviceKey).sort();
      if (others.length > 0) {
        return `can't change sharing key for ${goQuote(serviceKey)}, address also in use by ${others.join(',')}`;
      }
    }
    for (const port of ports) {
      const owner = use.ports.get(portText(port));
      if (owner !== undefined && owner !== serviceKey)
        return `port ${portText(port)} is already in use on ${goQuote(ip)}`;
    }
    return undefined;
  }

  /** Records a holding; the caller has checked it (MetalLB's internal `assign`). */
  add(serviceKey: string, holding: Holding): void {
    const state = this.pools.get(holding.pool);
    state?.services.add(serviceKey);
    holding.addresses.forEach((address, position) => {
      const ip = holding.ips[position] as string;
      let use = this.uses.get(ip);
      if (!use) {
        use = { address, pool: holding.pool, services: new Set(), ports: new Map(), key: holding.key };
        this.uses.set(ip, use);
        state?.inUse[address.family].add(ip);
        this.indexFor(state, address)?.take(address.value);
      }
      this.setKey(ip, use, holding.key);
      use.services.add(serviceKey);
      for (const port of holding.ports) use.ports.set(portText(port), serviceKey);
    });
  }

  /** Removes a holding; an address nobody uses any more becomes free again. */
  remove(serviceKey: string, holding: Holding): void {
    const state = this.pools.get(holding.pool);
    state?.services.delete(serviceKey);
    for (const ip of holding.ips) {
      const use = this.uses.get(ip);
      if (!use) continue;
      use.services.delete(serviceKey);
      for (const port of holding.ports) {
        if (use.ports.get(portText(port)) === serviceKey) use.ports.delete(portText(port));
      }
      if (use.services.size > 0) continue;
      this.uses.delete(ip);
      this.bySharingKey.get(use.key.sharing)?.delete(ip);
      state?.inUse[use.address.family].delete(ip);
      this.indexFor(state, use.address)?.release(use.address.value);
    }
  }

  private setKey(ip: string, use: AddressUse, key: SharingKey): void {
    this.bySharingKey.get(use.key.sharing)?.delete(ip);
    use.key = key;
    let addresses = this.bySharingKey.get(key.sharing);
    if (!addresses) {
      addresses = new Set();
      this.bySharingKey.set(key.sharing, addresses);
    }
    addresses.add(ip);
  }

  private indexFor(state: PoolState | undefined, address: Address): FreeIndex | undefined {
    if (!state) return undefined;
    const position = state.pool.cidrs.findIndex((cidr) => cidrContains(cidr, address));
    return state.indexes[position];
  }

  /** The lowest address of CIDR `position` of `pool` that is free, or undefined. */
  lowestFree(poolName: string, position: number): bigint | undefined {
    return this.pools.get(poolName)?.indexes[position]?.lowestFree();
  }

  /** Addresses in use by others that `request` could share, within CIDR `position` of the pool. */
  shareableIn(poolName: string, position: number, request: SharingRequest): bigint[] {
    const state = this.pools.get(poolName);
    const cidr = state?.pool.cidrs[position];
    if (!state || !cidr) return [];
    // Outside shared pools only addresses with the same non-empty key can be shared (A27).
    const candidates = state.pool.shared
      ? state.inUse[cidr.family]
      : this.bySharingKey.get(request.key.sharing);
    if (!candidates || (!state.pool.shared && request.key.sharing === '')) return [];
    const found: bigint[] = [];
    for (const ip of candidates) {
      const use = this.uses.get(ip);
      if (!use || use.pool !== poolName || !cidrContains(cidr, use.address)) continue;
      if (this.sharingProblem(request.serviceKey, ip, request.ports, request.key) === undefined)
        found.push(use.address.value);
    }
    return found;
  }
}

/** What `shareableIn` needs to judge a candidate address. */
export interface SharingRequest {
  readonly serviceKey: string;
  readonly ports: readonly ServicePort[];
  readonly key: SharingKey;
}

/** The text of an address, as stored in the book. */
export function addressText(address: Address): string {
  return formatAddress(address);
}
