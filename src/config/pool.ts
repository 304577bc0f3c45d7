import { Annotation } from './annotations.js';
import { type Cidr, parseAddressesEntry } from './cidr.js';
import {
  arrayAt,
  booleanAt,
  FieldProblem,
  type Fields,
  integerAt,
  isFields,
  objectAt,
  stringAt,
  stringMapAt,
} from './fields.js';
import { goQuote } from './go-format.js';
import { reservedAddressIn } from './reserved.js';
import { type LabelSelector, matchesSelector } from './selector.js';
import { readSelectorList } from './selector-parse.js';

/** `spec.serviceAllocation` of a pool (Go field `AllocateTo`), with namespaceSelectors resolved (V5). */
export interface ServiceAllocation {
  /** 1 is the highest priority; 0 means unset and sorts after every prioritised pool (A15). */
  readonly priority: number;
  /** `namespaces` plus every Namespace matched by `namespaceSelectors`, sorted. */
  readonly namespaces: readonly string[];
  readonly namespaceSelectors: readonly LabelSelector[];
  readonly serviceSelectors: readonly LabelSelector[];
}

/** One parsed IPAddressPool (R1). */
export interface Pool {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** In `spec.addresses` order; a range is expanded to its CIDRs, ascending (A17). */
  readonly cidrs: readonly Cidr[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  readonly serviceAllocation: ServiceAllocation | undefined;
  /** DESIGN "Shared pools": every address may be shared without an allow-shared-ip key. */
  readonly shared: boolean;
}

/** A Namespace as config needs it: name and labels, for namespaceSelectors (V5). */
export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The outcome of parsing one object: the value, or the field and MetalLB's message. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly field: string; readonly message: string };

/** Parses an IPAddressPool object (R1, V1–V6); `defaultNamespace` applies when metadata has none. */
export function parsePool(
  object: Fields,
  namespaces: readonly NamespaceInfo[],
  defaultNamespace: string,
): Parsed<Pool> {
  const metadata = isFields(object.metadata) ? object.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const wrap = (message: string) => `parsing address pool ${name}: ${message}`;
  try {
    objectAt(object.metadata, 'metadata');
    if (name === '') return { ok: false, field: 'metadata.name', message: wrap('missing pool name') };
    const spec = objectAt(object.spec, 'spec');
    const addresses = arrayAt(spec.addresses, 'spec.addresses', (item, field) => stringAt(item, field));
    if (addresses.length === 0)
      return { ok: false, field: 'spec.addresses', message: wrap('pool has no prefixes defined') };
    const cidrs: Cidr[] = [];
    for (const [index, entry] of addresses.entries()) {
      const parsed = parseAddressesEntry(entry);
      if (!parsed.ok) {
        const message = wrap(`invalid CIDR ${goQuote(entry)} in pool ${goQuote(name)}: ${parsed.message}`);
        return { ok: false, field: `spec.addresses[${index}]`, message };
      }
      const reserved = firstReserved(parsed.cidrs);
      if (reserved) {
        const message = wrap(
          `CIDR ${goQuote(entry)} in pool ${goQuote(name)} contains ${reserved.address} (${reserved.kind}): no host may announce it`,
        );
        return { ok: false, field: `spec.addresses[${index}]`, message };
      }
      cidrs.push(...parsed.cidrs);
    }
    const pool: Pool = {
      name,
      namespace: stringAt(metadata.namespace, 'metadata.namespace', defaultNamespace) || defaultNamespace,
      labels: stringMapAt(metadata.labels, 'metadata.labels'),
      cidrs,
      autoAssign: booleanAt(spec.autoAssign, 'spec.autoAssign', true),
      avoidBuggyIPs: booleanAt(spec.avoidBuggyIPs, 'spec.avoidBuggyIPs', false),
      serviceAllocation: readServiceAllocation(spec.serviceAllocation, namespaces),
      shared: isSharedPool(metadata.annotations),
    };
    return { ok: true, value: pool };
  } catch (error) {
    if (error instanceof FieldProblem) return { ok: false, field: error.field, message: wrap(error.reason) };
    throw error;
  }
}

/** Issue 12 #5: the first reserved address of an entry's CIDRs (ascending), if any. */
function firstReserved(cidrs: readonly Cidr[]): ReturnType<typeof reservedAddressIn> {
  for (const cidr of cidrs) {
    const reserved = reservedAddressIn(cidr);
    if (reserved) return reserved;
  }
  return undefined;
}

/** V5: duplicates rejected; namespaceSelectors resolved against the Namespaces known now. */
function readServiceAllocation(
  value: unknown,
  namespaces: readonly NamespaceInfo[],
): ServiceAllocation | undefined {
  if (value === undefined || value === null) return undefined;
  const field = 'spec.serviceAllocation';
  const fields = objectAt(value, field);
  const explicit = arrayAt(fields.namespaces, `${field}.namespaces`, (item, itemField) =>
    stringAt(item, itemField),
  );
  explicit.forEach((namespace, index) => {
    if (explicit.indexOf(namespace) !== index) {
      throw new FieldProblem(`${field}.namespaces[${index}]`, 'duplicate definition in namespaces field');
    }
  });
  const namespaceSelectors = readSelectorList(
    fields.namespaceSelectors,
    `${field}.namespaceSelectors`,
    'namespaceSelectors',
  );
  const serviceSelectors = readSelectorList(
    fields.serviceSelectors,
    `${field}.serviceSelectors`,
    'serviceSelectors',
  );
  const resolved = new Set(explicit);
  for (const namespace of namespaces) {
    if (namespaceSelectors.some((selector) => matchesSelector(selector, namespace.labels)))
      resolved.add(namespace.name);
  }
  return {
    priority: integerAt(fields.priority, `${field}.priority`, 0),
    namespaces: [...resolved].sort(),
    namespaceSelectors,
    serviceSelectors,
  };
}

/**
 * DESIGN "Shared pools": `metallb.io/share-address-pool` wins over the `metallb.universe.tf/` key
 * when present (N1); the value "true", or an unquoted YAML `true`, enables sharing.
 */
function isSharedPool(annotations: unknown): boolean {
  if (typeof annotations !== 'object' || annotations === null) return false;
  const record = annotations as Record<string, unknown>;
  const { current, deprecated } = Annotation.shareAddressPool;
  const value = Object.hasOwn(record, current) ? record[current] : record[deprecated];
  return value === true || value === 'true';
}
