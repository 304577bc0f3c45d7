import {
  type Address,
  cidrContains,
  compareText,
  type Family,
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

/** Everything known about one address in use. Arrays, not Sets: most addresses have one user. */
interface AddressUse {
  readonly address: Address;
  readonly pool: string;
  /** The service keys holding this address. */
  readonly services: string[];
  /** `[TCP/80, service key]` pairs: who holds each port on this address. */
  readonly ports: [string, string][];
  /** The key of the latest assignment, as MetalLB's `sharingKeyForIP`. */
  key: SharingKey;
}

/** One pool with a free index per CIDR (aligned with `pool.cidrs`) and its addresses in use. */
interface PoolState {
  readonly pool: Pool;
  readonly indexes: readonly FreeIndex[];
  /** Distinct addresses in use per family (M3: a shared address counts once). */
  readonly inUse: Record<Family, number>;
  /** Holdings in this pool (the services gauge, Q16). */
  services: number;
  /** Shared pools only: the addresses in use per family, candidates for packing. */
  readonly sharedUses: Record<Family, Set<string>> | undefined;
}

/** What `shareableIn` needs to judge a candidate address. */
export interface SharingRequest {
  readonly serviceKey: string;
  readonly ports: readonly ServicePort[];
  readonly key: SharingKey;
}

/**
 * The allocator's bookkeeping (MetalLB's maps, each commented with its key and value): which
 * address is used by whom, with which ports and keys, and where each pool's lowest free address
 * is. It applies changes without judging them; `Allocator` decides.
 */
export class AddressBook {
  /** pool name → its state. */
  readonly pools = new Map<string, PoolState>();
  /** Every pool, sorted by name (C2), computed once per configuration. */
  readonly sortedPools: readonly Pool[];
  /** Pools with a serviceAllocation, the only ones that can be pinned (A15.2), by name. */
  readonly pinnablePools: readonly Pool[];
  /** A15.3: autoAssign pools without serviceAllocation, by name (Q2). */
  readonly genericPools: readonly Pool[];
  /** address text → its use. */
  private readonly uses = new Map<string, AddressUse>();
  /** non-empty sharing key → address texts whose latest key has it, to find partners without a scan. */
  private readonly bySharingKey = new Map<string, Set<string>>();

  constructor(pools: readonly Pool[]) {
    this.sortedPools = [...pools].sort((a, b) => compareText(a.name, b.name));
    this.pinnablePools = this.sortedPools.filter((pool) => pool.serviceAllocation !== undefined);
    this.genericPools = this.sortedPools.filter((pool) => pool.autoAssign && !pool.serviceAllocation);
    for (const pool of this.sortedPools) {
      const indexes = pool.cidrs.map(
        (cidr) => new FreeIndex(cidr.first, cidr.last, pool.avoidBuggyIPs && cidr.family === 'IPv4'),
      );
      this.pools.set(pool.name, {
        pool,
        indexes,
        inUse: { IPv4: 0, IPv6: 0 },
        services: 0,
        sharedUses: pool.shared ? { IPv4: new Set(), IPv6: new Set() } : undefined,
      });
    }
  }

  /** A21: the one pool containing every address (avoidBuggyIPs exclusions count as outside). */
  poolContaining(addresses: readonly Address[]): Pool | undefined {
    if (addresses.length === 0) return undefined;
    return this.sortedPools.find((pool) =>
      addresses.every(
        (address) =>
          !(pool.avoidBuggyIPs && isBuggyAddress(address)) &&
          pool.cidrs.some((cidr) => cidrContains(cidr, address)),
      ),
    );
  }

  /**
   * A26–A29: why `serviceKey` may not use `ip` with these ports and key, or undefined. When the key
   * does not match but the only user is this Service, its key is updated in place (A27).
   */
  sharingProblem(ip: string, request: SharingRequest): string | undefined {
    const { serviceKey, ports, key } = request;
    const use = this.uses.get(ip);
    if (!use) return undefined;
    const shared = this.pools.get(use.pool)?.pool.shared ?? false;
    if (sharingError(use.key, key, shared) !== undefined) {
      const others = use.services.filter((other) => other !== serviceKey).sort();
      if (others.length > 0) {
        return `can't change sharing key for ${goQuote(serviceKey)}, address also in use by ${others.join(',')}`;
      }
    }
    for (const port of ports) {
      const text = portText(port);
      const owner = use.ports.find(([held]) => held === text)?.[1];
      if (owner !== undefined && owner !== serviceKey)
        return `port ${text} is already in use on ${goQuote(ip)}`;
    }
    return undefined;
  }

  /** Records a holding; the caller has checked it (MetalLB's internal `assign`). */
  add(serviceKey: string, holding: Holding): void {
    const state = this.pools.get(holding.pool);
    if (state) state.services += 1;
    for (let position = 0; position < holding.addresses.length; position += 1) {
      const address = holding.addresses[position] as Address;
      const ip = holding.ips[position] as string;
      let use = this.uses.get(ip);
      if (!use) {
        // Created holding their first user (not pushed into []: V8 gives a pushed-into empty
        // array room for 17 items, 128 bytes more per address for most that never have two).
        const texts = holding.ports.map(portText);
        const ports = texts
          .filter((text, index) => texts.indexOf(text) === index)
          .map((text): [string, string] => [text, serviceKey]);
        use = { address, pool: holding.pool, services: [serviceKey], ports, key: holding.key };
        this.uses.set(ip, use);
        if (state) state.inUse[address.family] += 1;
        state?.sharedUses?.[address.family].add(ip);
        this.indexFor(state, address)?.take(address.value);
      }
      this.setKey(ip, use, holding.key);
      if (!use.services.includes(serviceKey)) use.services.push(serviceKey);
      for (const port of holding.ports) {
        const text = portText(port);
        const entry = use.ports.find(([held]) => held === text);
        if (entry) entry[1] = serviceKey;
        else use.ports.push([text, serviceKey]);
      }
    }
  }

  /** Removes a holding; an address nobody uses any more becomes free again. */
  remove(serviceKey: string, holding: Holding): void {
    const state = this.pools.get(holding.pool);
    if (state) state.services -= 1;
    for (const ip of holding.ips) {
      const use = this.uses.get(ip);
      if (!use) continue;
      removeItem(use.services, serviceKey);
      for (let index = use.ports.length - 1; index >= 0; index -= 1) {
        if (use.ports[index]?.[1] === serviceKey) use.ports.splice(index, 1);
      }
      if (use.services.length > 0) continue;
      this.uses.delete(ip);
      this.bySharingKey.get(use.key.sharing)?.delete(ip);
      if (state) state.inUse[use.address.family] -= 1;
      state?.sharedUses?.[use.address.family].delete(ip);
      this.indexFor(state, use.address)?.release(use.address.value);
    }
  }

  private setKey(ip: string, use: AddressUse, key: SharingKey): void {
    if (use.key.sharing !== key.sharing) this.bySharingKey.get(use.key.sharing)?.delete(ip);
    use.key = key;
    // Outside shared pools only a non-empty key is ever shared (A27), so '' is never looked up.
    if (key.sharing === '') return;
    let addresses = this.bySharingKey.get(key.sharing);
    if (!addresses) {
      addresses = new Set();
      this.bySharingKey.set(key.sharing, addresses);
    }
    addresses.add(ip);
  }

  private indexFor(state: PoolState | undefined, address: Address): FreeIndex | undefined {
    if (!state) return undefined;
    if (state.indexes.length === 1) return state.indexes[0];
    return state.indexes[state.pool.cidrs.findIndex((cidr) => cidrContains(cidr, address))];
  }

  /** The lowest address of CIDR `position` of `pool` that is free, or undefined. */
  lowestFree(poolName: string, position: number): bigint | undefined {
    return this.pools.get(poolName)?.indexes[position]?.lowestFree();
  }

  /**
   * Addresses in use that `request` could share within CIDR `position` of the pool. Outside shared
   * pools only addresses with the same non-empty key qualify (A27), found through `bySharingKey`.
   */
  shareableIn(poolName: string, position: number, request: SharingRequest): bigint[] {
    const state = this.pools.get(poolName);
    const cidr = state?.pool.cidrs[position];
    if (!state || !cidr || (!state.pool.shared && request.key.sharing === '')) return [];
    const candidates = state.pool.shared
      ? state.sharedUses?.[cidr.family]
      : this.bySharingKey.get(request.key.sharing);
    const found: bigint[] = [];
    for (const ip of candidates ?? []) {
      const use = this.uses.get(ip);
      if (!use || use.pool !== poolName || !cidrContains(cidr, use.address)) continue;
      if (this.sharingProblem(ip, request) === undefined) {
        found.push(use.address.value);
      }
    }
    return found;
  }
}

function removeItem(items: string[], item: string): void {
  const index = items.indexOf(item);
  if (index >= 0) items.splice(index, 1);
}
