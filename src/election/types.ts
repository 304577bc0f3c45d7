import type { LabelSelector } from '../config/selector.js';

/** One Node as the election sees it (E5): labels, the NetworkUnavailable condition and taints. */
export interface ElectionNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** True when the Node's `NetworkUnavailable` condition is `True` (E5). */
  readonly networkUnavailable?: boolean;
  /** Only the keys matter: `node.kubernetes.io/out-of-service` with any effect removes the node. */
  readonly taints?: readonly { readonly key: string; readonly effect?: string }[];
}

/** One preferredNodeSelectors term (E14): weight 1..100 added when `preference` matches. */
export interface PreferredNodeTerm {
  readonly weight: number;
  readonly preference: LabelSelector;
}

/**
 * An L2Advertisement already known to cover the Service's pool (V11); the caller resolves pools
 * (engineer A's `advertisementsForPool`), the election resolves nodes and Services.
 */
export interface ElectionAdvertisement {
  readonly name: string;
  /** Empty or absent: every node (V12). Several selectors are OR-ed. */
  readonly nodeSelectors?: readonly LabelSelector[];
  /** Empty or absent: every Service (E2). Several selectors are OR-ed. */
  readonly serviceSelectors?: readonly LabelSelector[];
  /** Empty or absent: every interface (V12, L13). */
  readonly interfaces?: readonly string[];
  readonly preferredNodeSelectors?: readonly PreferredNodeTerm[];
}

/** One endpoint of the Service (EndpointSlice v1 conditions), for E1 and E6. */
export interface ElectionEndpoint {
  readonly nodeName?: string;
  /** `conditions.ready`; undefined means nil, which counts as ready (E1). */
  readonly ready?: boolean;
  /** `conditions.serving`. */
  readonly serving?: boolean;
}

/** The Service being elected. */
export interface ElectionService {
  /** `namespace/name`, for logs. */
  readonly key: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** `status.loadBalancer.ingress[*].ip` in written order; ingress[0] is hashed (E9). */
  readonly ingressIPs: readonly string[];
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
}

/** node name → interface name → whether that interface is up (from gossip metadata). */
export type InterfaceHealth = Readonly<Record<string, Readonly<Record<string, boolean>>>>;

/** Everything one election needs; identical on every node, so every node computes the same owner. */
export interface ElectionInput {
  readonly service: ElectionService;
  /** The L2Advertisements covering the Service's pool (before serviceSelectors are applied). */
  readonly advertisements: readonly ElectionAdvertisement[];
  /** Every Node known (Kubernetes), or every configured member (standalone). */
  readonly nodes: readonly ElectionNode[];
  /** Names alive or suspect in gossip (E5); undefined when there is no membership. */
  readonly liveMembers?: readonly string[];
  /**
   * EndpointSlice endpoints of the Service; undefined means "no endpoint information" (standalone
   * mode), which makes every candidate eligible and skips E1 and E6.
   */
  readonly endpoints?: readonly ElectionEndpoint[];
  /** `--ignore-exclude-lb` (E5). */
  readonly ignoreExcludeLb?: boolean;
  /** Per-node interface health; a node absent here counts as healthy. */
  readonly interfaceHealth?: InterfaceHealth;
}

/** Interfaces to announce on: `'all'` when some matching ad lists none (L13). */
export type InterfaceSelection = 'all' | readonly string[];

/** Why a node does not announce; MetalLB's spellings where MetalLB has one (S1, S2). */
export type NotAnnounceReason =
  | 'notOwner'
  | 'noMatchingAdvertisement'
  | 'sharedIPWithServiceSelector'
  | 'noIPAllocated'
  | 'invalidIP';

/** Finer cause behind `notOwner`, for logs and ServiceL2Status; not part of MetalLB's contract. */
export type NotOwnerDetail = 'noServingEndpoints' | 'noCandidates' | 'otherNodeElected';

/** The verdict for one Service on one node. */
export type AnnounceDecision =
  | {
      readonly announce: true;
      readonly owner: string;
      /** Every ingress IP: dual-stack Services announce both from the node elected on ingress[0] (E9). */
      readonly ips: readonly string[];
      readonly interfaces: InterfaceSelection;
    }
  | {
      readonly announce: false;
      readonly reason: NotAnnounceReason;
      readonly detail?: NotOwnerDetail;
      /** The elected node when there is one, so callers can log who announces instead. */
      readonly owner?: string;
    };

/** The Service-wide result: the ordered candidates (E8) and the first of them. */
export type ElectionResult =
  | { readonly ok: true; readonly owner: string; readonly candidates: readonly string[] }
  | {
      readonly ok: false;
      readonly reason: NotAnnounceReason;
      readonly detail?: NotOwnerDetail;
    };
