import { Annotation } from '../config/annotations.js';
import { matchesSelector } from '../config/selector.js';
import type {
  ElectionAdvertisement,
  ElectionEndpoint,
  ElectionService,
  InterfaceSelection,
} from './types.js';

type Labels = Readonly<Record<string, string>>;

/** E2: the ads that cover this Service: no serviceSelectors, or any selector matches its labels. */
export function advertisementsForService(
  service: ElectionService,
  advertisements: readonly ElectionAdvertisement[],
): ElectionAdvertisement[] {
  return advertisements.filter((advertisement) => {
    const selectors = advertisement.serviceSelectors ?? [];
    return selectors.length === 0 || selectors.some((selector) => matchesSelector(selector, service.labels));
  });
}

/** V12: an ad selects a node when it has no nodeSelectors or any of them matches the node's labels. */
export function selectsNode(advertisement: ElectionAdvertisement, labels: Labels): boolean {
  const selectors = advertisement.nodeSelectors ?? [];
  return selectors.length === 0 || selectors.some((selector) => matchesSelector(selector, labels));
}

/**
 * E3: an allow-shared-ip annotation (either prefix, any value, N5) together with an ad that uses
 * serviceSelectors: Services sharing an IP could otherwise be announced from different nodes.
 */
export function sharesIPWithServiceSelector(
  service: ElectionService,
  advertisements: readonly ElectionAdvertisement[],
): boolean {
  const annotations = service.annotations ?? {};
  const shared =
    Object.hasOwn(annotations, Annotation.allowSharedIP.current) ||
    Object.hasOwn(annotations, Annotation.allowSharedIP.deprecated);
  return shared && advertisements.some((advertisement) => (advertisement.serviceSelectors ?? []).length > 0);
}

/** L13: the union of `interfaces` over the ads selecting the node; `'all'` if one of them lists none. */
export function interfacesForNode(
  advertisements: readonly ElectionAdvertisement[],
  labels: Labels,
): InterfaceSelection {
  const selected = new Set<string>();
  for (const advertisement of advertisements) {
    if (!selectsNode(advertisement, labels)) continue;
    const interfaces = advertisement.interfaces ?? [];
    if (interfaces.length === 0) return 'all';
    for (const name of interfaces) selected.add(name);
  }
  return [...selected].sort();
}

/** E14: the sum of matching preferredNodeSelectors weights over ads that select the node. */
export function preferenceScore(advertisements: readonly ElectionAdvertisement[], labels: Labels): number {
  let score = 0;
  for (const advertisement of advertisements) {
    if (!selectsNode(advertisement, labels)) continue;
    for (const term of advertisement.preferredNodeSelectors ?? []) {
      if (matchesSelector(term.preference, labels)) score += term.weight;
    }
  }
  return score;
}

/** E1: `ready` nil or true, or `serving` true (terminating-but-serving endpoints count). */
export function canServe(endpoint: ElectionEndpoint): boolean {
  return endpoint.ready === undefined || endpoint.ready === true || endpoint.serving === true;
}
