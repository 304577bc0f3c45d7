// Each Service's last outcome, kept while nothing it was decided from changed (issue 14: a reconcile
// decided every Service again, ~45 µs each, so a burst of N new Services cost O(N²)). Pure memo:
// a hit returns exactly what decideService would, and the same object as last time, which lets
// reconcile keep the Service's announced state, series and status objects as they were.
import type { ElectionEndpoint } from '../election/index.js';
import { perObject, sameItems } from './per-object.js';
import type { ServiceOutcome, SpeakerInputs, SpeakerService } from './types.js';

/** What every Service's outcome depends on beside the Service and its endpoints. */
interface SharedInputs {
  readonly nodeName: string;
  readonly loadBalancerClass: string | undefined;
  readonly ignoreExcludeLb: boolean | undefined;
  readonly config: SpeakerInputs['config'];
  readonly nodes: string;
  readonly liveMembers: string;
  readonly interfaceHealth: string;
  readonly localInterfaces: string;
}

interface Entry {
  readonly service: SpeakerService;
  readonly endpoints: readonly ElectionEndpoint[] | undefined;
  readonly outcome: ServiceOutcome;
}

/** `undefined` stands apart from every list (no membership view is not an empty one). */
function listKey(items: readonly string[] | undefined): string {
  return items === undefined ? '\u0000' : items.join('\n');
}

function sharedOf(inputs: SpeakerInputs): SharedInputs {
  return {
    nodeName: inputs.nodeName,
    loadBalancerClass: inputs.loadBalancerClass,
    ignoreExcludeLb: inputs.ignoreExcludeLb,
    config: inputs.config,
    nodes: inputs.nodes.map(nodeKey).join('\n'),
    liveMembers: listKey(inputs.liveMembers),
    interfaceHealth: inputs.interfaceHealth === undefined ? '\u0000' : JSON.stringify(inputs.interfaceHealth),
    localInterfaces: listKey(inputs.localInterfaces),
  };
}

/**
 * A Node by what the election reads of it. By content, not identity: a Node's status is rewritten
 * every few minutes (kubelet), which replaces the cached object without changing any of this.
 */
const nodeKey = perObject((node: SpeakerInputs['nodes'][number]) => JSON.stringify(node));

function sameShared(a: SharedInputs, b: SharedInputs): boolean {
  return (
    a.nodeName === b.nodeName &&
    a.loadBalancerClass === b.loadBalancerClass &&
    a.ignoreExcludeLb === b.ignoreExcludeLb &&
    a.config === b.config &&
    a.nodes === b.nodes &&
    a.liveMembers === b.liveMembers &&
    a.interfaceHealth === b.interfaceHealth &&
    a.localInterfaces === b.localInterfaces
  );
}

/**
 * Outcomes by Service key. Any change to the shared inputs (configuration, Nodes, gossip members,
 * interface health: every failover) forgets them all, so a failover decides every Service afresh
 * exactly as before; a change to one Service or its endpoints re-decides that Service only.
 */
export class DecisionCache {
  private shared: SharedInputs | undefined;
  private entries = new Map<string, Entry>();

  /** Starts a reconcile over `inputs`: forgets every outcome if a shared input changed. */
  begin(inputs: SpeakerInputs): void {
    const shared = sharedOf(inputs);
    if (this.shared === undefined || !sameShared(this.shared, shared)) this.entries = new Map();
    this.shared = shared;
  }

  /** The outcome remembered for this Service and these endpoints, or `decide()`'s, remembered. */
  outcome(
    service: SpeakerService,
    endpoints: readonly ElectionEndpoint[] | undefined,
    decide: () => ServiceOutcome,
  ): ServiceOutcome {
    const known = this.entries.get(service.key);
    if (known && known.service === service && sameItems(known.endpoints, endpoints)) return known.outcome;
    const outcome = decide();
    this.entries.set(service.key, { service, endpoints, outcome });
    return outcome;
  }

  /** Forgets Services not in `keys` (deleted). */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.entries.keys()) if (!keys.has(key)) this.entries.delete(key);
  }
}
