import {
  advertisementsForService,
  canServe,
  interfacesForNode,
  selectsNode,
  sharesIPWithServiceSelector,
} from './advertisements.js';
import { eligibleCandidates, orderCandidates } from './candidates.js';
import { goIPString } from './ip-string.js';
import type { AnnounceDecision, ElectionAdvertisement, ElectionInput, ElectionResult } from './types.js';

type Prepared =
  | { readonly ok: true; readonly advertisements: ElectionAdvertisement[]; readonly hashedIP: string }
  | Extract<ElectionResult, { ok: false }>;

/** E1–E3 and E9's input: the checks that do not depend on which node asks. */
function prepare(input: ElectionInput): Prepared {
  const first = input.service.ingressIPs[0];
  if (first === undefined) return { ok: false, reason: 'noIPAllocated' };
  const hashedIP = goIPString(first);
  if (hashedIP === undefined || input.service.ingressIPs.some((ip) => goIPString(ip) === undefined)) {
    return { ok: false, reason: 'invalidIP' };
  }
  // E1 also applies to Cluster policy; without endpoint data (standalone) every member may serve.
  if (input.endpoints !== undefined && !input.endpoints.some(canServe)) {
    return { ok: false, reason: 'notOwner', detail: 'noServingEndpoints' };
  }
  const advertisements = advertisementsForService(input.service, input.advertisements);
  if (sharesIPWithServiceSelector(input.service, advertisements)) {
    return { ok: false, reason: 'sharedIPWithServiceSelector' };
  }
  return { ok: true, advertisements, hashedIP };
}

/** The owner of the Service's IPs and the ordered candidates, the same on every node (E5–E9). */
export function electOwner(input: ElectionInput): ElectionResult {
  const prepared = prepare(input);
  return prepared.ok ? electPrepared(input, prepared) : prepared;
}

function electPrepared(input: ElectionInput, prepared: Extract<Prepared, { ok: true }>): ElectionResult {
  const candidates = eligibleCandidates(input, prepared.advertisements);
  if (candidates.length === 0) return { ok: false, reason: 'notOwner', detail: 'noCandidates' };
  const ordered = orderCandidates(candidates, prepared.advertisements, prepared.hashedIP);
  return { ok: true, owner: ordered[0] as string, candidates: ordered };
}

/**
 * Whether `nodeName` announces the Service (MetalLB's `ShouldAnnounce`, S2): E1, E2, E3, E4 for
 * this node, then the election; the owner announces every ingress IP (E9) on the L13 interfaces.
 */
export function shouldAnnounce(input: ElectionInput & { readonly nodeName: string }): AnnounceDecision {
  const prepared = prepare(input);
  if (!prepared.ok)
    return prepared.detail
      ? { announce: false, reason: prepared.reason, detail: prepared.detail }
      : { announce: false, reason: prepared.reason };
  const labels = input.nodes.find((node) => node.name === input.nodeName)?.labels ?? {};
  if (!prepared.advertisements.some((advertisement) => selectsNode(advertisement, labels))) {
    return { announce: false, reason: 'noMatchingAdvertisement' };
  }
  const result = electPrepared(input, prepared);
  if (!result.ok)
    return result.detail
      ? { announce: false, reason: result.reason, detail: result.detail }
      : { announce: false, reason: result.reason };
  if (result.owner !== input.nodeName) {
    return { announce: false, reason: 'notOwner', detail: 'otherNodeElected', owner: result.owner };
  }
  return {
    announce: true,
    owner: result.owner,
    ips: [...input.service.ingressIPs],
    interfaces: interfacesForNode(prepared.advertisements, labels),
  };
}
