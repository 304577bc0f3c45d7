// What MetalLB's validating webhooks decide (metallb-behaviour W1–W3), as pure functions over the
// object under review and the live objects: the same parser as the controller (src/config), so a
// pool the controller would refuse is refused at `kubectl apply`, with MetalLB's message.
import {
  buildConfig,
  type ConfigProblem,
  type Fields,
  isFields,
  type SourceObject,
} from '../config/index.js';

/** The admission operations the API server sends (admission.k8s.io/v1). */
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** The answer to one review: allowed (maybe with warnings for kubectl), or denied with MetalLB's message. */
export type Verdict =
  | { readonly allowed: true; readonly warnings?: readonly string[] }
  | { readonly allowed: false; readonly message: string };

/** The object under review and where it is being written. */
export interface Review {
  readonly operation: Operation;
  readonly object: Fields;
  /** MetalLB's namespace (`--namespace`): the only one whose objects count (W2). */
  readonly systemNamespace: string;
}

const ALLOWED: Verdict = { allowed: true };

function metadataOf(object: Fields): Fields {
  return isFields(object.metadata) ? object.metadata : {};
}

function nameOf(object: Fields): string {
  const name = metadataOf(object).name;
  return typeof name === 'string' ? name : '';
}

/** W2: a create outside MetalLB's namespace is denied (an update is not: MetalLB checks creates only). */
function namespaceVerdict(review: Review): Verdict | undefined {
  if (review.operation !== 'CREATE') return undefined;
  const namespace = metadataOf(review.object).namespace;
  if (namespace === review.systemNamespace) return undefined;
  return { allowed: false, message: `resource must be created in ${review.systemNamespace} namespace` };
}

/** W3: the live list with the reviewed object replacing its namesake, or appended (ipAddressListWithUpdate). */
export function withCandidate(existing: readonly Fields[], candidate: Fields): Fields[] {
  const name = nameOf(candidate);
  const index = existing.findIndex((item) => nameOf(item) === name);
  if (index < 0) return [...existing, candidate];
  return existing.map((item, position) => (position === index ? candidate : item));
}

function sources(kind: string, objects: readonly Fields[]): SourceObject[] {
  return objects.map((object, index) => ({ source: `${kind}#${index}`, object }));
}

/**
 * MetalLB's `config.For` stops at the first error, walking pools in list order, then
 * advertisements. buildConfig reports every problem; the first in that walk is MetalLB's answer.
 */
function firstProblem(problems: readonly ConfigProblem[]): ConfigProblem | undefined {
  const rank = (problem: ConfigProblem) => {
    const [kind, index] = problem.source.split('#');
    return (kind === 'pool' ? 0 : 1) * 1e9 + Number(index);
  };
  const invalid = problems.filter((problem) => problem.severity === 'invalid');
  return invalid.sort((a, b) => rank(a) - rank(b))[0];
}

/**
 * W3: validates the live pools and advertisements as one configuration, with no Namespaces and
 * no Nodes (MetalLB passes neither), in the live list's order.
 */
function validateAll(
  pools: readonly Fields[],
  advertisements: readonly Fields[],
  systemNamespace: string,
): Verdict {
  const build = buildConfig(
    {
      pools: sources('pool', pools),
      l2Advertisements: sources('l2', advertisements),
      namespaces: [],
      order: 'input',
    },
    // Every listed object is in the namespace already; the reviewed one was checked above.
    { namespace: systemNamespace, anyNamespace: true },
  );
  const problem = firstProblem(build.problems);
  return problem ? { allowed: false, message: problem.message } : ALLOWED;
}

/** `/validate-metallb-io-v1beta1-ipaddresspool` (validateIPAddressPoolCreate/Update). */
export function reviewPool(review: Review, livePools: readonly Fields[]): Verdict {
  if (review.operation === 'DELETE') return ALLOWED; // A36: deleting a pool is never refused.
  return (
    namespaceVerdict(review) ??
    validateAll(withCandidate(livePools, review.object), [], review.systemNamespace)
  );
}

/** `/validate-metallb-io-v1beta1-l2advertisement` (validateL2AdvCreate/Update): pools are validated too. */
export function reviewL2Advertisement(
  review: Review,
  live: { readonly pools: readonly Fields[]; readonly advertisements: readonly Fields[] },
): Verdict {
  if (review.operation === 'DELETE') return ALLOWED;
  return (
    namespaceVerdict(review) ??
    validateAll(live.pools, withCandidate(live.advertisements, review.object), review.systemNamespace)
  );
}

/**
 * BGPPeer, BGPAdvertisement, Community and BFDProfile: MetalLB validates them, ferrolb has no BGP.
 * Should a configuration still route them here (MetalLB's own, left from a migration), the object
 * is let through and kubectl shows why it will have no effect (DESIGN: BGP objects are ignored with
 * a warning, never a crash).
 */
export function reviewUnsupported(kind: string): Verdict {
  return {
    allowed: true,
    warnings: [
      `${kind} is not supported here: ferrolb implements MetalLB's layer 2 mode only; the object is ignored`,
    ],
  };
}
