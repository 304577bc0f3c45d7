import { arrayAt, FieldProblem, type Fields, integerAt, objectAt, stringAt, stringMapAt } from './fields.js';
import { goQuote } from './go-format.js';
import type { Parsed } from './pool.js';
import type { LabelSelector } from './selector.js';
import { readSelector, readSelectorList, readUniqueStrings } from './selector-parse.js';

/** One `spec.preferredNodeSelectors` term [post-0.16.1] (R3, E8). */
export interface PreferredNodeSelector {
  /** 1..100; the weights of matching terms add up into a node's preference score. */
  readonly weight: number;
  readonly preference: LabelSelector;
}

/**
 * One parsed L2Advertisement (R3), consumed by the election (E2–E8). Empty lists keep MetalLB's
 * meaning: no pools named or selected means every pool (V11); no nodeSelectors means every node
 * (V12); no interfaces means every interface (V12); no serviceSelectors means every Service (E2).
 */
export interface L2Advertisement {
  readonly name: string;
  readonly namespace: string;
  readonly ipAddressPools: readonly string[];
  readonly ipAddressPoolSelectors: readonly LabelSelector[];
  readonly nodeSelectors: readonly LabelSelector[];
  readonly interfaces: readonly string[];
  readonly serviceSelectors: readonly LabelSelector[];
  readonly preferredNodeSelectors: readonly PreferredNodeSelector[];
}

/** Parses an L2Advertisement object (R3, V9); `defaultNamespace` applies when metadata has none. */
export function parseL2Advertisement(object: Fields, defaultNamespace: string): Parsed<L2Advertisement> {
  try {
    const metadata = objectAt(object.metadata, 'metadata');
    const name = stringAt(metadata.name, 'metadata.name');
    if (name === '') throw new FieldProblem('metadata.name', 'missing name');
    const spec = objectAt(object.spec, 'spec');
    const value: L2Advertisement = {
      name,
      namespace: stringAt(metadata.namespace, 'metadata.namespace', defaultNamespace) || defaultNamespace,
      ipAddressPools: readUniqueStrings(
        spec.ipAddressPools,
        'spec.ipAddressPools',
        (pool) => `duplicate definition of ipAddressPools ${goQuote(pool)}`,
      ),
      ipAddressPoolSelectors: readSelectorList(
        spec.ipAddressPoolSelectors,
        'spec.ipAddressPoolSelectors',
        'ipAddressPoolSelectors',
      ),
      nodeSelectors: readSelectorList(spec.nodeSelectors, 'spec.nodeSelectors', 'nodeSelectors'),
      interfaces: arrayAt(spec.interfaces, 'spec.interfaces', (item, field) => stringAt(item, field)),
      serviceSelectors: readSelectorList(spec.serviceSelectors, 'spec.serviceSelectors', 'serviceSelectors'),
      preferredNodeSelectors: arrayAt(
        spec.preferredNodeSelectors,
        'spec.preferredNodeSelectors',
        readPreference,
      ),
    };
    stringMapAt(metadata.labels, 'metadata.labels');
    return { ok: true, value };
  } catch (error) {
    if (error instanceof FieldProblem) return { ok: false, field: error.field, message: error.reason };
    throw error;
  }
}

function readPreference(value: unknown, field: string): PreferredNodeSelector {
  const fields = objectAt(value, field);
  const weight = integerAt(fields.weight, `${field}.weight`, 0);
  if (weight < 1 || weight > 100)
    throw new FieldProblem(`${field}.weight`, `weight ${weight} must be between 1 and 100`);
  return { weight, preference: readSelector(fields.preference, `${field}.preference`) };
}
