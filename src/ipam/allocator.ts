import {
  type Address,
  formatAddress,
  goQuote,
  goQuoteList,
  type Pool,
  parseAddress,
} from '../config/index.js';
import { AddressBook, type Holding, type SharingRequest } from './address-book.js';
import { poolCapacity } from './capacity.js';
import { FAMILY_NAME, freeAddresses, isPoolCompatible, pinnedPools, selectAddresses } from './pool-choice.js';
import type { SharingKey } from './sharing.js';
import {
  type AllocateRequest,
  type Outcome,
  type PoolChange,
  type PoolReason,
  type PoolStats,
  refuse,
  type ServiceFamily,
  type ServiceRequest,
} from './types.js';

/** The key of every Service that shares nothing, held once: most Services, and memory is speed here. */
const NO_SHARING: SharingKey = Object.freeze({ sharing: '', backend: '' });

function sharingRequestOf(request: ServiceRequest): SharingRequest {
  const unshared = request.sharingKey === '' && request.backendKey === '';
  return {
    serviceKey: request.serviceKey,
    ports: request.ports,
    key: unshared ? NO_SHARING : { sharing: request.sharingKey, backend: request.backendKey },
  };
}

function familyOf(addresses: readonly Address[]): ServiceFamily {
  const families = new Set(addresses.map((address) => address.family));
  if (families.size > 1) return 'dual';
  return families.has('IPv6') ? 'IPv6' : 'IPv4';
}

/**
 * MetalLB's allocator (internal/allocator/allocator.go) without I/O: it holds the pools and every
 * Service's addresses in memory and answers each request with an `Outcome`, never an exception.
 * Deterministic: pools are tried by priority then name (Q2), and the lowest usable address wins.
 */
export class Allocator {
  private book: AddressBook;
  /** service key → its allocation. */
  private readonly holdings = new Map<string, Holding>();

  constructor(pools: readonly Pool[] = []) {
    this.book = new AddressBook(pools);
  }

  /** How many pools the allocator knows (A2: none means every Service is cleared). */
  get poolCount(): number {
    return this.book.pools.size;
  }

  /**
   * A34: replaces the pools. Each allocation moves to the pool that now contains all of its
   * addresses (rename, split), or is dropped when none does (shrink, delete).
   */
  setPools(pools: readonly Pool[]): PoolChange[] {
    const book = new AddressBook(pools);
    const changes: PoolChange[] = [];
    for (const serviceKey of [...this.holdings.keys()].sort()) {
      const holding = this.holdings.get(serviceKey) as Holding;
      const pool = book.poolContaining(holding.addresses);
      if (pool?.name !== holding.pool)
        changes.push({ serviceKey, ips: holding.ips, from: holding.pool, to: pool?.name });
      if (!pool) {
        this.holdings.delete(serviceKey);
        continue;
      }
      const moved: Holding = { ...holding, pool: pool.name };
      this.holdings.set(serviceKey, moved);
      book.add(serviceKey, moved);
    }
    this.book = book;
    return changes;
  }

  /** A21–A25: gives `ips` to the Service if the configuration and sharing rules allow it. */
  assign(request: ServiceRequest, ips: readonly string[]): Outcome {
    const addresses = ips.map(parseAddress);
    if (addresses.some((address) => address === undefined)) {
      return refuse('notAllowedInConfig', `${goQuoteList(ips)} is not allowed in config`);
    }
    return this.assignAddresses(request, addresses as Address[]);
  }

  private assignAddresses(request: ServiceRequest, addresses: readonly Address[]): Outcome {
    const ips = addresses.map(formatAddress);
    const pool = this.book.poolContaining(addresses);
    if (!pool) return refuse('notAllowedInConfig', `${goQuoteList(ips)} is not allowed in config`);
    if (!isPoolCompatible(pool, request.namespace, request.labels)) {
      return refuse('poolNotCompatible', `pool ${pool.name} not compatible for ip assignment`);
    }
    if (ips.length > 2) return refuse('tooManyAddresses', `more than two addresses ${goQuoteList(ips)}`);
    const [first, second] = addresses;
    if (first && second && first.family === second.family) {
      return refuse(
        'sameFamily',
        `${goQuote(ips[0] as string)} ${goQuote(ips[1] as string)} has the same family`,
      );
    }
    const sharing = sharingRequestOf(request);
    for (const ip of ips) {
      const problem = this.book.sharingProblem(ip, sharing);
      if (problem) return refuse(problem.startsWith('port ') ? 'portInUse' : 'sharingConflict', problem);
    }
    const previous = this.holdings.get(request.serviceKey);
    if (previous) this.book.remove(request.serviceKey, previous);
    const holding: Holding = { pool: pool.name, addresses, ips, ports: request.ports, key: sharing.key };
    this.holdings.set(request.serviceKey, holding);
    this.book.add(request.serviceKey, holding);
    return { ok: true, ips, pool: pool.name };
  }

  /** A15: re-assign a held allocation, else try pinned pools, then generic ones, in order. */
  allocate(request: AllocateRequest): Outcome {
    const held = this.holdings.get(request.serviceKey);
    if (held) return this.assignAddresses(request, held.addresses);
    const reasons: PoolReason[] = [];
    const pinned =
      this.book.pinnablePools.length > 0
        ? pinnedPools(this.book.pinnablePools, request.namespace, request.labels)
        : [];
    for (const candidates of [pinned, this.book.genericPools]) {
      const outcome =
        candidates.length > 0 ? this.allocateFromPools(candidates, request, reasons) : undefined;
      if (outcome) return outcome;
    }
    return refuse('noAvailableAddress', 'no available IPs', reasons);
  }

  private allocateFromPools(
    pools: readonly Pool[],
    request: AllocateRequest,
    reasons: PoolReason[],
  ): Outcome | undefined {
    const best = this.bestPool(pools, request, reasons);
    if (!best) return undefined;
    const outcome = this.assignAddresses(request, best.addresses);
    if (!outcome.ok) reasons.push({ pool: best.pool.name, message: outcome.message });
    return outcome.ok ? outcome : undefined;
  }

  /** A16 (`findBestPoolForService`): the first pool that serves the family, with PreferDualStack fallbacks. */
  private bestPool(pools: readonly Pool[], request: AllocateRequest, reasons: PoolReason[]) {
    const preferDual = request.policy === 'PreferDualStack' && request.family === 'dual';
    const secondaryFamily = request.primaryFamily === 'IPv4' ? 'IPv6' : 'IPv4';
    let primary: { pool: Pool; addresses: Address[] } | undefined;
    let secondary: typeof primary;
    const sharing = sharingRequestOf(request);
    for (const pool of pools) {
      const found = freeAddresses(this.book, pool, sharing);
      const selected = selectAddresses(
        found,
        request.family,
        request.family === 'dual' ? 'RequireDualStack' : request.policy,
      );
      if (selected) return { pool, addresses: selected };
      const primaryAddress = found[request.primaryFamily];
      const secondaryAddress = found[secondaryFamily];
      if (preferDual && primaryAddress) primary ??= { pool, addresses: [primaryAddress] };
      if (preferDual && secondaryAddress) secondary ??= { pool, addresses: [secondaryAddress] };
      reasons.push({ pool: pool.name, message: noAvailableIn(pool.name, request.family) });
    }
    return primary ?? secondary;
  }

  /** A14: allocate from the named pool, autoAssign ignored; compatibility enforced by assign. */
  allocateFromPool(request: AllocateRequest, poolName: string): Outcome {
    const held = this.holdings.get(request.serviceKey);
    if (held) {
      const heldFamily = familyOf(held.addresses);
      if (request.policy !== 'PreferDualStack' && heldFamily !== request.family) {
        const message = `IP for wrong family assigned alloc ${FAMILY_NAME[heldFamily]} service family ${FAMILY_NAME[request.family]}`;
        return refuse('wrongFamily', message);
      }
      return this.assignAddresses(request, held.addresses);
    }
    const pool = this.book.pools.get(poolName)?.pool;
    if (!pool) return refuse('unknownPool', `unknown pool ${goQuote(poolName)}`);
    const selected = selectAddresses(
      freeAddresses(this.book, pool, sharingRequestOf(request)),
      request.family,
      request.policy,
    );
    if (!selected) return refuse('noAvailableAddress', noAvailableIn(poolName, request.family));
    return this.assignAddresses(request, selected);
  }

  /** A8: PreferDualStack top-up: add an address of the missing family from the same pool. */
  allocateAdditionalFamily(request: ServiceRequest): Outcome {
    const held = this.holdings.get(request.serviceKey);
    const existing = held?.addresses[0];
    if (!held || !existing || held.addresses.length !== 1)
      return refuse('wrongFamily', 'no single address held to add to');
    const pool = this.book.pools.get(held.pool)?.pool;
    if (!pool) return refuse('unknownPool', `unknown pool ${goQuote(held.pool)}`);
    const additional = existing.family === 'IPv4' ? 'IPv6' : 'IPv4';
    const address = freeAddresses(this.book, pool, sharingRequestOf(request))[additional];
    if (!address) return refuse('noAvailableAddress', noAvailableIn(pool.name, additional));
    return this.assignAddresses(request, [existing, address]);
  }

  /** Frees the Service's addresses; false when it held none. */
  unassign(serviceKey: string): boolean {
    const holding = this.holdings.get(serviceKey);
    if (!holding) return false;
    this.book.remove(serviceKey, holding);
    this.holdings.delete(serviceKey);
    return true;
  }

  /** The Service's addresses, pool and sharing identity (A11 compares it), or undefined. */
  holdingOf(serviceKey: string): HoldingView | undefined {
    const holding = this.holdings.get(serviceKey);
    if (!holding) return undefined;
    return {
      ips: holding.ips,
      pool: holding.pool,
      sharingKey: holding.key.sharing,
      backendKey: holding.key.backend,
    };
  }

  /** Whether some pool contains `ip` (A1, A11: freeing it may help a waiting Service). */
  isInSomePool(ip: string): boolean {
    const address = parseAddress(ip);
    return address !== undefined && this.book.poolContaining([address]) !== undefined;
  }

  /** Every pool name, sorted. */
  poolNames(): string[] {
    return [...this.book.pools.keys()].sort();
  }

  /** M3/R2 counts for one pool: capacity, distinct addresses in use, Services holding some. */
  stats(poolName: string): PoolStats | undefined {
    const state = this.book.pools.get(poolName);
    if (!state) return undefined;
    const ipv4 = state.inUse.IPv4;
    const ipv6 = state.inUse.IPv6;
    return {
      pool: poolName,
      capacity: poolCapacity(state.pool),
      inUse: { total: ipv4 + ipv6, ipv4, ipv6 },
      services: state.services,
    };
  }
}

/** What the allocator holds for one Service. */
export interface HoldingView {
  readonly ips: readonly string[];
  readonly pool: string;
  readonly sharingKey: string;
  readonly backendKey: string;
}

function noAvailableIn(poolName: string, family: ServiceFamily): string {
  return `no available IPs in pool ${poolName} for ${FAMILY_NAME[family]} IPFamily`;
}
