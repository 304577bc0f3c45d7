import { decideService } from './decide.js';
import type {
  AnnouncedSeries,
  AnnouncedService,
  Announcement,
  DesiredL2Status,
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
export const EMPTY_SPEAKER_STATE: SpeakerState = { services: new Map() };

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
  const subject = {
    namespace: service.namespace,
    name: service.name,
    ...(service.uid ? { uid: service.uid } : {}),
  };
  if (!outcome.announce) {
    const withdrawal =
      prior && prior.ips.length > 0
        ? { service: service.key, ips: prior.ips, reason: outcome.reason }
        : undefined;
    return { next: undefined, withdrawal, events: [] };
  }
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
  const next = { ...subject, ips: outcome.ips, interfaces: outcome.interfaces, failedIPs: outcome.failedIPs };
  return { next, withdrawal: withdrawal as Withdrawal | undefined, events };
}

/**
 * One reconcile of this node: every Service's outcome (S1, S2, L13), the data plane's table, the
 * Events and metric series that changed, and the ServiceL2Status objects to hold (R4). Pure.
 */
export function reconcile(inputs: SpeakerInputs, previous: SpeakerState): Reconciliation {
  const outcomes = new Map<string, ServiceOutcome>();
  const services = new Map<string, AnnouncedService>();
  const withdrawals: Withdrawal[] = [];
  const events: SpeakerEvent[] = [];
  for (const service of inputs.services) {
    const outcome = decideService(service, inputs);
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
  const state: SpeakerState = { services };
  const series = seriesOf(state, inputs.nodeName);
  const current = new Set(series.map(seriesKey));
  const staleSeries = seriesOf(previous, inputs.nodeName).filter((item) => !current.has(seriesKey(item)));
  return {
    state,
    outcomes,
    announcements: announcementsOf(state),
    withdrawals,
    events,
    series,
    staleSeries,
    statuses: statusesOf(state, inputs.nodeName),
  };
}

/** M4: one series per announced (Service, IP). */
function seriesOf(state: SpeakerState, node: string): AnnouncedSeries[] {
  const series: AnnouncedSeries[] = [];
  for (const [service, announced] of state.services) {
    for (const ip of announced.ips) series.push({ service, protocol: LAYER2_PROTOCOL, node, ip });
  }
  return series;
}

function seriesKey(series: AnnouncedSeries): string {
  return `${series.service}\n${series.ip}\n${series.node}`;
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

/** R4: one status per Service announced from here; `interfaces` empty when every interface is used. */
function statusesOf(state: SpeakerState, node: string): DesiredL2Status[] {
  return [...state.services.values()]
    .filter((announced) => announced.ips.length > 0)
    .map((announced) => ({
      serviceNamespace: announced.namespace,
      serviceName: announced.name,
      node,
      interfaces: announced.interfaces ?? [],
    }));
}
