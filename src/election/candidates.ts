import { EXCLUDE_LB_LABEL, OUT_OF_SERVICE_TAINT } from '../config/annotations.js';
import { canServe, interfacesForNode, preferenceScore, selectsNode } from './advertisements.js';
import { hashOrder } from './hash.js';
import type { ElectionAdvertisement, ElectionInput, ElectionNode } from './types.js';

/**
 * E5 + E6 and DESIGN's extras: the nodes that may own the Service, in no particular order.
 * `advertisements` are the Service-matching ads (E2); the union of their node selections is used
 * so every speaker computes the same set.
 */
export function eligibleCandidates(
  input: ElectionInput,
  advertisements: readonly ElectionAdvertisement[],
): ElectionNode[] {
  const nodesByName = new Map(input.nodes.map((node) => [node.name, node]));
  // Q5: a member without a Node entry (deleted Node, unknown standalone name) is never a candidate.
  const start = input.liveMembers ?? input.nodes.map((node) => node.name);
  const candidates: ElectionNode[] = [];
  for (const name of new Set(start)) {
    const node = nodesByName.get(name);
    if (node && isEligible(node, input, advertisements)) candidates.push(node);
  }
  return candidates;
}

function isEligible(
  node: ElectionNode,
  input: ElectionInput,
  advertisements: readonly ElectionAdvertisement[],
): boolean {
  if (node.networkUnavailable === true) return false;
  if (!input.ignoreExcludeLb && Object.hasOwn(node.labels, EXCLUDE_LB_LABEL)) return false;
  // Q5 / metallb#3116: an out-of-service node may be powered off while still "alive" somewhere.
  if ((node.taints ?? []).some((taint) => taint.key === OUT_OF_SERVICE_TAINT)) return false;
  if (!advertisements.some((advertisement) => selectsNode(advertisement, node.labels))) return false;
  if (!hasHealthyInterface(node, input, advertisements)) return false;
  return hasLocalEndpoint(node, input);
}

/** Q9/Q10: a node whose selected interfaces are all down could answer nobody. */
function hasHealthyInterface(
  node: ElectionNode,
  input: ElectionInput,
  advertisements: readonly ElectionAdvertisement[],
): boolean {
  const health = input.interfaceHealth?.[node.name];
  if (health === undefined || Object.keys(health).length === 0) return true;
  const selection = interfacesForNode(advertisements, node.labels);
  const names = selection === 'all' ? Object.keys(health) : selection;
  return names.some((name) => health[name] === true);
}

/** E6: with Local policy, only nodes running a serving endpoint (skipped without endpoint data). */
function hasLocalEndpoint(node: ElectionNode, input: ElectionInput): boolean {
  if (input.endpoints === undefined || input.service.externalTrafficPolicy !== 'Local') return true;
  return input.endpoints.some((endpoint) => endpoint.nodeName === node.name && canServe(endpoint));
}

/** E8: descending preference score, ties broken by the SHA-256 order of `node#ip`. */
export function orderCandidates(
  candidates: readonly ElectionNode[],
  advertisements: readonly ElectionAdvertisement[],
  hashedIP: string,
): string[] {
  const scores = new Map(candidates.map((node) => [node.name, preferenceScore(advertisements, node.labels)]));
  const byHash = hashOrder(
    candidates.map((node) => node.name),
    hashedIP,
  );
  // Array.prototype.sort is stable, so equal scores keep the hash order.
  return byHash.sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0));
}
