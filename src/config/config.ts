import { type Address, isBuggyAddress, parseAddress } from './address.js';
import { type Cidr, cidrContains, cidrsOverlap } from './cidr.js';
import type { Fields } from './fields.js';
import { goQuote } from './go-format.js';
import { type L2Advertisement, parseL2Advertisement } from './l2-advertisement.js';
import { type NamespaceInfo, type Parsed, type Pool, parsePool } from './pool.js';
import { matchesSelector, selectorKey } from './selector.js';

/** The whole parsed configuration, immutable; pools and advertisements sorted by name (C2). */
export interface Config {
  readonly pools: readonly Pool[];
  readonly poolsByName: ReadonlyMap<string, Pool>;
  readonly l2Advertisements: readonly L2Advertisement[];
}

/** One object handed to `buildConfig`, with where it came from (`document 3`, an API path…). */
export interface SourceObject {
  readonly source: string;
  readonly object: Fields;
}

/** What `buildConfig` reads. */
export interface ConfigInput {
  readonly pools: readonly SourceObject[];
  readonly l2Advertisements: readonly SourceObject[];
  readonly namespaces: readonly NamespaceInfo[];
  /**
   * Order in which pools are checked for duplicates and overlaps (V7, V8): by name (C2, the default),
   * or as given, as MetalLB's webhook does with the live list plus the object under review (W3).
   */
  readonly order?: 'name' | 'input';
}

/** Which namespace the CRs must live in (seed: "must be in the same namespace as MetalLB"). */
export interface ConfigScope {
  readonly namespace: string;
  /** Standalone mode: accept objects from any namespace. */
  readonly anyNamespace?: boolean;
}

/** An object left out of the Config: `invalid` (V1–V14) or `ignored` (other namespace). */
export interface ConfigProblem {
  readonly severity: 'invalid' | 'ignored';
  readonly source: string;
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly field: string | undefined;
  readonly message: string;
}

/** One line naming the document, object, field and reason: for warnings, logs and status. */
export function describeProblem(problem: ConfigProblem): string {
  const field = problem.field ? ` ${problem.field}` : '';
  const where = problem.source === problem.object ? problem.source : `${problem.source} (${problem.object})`;
  return `${where}${field}: ${problem.message}`;
}

/** Why a configuration was refused: each invalid object described, joined (ConfigurationState R6). */
export function describeRefusal(problems: readonly ConfigProblem[]): string {
  return problems
    .filter((problem) => problem.severity === 'invalid')
    .map(describeProblem)
    .join('; ');
}

/** The Config built from the valid objects, and every object left out with the reason. */
export interface ConfigBuild {
  readonly config: Config;
  readonly problems: readonly ConfigProblem[];
}

/**
 * Parses and validates pools and L2Advertisements. MetalLB rejects the whole configuration on any
 * error (V14); callers that need that check `problems`. `plan` keeps the valid objects: among
 * overlapping pools the later by name loses (V8, DESIGN plan contract).
 */
export function buildConfig(input: ConfigInput, scope: ConfigScope): ConfigBuild {
  const problems: ConfigProblem[] = [];
  const collector: Collector = { scope, problems };
  const inScope = (item: SourceObject, kind: string) => keepInScope(item, kind, collector);
  const parsedPools = collect(
    input.pools.filter((item) => inScope(item, 'IPAddressPool')),
    {
      kind: 'IPAddressPool',
      problems,
      parse: (object) => parsePool(object, input.namespaces, scope.namespace),
    },
  );
  const pools = acceptPools(parsedPools, problems, input.order ?? 'name');
  const l2Advertisements = collect(
    input.l2Advertisements.filter((item) => inScope(item, 'L2Advertisement')),
    {
      kind: 'L2Advertisement',
      problems,
      parse: (object) => parseL2Advertisement(object, scope.namespace),
    },
  ).map(({ value }) => value);
  l2Advertisements.sort((a, b) => compareText(a.name, b.name));
  const config: Config = Object.freeze({
    pools: Object.freeze(pools),
    poolsByName: new Map(pools.map((pool) => [pool.name, pool])),
    l2Advertisements: Object.freeze(l2Advertisements),
  });
  return { config, problems };
}

/** A Config with no pools and no advertisements. */
export const EMPTY_CONFIG: Config = Object.freeze({
  pools: [],
  poolsByName: new Map(),
  l2Advertisements: [],
});

function describe(kind: string, object: Fields): string {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const namespace =
    typeof metadata.namespace === 'string' && metadata.namespace !== '' ? `${metadata.namespace}/` : '';
  return `${kind} ${namespace}${typeof metadata.name === 'string' ? metadata.name : '(unnamed)'}`;
}

/** Where problems go, and which namespace counts. */
interface Collector {
  readonly scope: ConfigScope;
  readonly problems: ConfigProblem[];
}

function keepInScope(item: SourceObject, kind: string, { scope, problems }: Collector): boolean {
  const metadata = (item.object.metadata ?? {}) as Record<string, unknown>;
  const namespace =
    typeof metadata.namespace === 'string' && metadata.namespace !== ''
      ? metadata.namespace
      : scope.namespace;
  if (scope.anyNamespace || namespace === scope.namespace) return true;
  const message = `not in namespace ${scope.namespace}, ignored`;
  problems.push({
    severity: 'ignored',
    source: item.source,
    object: describe(kind, item.object),
    field: undefined,
    message,
  });
  return false;
}

interface Accepted<T> {
  readonly item: SourceObject;
  readonly value: T;
}

/** How `collect` parses one kind and where it reports the invalid objects. */
interface Collection<T> {
  readonly kind: string;
  readonly problems: ConfigProblem[];
  readonly parse: (object: Fields) => Parsed<T>;
}

function collect<T>(items: readonly SourceObject[], { kind, problems, parse }: Collection<T>): Accepted<T>[] {
  const accepted: Accepted<T>[] = [];
  for (const item of items) {
    const parsed = parse(item.object);
    if (parsed.ok) accepted.push({ item, value: parsed.value });
    else problems.push(invalid(item, kind, { field: parsed.field, message: parsed.message }));
  }
  return accepted;
}

function invalid(
  item: SourceObject,
  kind: string,
  reason: { field: string | undefined; message: string },
): ConfigProblem {
  const { field, message } = reason;
  return { severity: 'invalid', source: item.source, object: describe(kind, item.object), field, message };
}

/** V7, V8: sorted by name; a duplicate name or an overlapping CIDR rejects the later pool. */
function acceptPools(parsed: Accepted<Pool>[], problems: ConfigProblem[], order: 'name' | 'input'): Pool[] {
  const sorted =
    order === 'input' ? parsed : [...parsed].sort((a, b) => compareText(a.value.name, b.value.name));
  const accepted: Pool[] = [];
  const acceptedCidrs: Cidr[] = [];
  for (const { item, value: pool } of sorted) {
    if (accepted.some((other) => other.name === pool.name)) {
      problems.push(
        invalid(item, 'IPAddressPool', {
          field: 'metadata.name',
          message: `duplicate definition of pool ${goQuote(pool.name)}`,
        }),
      );
      continue;
    }
    const overlap = findOverlap(pool, acceptedCidrs);
    if (overlap) {
      problems.push(invalid(item, 'IPAddressPool', { field: 'spec.addresses', message: overlap }));
      continue;
    }
    accepted.push(pool);
    acceptedCidrs.push(...pool.cidrs);
  }
  return accepted;
}

function findOverlap(pool: Pool, defined: readonly Cidr[]): string | undefined {
  const seen = [...defined];
  for (const cidr of pool.cidrs) {
    const other = seen.find((candidate) => cidrsOverlap(cidr, candidate));
    if (other) {
      return `CIDR ${goQuote(cidr.text)} in pool ${goQuote(pool.name)} overlaps with already defined CIDR ${goQuote(other.text)}`;
    }
    seen.push(cidr);
  }
  return undefined;
}

/** Byte-wise string order, as Go's sort.Strings (C2). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The pool that contains `ip`, or undefined. An address excluded by its pool's avoidBuggyIPs
 * counts as outside it (A21, A32). Pools never overlap (V8), so at most one matches.
 */
export function poolFor(config: Config, ip: string | Address): Pool | undefined {
  const address = typeof ip === 'string' ? parseAddress(ip) : ip;
  if (!address) return undefined;
  return config.pools.find(
    (pool) =>
      !(pool.avoidBuggyIPs && isBuggyAddress(address)) &&
      pool.cidrs.some((cidr) => cidrContains(cidr, address)),
  );
}

/**
 * V11, V13: the L2Advertisements that cover `poolName`, by name. An advertisement naming no pool
 * and selecting none covers every pool; a name of a pool that does not exist is ignored (V10).
 * Identical advertisements without preferences count once; ones with preferences always count.
 */
export function advertisementsForPool(config: Config, poolName: string): L2Advertisement[] {
  const pool = config.poolsByName.get(poolName);
  if (!pool) return [];
  const seen = new Set<string>();
  return config.l2Advertisements.filter((advertisement) => {
    if (!coversPool(advertisement, pool)) return false;
    if (advertisement.preferredNodeSelectors.length > 0) return true;
    const identity = advertisementIdentity(advertisement);
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
}

function coversPool(advertisement: L2Advertisement, pool: Pool): boolean {
  if (advertisement.ipAddressPools.length === 0 && advertisement.ipAddressPoolSelectors.length === 0)
    return true;
  if (advertisement.ipAddressPools.includes(pool.name)) return true;
  return advertisement.ipAddressPoolSelectors.some((selector) => matchesSelector(selector, pool.labels));
}

function advertisementIdentity(advertisement: L2Advertisement): string {
  return JSON.stringify([
    advertisement.nodeSelectors.map(selectorKey).sort(),
    [...new Set(advertisement.interfaces)].sort(),
    advertisement.serviceSelectors.map(selectorKey).sort(),
  ]);
}
