import { failoversGained } from '../election/index.js';
import { setDefined } from '../shapes.js';
import { decideService } from './decide.js';
import type { DecisionCache } from './decision-cache.js';
import type {
  AnnouncedSeries,
  AnnouncedService,
  Announcement,
  DesiredL2Status,
  Failover,
  Reconciliation,
  ServiceOutcome,
  SpeakerEvent,
  SpeakerInputs,
  SpeakerService,
  SpeakerState,
  Withdrawal,
} from './types.js';

/** The protocol label of every series and event: ferrolb speaks layer 2 only. */
export const LAYER2_PROTOCOL = 'layer2';

/** A speaker that has announced nothing yet. */
export const EMPTY_SPEAKER_STATE: SpeakerState = { services: new Map(), owners: new Map() };

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

/** EV11 message, byte-identical to MetalLB's. */
export function nodeAssignedMessage(node: string): string {
  return `announcing from node "${node}" with protocol "${LAYER2_PROTOCOL}"`;
}

/** EV12 message, byte-identical to MetalLB's (its grammar included). */
export function announceFailedMessage(ip: string, node: string): string {
  return `the interfaces specified by LB IP "${ip}" doesn't exist in assigned node "${node}" with protocol "${LAYER2_PROTOCOL}"`;
}

interface Step {
  readonly next: AnnouncedService | undefined;
  readonly withdrawal: Withdrawal | undefined;
  readonly events: SpeakerEvent[];
}

/** One Service's transition from what was announced to `outcome`, with its events (Q8: on change only). */
function stepService(
  service: SpeakerService,
  outcome: ServiceOutcome,
  context: { readonly prior: AnnouncedService | undefined; readonly nodeName: string },
): Step {
  const { prior, nodeName } = context;
  // The outcome this state was built from (DecisionCache): nothing to announce, withdraw or record.
  if (prior && outcome.announce && sameOutcome(prior, outcome)) {
    return { next: prior, withdrawal: undefined, events: [] };
  }
  if (!outcome.announce) {
    const withdrawal =
      prior && prior.ips.length > 0
        ? { service: service.key, ips: prior.ips, reason: outcome.reason }
        : undefined;
    return { next: undefined, withdrawal, events: [] };
  }
  const subject: { namespace: string; name: string; uid?: string } = {
    namespace: service.namespace,
    name: service.name,
  };
  setDefined(subject, 'uid', service.uid || undefined);
  const events: SpeakerEvent[] = [];
  const priorIPs = prior?.ips ?? [];
  if (outcome.ips.length > 0 && !sameSet(priorIPs, outcome.ips)) {
    events.push({
      ...subject,
      type: 'Normal',
      reason: 'nodeAssigned',
      message: nodeAssignedMessage(nodeName),
    });
  }
  for (const ip of outcome.failedIPs) {
    if (prior?.failedIPs.includes(ip)) continue;
    events.push({
      ...subject,
      type: 'Warning',
      reason: 'announceFailed',
      message: announceFailedMessage(ip, nodeName),
    });
  }
  const lost = priorIPs.filter((ip) => !outcome.ips.includes(ip));
  // S1: a changed ingress withdraws the old IPs first; losing every interface is L13's failure.
  const reason = outcome.ips.length === 0 ? 'announceFailed' : 'loadBalancerIPChanged';
  const withdrawal = lost.length > 0 ? { service: service.key, ips: lost, reason } : undefined;
  const next: AnnouncedService = {
    namespace: service.namespace,
    name: service.name,
    ips: outcome.ips,
    interfaces: outcome.interfaces,
    failedIPs: outcome.failedIPs,
  };
  setDefined(next, 'uid', service.uid || undefined);
  return { next, withdrawal: withdrawal as Withdrawal | undefined, events };
}

/** `announced` was stepped from this very outcome (its lists are the outcome's own). */
function sameOutcome(
  announced: AnnouncedService,
  outcome: Extract<ServiceOutcome, { announce: true }>,
): boolean {
  return (
    announced.ips === outcome.ips &&
    announced.interfaces === outcome.interfaces &&
    announced.failedIPs === outcome.failedIPs
  );
}

/**
 * One reconcile of this node: every Service's outcome (S1, S2, L13), the data plane's table, the
 * Events and metric series that changed, and the ServiceL2Status objects to hold (R4). Pure.
 */
export function reconcile(
  inputs: SpeakerInputs,
  previous: SpeakerState,
  decisions?: DecisionCache,
): Reconciliation {
  const outcomes = new Map<string, ServiceOutcome>();
  const services = new Map<string, AnnouncedService>();
  const withdrawals: Withdrawal[] = [];
  const events: SpeakerEvent[] = [];
  decisions?.begin(inputs);
  for (const service of inputs.services) {
    const outcome = decisions
      ? decisions.outcome(service, inputs.endpoints.get(service.key), () => decideService(service, inputs))
      : decideService(service, inputs);
    outcomes.set(service.key, outcome);
    const step = stepService(service, outcome, {
      prior: previous.services.get(service.key),
      nodeName: inputs.nodeName,
    });
    if (step.next) services.set(service.key, step.next);
    if (step.withdrawal) withdrawals.push(step.withdrawal);
    events.push(...step.events);
  }
  for (const [key, prior] of previous.services) {
    if (outcomes.has(key) || prior.ips.length === 0) continue;
    withdrawals.push({ service: key, ips: prior.ips, reason: 'serviceDeleted' });
  }
  decisions?.retain(new Set(outcomes.keys()));
  const state: SpeakerState = { services, owners: ownersOf(inputs, outcomes) };
  const announcements = announcementsOf(state);
  return {
    state,
    outcomes,
    announcements,
    withdrawals,
    events,
    ...seriesChanges(previous, state, inputs.nodeName),
    statuses: statusesOf(state, inputs.nodeName),
    failovers: failoversOf(previous, { state, announcements, nodeName: inputs.nodeName }),
  };
}

/**
 * Each IP's owner as this reconcile knows it: this node where it announces, else the node the
 * election named (notOwner). A shared IP (L14) prefers this node, then the smallest name, so the
 * order of Services never matters.
 */
function ownersOf(inputs: SpeakerInputs, outcomes: ReadonlyMap<string, ServiceOutcome>): Map<string, string> {
  // Node names are never empty, so this node ranks before every other.
  const rank = (name: string) => (name === inputs.nodeName ? '' : name);
  const owners = new Map<string, string>();
  for (const service of inputs.services) {
    const outcome = outcomes.get(service.key);
    const owner = outcome?.announce ? inputs.nodeName : outcome?.owner;
    if (!outcome || owner === undefined) continue;
    for (const ip of outcome.announce ? outcome.ips : service.ingressIPs) {
      const known = owners.get(ip);
      if (known === undefined || rank(owner) < rank(known)) owners.set(ip, owner);
    }
  }
  return owners;
}

/** IPs announced now and not before, whose previous known owner was another node (one failover each). */
function failoversOf(
  previous: SpeakerState,
  now: {
    readonly state: SpeakerState;
    readonly announcements: ReadonlyMap<string, Announcement>;
    readonly nodeName: string;
  },
): Failover[] {
  const before = announcementsOf(previous);
  const gained = [...now.announcements.keys()].filter((ip) => !before.has(ip));
  return failoversGained(now.nodeName, previous.owners, gained).flatMap((ip) => {
    const previousOwner = previous.owners.get(ip);
    if (previousOwner === undefined) return [];
    const services = [...now.state.services]
      .filter(([, announced]) => announced.ips.includes(ip))
      .map(([key]) => key);
    return [{ ip, services, previousOwner }];
  });
}

/** M4: one series per announced (Service, IP). */
function seriesOf(service: string, announced: AnnouncedService | undefined, node: string): AnnouncedSeries[] {
  return (announced?.ips ?? []).map((ip) => ({ service, protocol: LAYER2_PROTOCOL, node, ip }));
}

/**
 * M4: the series of the Services whose announced state changed (a kept state keeps its series
 * as they are: issue 14, a burst would otherwise set every series again on every run), and the
 * series that ended.
 */
function seriesChanges(
  previous: SpeakerState,
  state: SpeakerState,
  node: string,
): Pick<Reconciliation, 'series' | 'staleSeries'> {
  const series: AnnouncedSeries[] = [];
  const staleSeries: AnnouncedSeries[] = [];
  const keys = new Set([...previous.services.keys(), ...state.services.keys()]);
  for (const key of keys) {
    const before = previous.services.get(key);
    const now = state.services.get(key);
    if (before === now) continue;
    const current = seriesOf(key, now, node);
    series.push(...current);
    const kept = new Set(current.map((item) => item.ip));
    staleSeries.push(...seriesOf(key, before, node).filter((item) => !kept.has(item.ip)));
  }
  return { series, staleSeries };
}

/** L14: a shared IP is announced once; its interfaces are the union, and "all" wins. */
function announcementsOf(state: SpeakerState): Map<string, Announcement> {
  const table = new Map<string, Announcement>();
  for (const announced of state.services.values()) {
    for (const ip of announced.ips) {
      const existing = table.get(ip);
      if (existing && existing.interfaces === undefined) continue;
      if (announced.interfaces === undefined) {
        table.set(ip, {});
        continue;
      }
      const union = new Set([...(existing?.interfaces ?? []), ...announced.interfaces]);
      table.set(ip, { interfaces: [...union].sort() });
    }
  }
  return table;
}

/** The status of each announced state, kept with it so a kept state costs no new object per run. */
const statusOfAnnounced = new WeakMap<AnnouncedService, DesiredL2Status>();

/** R4: one status per Service announced from here; `interfaces` empty when every interface is used. */
function statusesOf(state: SpeakerState, node: string): DesiredL2Status[] {
  const statuses: DesiredL2Status[] = [];
  for (const announced of state.services.values()) {
    if (announced.ips.length === 0) continue;
    let status = statusOfAnnounced.get(announced);
    if (status?.node !== node) {
      status = {
        serviceNamespace: announced.namespace,
        serviceName: announced.name,
        node,
        interfaces: announced.interfaces ?? [],
      };
      statusOfAnnounced.set(announced, status);
    }
    statuses.push(status);
  }
  return statuses;
}
