import type { Config } from '../config/index.js';
import type { ElectionEndpoint, ElectionNode, InterfaceHealth, NotOwnerDetail } from '../election/index.js';

/** A Service reduced to what the speaker reads (S1–S4, E1–E9). */
export interface SpeakerService {
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly type: string;
  readonly loadBalancerClass: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** `status.loadBalancer.ingress[].ip` in written order, entries without an IP skipped (A4). */
  readonly ingressIPs: readonly string[];
}

/** Everything one reconcile of this node reads; the shell fills it from the informer caches. */
export interface SpeakerInputs {
  readonly nodeName: string;
  /** `--lb-class`; empty string or undefined: only Services without a class (C11). */
  readonly loadBalancerClass?: string;
  /** `--ignore-exclude-lb` (E5). */
  readonly ignoreExcludeLb?: boolean;
  readonly services: readonly SpeakerService[];
  /** Service key → the endpoints of all its EndpointSlices (E1, E6); absent key: no endpoints. */
  readonly endpoints: ReadonlyMap<string, readonly ElectionEndpoint[]>;
  /** Every Node currently known; deleted Nodes are absent (Q5). */
  readonly nodes: readonly ElectionNode[];
  /** The last good configuration; undefined until one has loaded (S1: wait). */
  readonly config: Config | undefined;
  /** Names alive or suspect in gossip; undefined without membership (E5). */
  readonly liveMembers?: readonly string[];
  /** Interface health of every member, from gossip; undefined without membership. */
  readonly interfaceHealth?: InterfaceHealth;
  /**
   * The interfaces that exist on this node after exclusions (L2), for the L13 check; undefined
   * when the data plane does not know (yet), which skips the check.
   */
  readonly localInterfaces?: readonly string[];
}

/** Why a Service is not (or no longer) announced from this node: S1 and S2 reasons, MetalLB's spellings. */
export type WithdrawReason =
  | 'serviceDeleted'
  | 'notLoadBalancer'
  | 'loadBalancerClassMismatch'
  | 'noConfig'
  | 'noIPAllocated'
  | 'invalidIP'
  | 'ipNotAllowed'
  | 'loadBalancerIPChanged'
  | 'notOwner'
  | 'noMatchingAdvertisement'
  | 'sharedIPWithServiceSelector'
  | 'announceFailed';

/** What this node does for one Service. */
export type ServiceOutcome =
  | {
      readonly announce: true;
      /** The IPs actually announced: every ingress IP minus those in `failedIPs`. */
      readonly ips: readonly string[];
      /** Interfaces to answer on; undefined means every interface (L13). */
      readonly interfaces: readonly string[] | undefined;
      /** IPs whose listed interfaces all are missing on this node (L13, EV12). */
      readonly failedIPs: readonly string[];
    }
  | {
      readonly announce: false;
      readonly reason: WithdrawReason;
      readonly detail?: NotOwnerDetail;
      /** The node that announces instead, when known. */
      readonly owner?: string;
    };

/** One announced Service as remembered between reconciles. */
export interface AnnouncedService {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly ips: readonly string[];
  readonly interfaces: readonly string[] | undefined;
  readonly failedIPs: readonly string[];
}

/**
 * What the speaker remembers between reconciles: what it announced (stateless election, E11), and
 * who owned each IP, only to tell a failover from a first announcement (metrics, logs).
 */
export interface SpeakerState {
  /** Service key → what was announced (or attempted, when every IP failed L13). */
  readonly services: ReadonlyMap<string, AnnouncedService>;
  /** IP → its known owner: this node for announced IPs, else the node the election named; absent: none known. */
  readonly owners: ReadonlyMap<string, string>;
}

/** An IP this node started announcing that another node owned at the previous reconcile. */
export interface Failover {
  readonly ip: string;
  /** The Services announcing `ip` from here (several when shared, L14). */
  readonly services: readonly string[];
  readonly previousOwner: string;
}

/** One `metallb_speaker_announced` series (M4). */
export interface AnnouncedSeries {
  readonly service: string;
  readonly protocol: 'layer2';
  readonly node: string;
  readonly ip: string;
}

/** An Event about a Service (EV11, EV12), with MetalLB's reason and message. */
export interface SpeakerEvent {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly type: 'Normal' | 'Warning';
  readonly reason: 'nodeAssigned' | 'announceFailed';
  readonly message: string;
}

/** A ServiceL2Status this node should hold (R4). */
export interface DesiredL2Status {
  readonly serviceNamespace: string;
  readonly serviceName: string;
  readonly node: string;
  /** Empty when every interface is used (R4). */
  readonly interfaces: readonly string[];
}

/** One announcement for the data plane: the interfaces to answer on (undefined: all). */
export interface Announcement {
  readonly interfaces?: readonly string[];
}

/** A Service that was announced and no longer is, with why. */
export interface Withdrawal {
  readonly service: string;
  readonly ips: readonly string[];
  readonly reason: WithdrawReason;
}

/** The whole result of one reconcile: new state plus everything the shell must apply. */
export interface Reconciliation {
  readonly state: SpeakerState;
  readonly outcomes: ReadonlyMap<string, ServiceOutcome>;
  /** IP → announcement, for `DataPlane.setAnnouncements` (shared IPs merged, L14). */
  readonly announcements: ReadonlyMap<string, Announcement>;
  readonly withdrawals: readonly Withdrawal[];
  readonly events: readonly SpeakerEvent[];
  /**
   * Series to set: every series of each Service whose announced state is new or changed. A Service
   * whose state was kept (the same object as before) keeps its series, already set.
   */
  readonly series: readonly AnnouncedSeries[];
  /** Series to delete: present before, absent now (Q16: every withdraw path). */
  readonly staleSeries: readonly AnnouncedSeries[];
  readonly statuses: readonly DesiredL2Status[];
  /** IPs taken over from another node: one `ferrolb_failover_events_total` increment each. */
  readonly failovers: readonly Failover[];
}
