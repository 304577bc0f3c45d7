// The continuous checks (issue 7 item 2, "not only at the end"): every tick reads all Services back
// and checks sharing and pool membership, notices every lost IP and demands an Event giving the
// reason, samples daemon memory. A condition that the controller may legitimately still be fixing
// (it reacts to edits asynchronously) only counts once it has persisted for PERSISTENCE_MS.
import type { CoreV1Event, V1Service } from '@kubernetes/client-node';
import { Annotation } from '../../src/config/annotations.js';
import type { userClients } from '../k8s/harness/objects.js';
import { type ObservedService, poolViolations, sharingViolations } from './invariants.js';
import { APP_NAMESPACES, type World } from './model.js';
import type { Report } from './report.js';

/** Far longer than any reconcile; covers a controller fail-over (Lease expiry) too. */
export const PERSISTENCE_MS = 45_000;
/** How long after a lost IP its Event may appear. */
const EVENT_WAIT_MS = 30_000;
/** Event reasons that explain a lost or changed IP (EV2, EV3, EV4, DESIGN "Allocation"). */
const LOSS_REASONS = new Set([
  'AllocationChanged',
  'ClearAssignment',
  'AllocationFailed',
  'LoadBalancerFailed',
]);

/** Reads every gauntlet Service back from the API server. */
export async function observeServices(user: ReturnType<typeof userClients>): Promise<ObservedService[]> {
  const lists = await Promise.all(APP_NAMESPACES.map((namespace) => user.listServices(namespace)));
  return lists.flatMap((list) => list.items).map(toObserved);
}

function toObserved(service: V1Service): ObservedService {
  const namespace = service.metadata?.namespace ?? '';
  const annotations = service.metadata?.annotations ?? {};
  return {
    key: `${namespace}/${service.metadata?.name ?? ''}`,
    namespace,
    uid: service.metadata?.uid ?? '',
    ips: (service.status?.loadBalancer?.ingress ?? []).flatMap((entry) => (entry.ip ? [entry.ip] : [])),
    sharingKey: annotations[Annotation.allowSharedIP.current],
    ports: (service.spec?.ports ?? []).map((port) => ({
      port: port.port,
      protocol: port.protocol === 'UDP' ? 'UDP' : 'TCP',
    })),
    local: service.spec?.externalTrafficPolicy === 'Local',
    loadBalancer: service.spec?.type === 'LoadBalancer',
  };
}

interface LossCheck {
  readonly service: ObservedService;
  readonly lost: readonly string[];
  readonly since: number;
  readonly detectedAt: number;
}

function eventTime(event: CoreV1Event): number {
  const value =
    event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;
  return value ? new Date(value as unknown as string).getTime() : 0;
}

/** Runs the continuous invariants against `world` and records into `report`. */
export class Monitor {
  private readonly firstSeen = new Map<string, number>();
  private readonly reported = new Set<string>();
  private readonly lastSeen = new Map<string, { ips: readonly string[]; at: number }>();
  private readonly lossChecks: LossCheck[] = [];

  constructor(
    private readonly context: {
      user: ReturnType<typeof userClients>;
      world: World;
      report: Report;
      released: ReadonlyMap<string, number>;
    },
  ) {}

  /** One round of checks; API errors (e.g. during an API-server restart) skip the round. */
  async tick(): Promise<void> {
    const { report, world } = this.context;
    let services: ObservedService[];
    try {
      services = await observeServices(this.context.user);
    } catch {
      report.count('check.skippedApiUnavailable');
      return;
    }
    const now = Date.now();
    report.count('check.sharing');
    report.count('check.poolMembership');
    this.persistent([...sharingViolations(services), ...poolViolations(world, services)], now);
    this.noticeLosses(services, now);
    await this.resolveLossChecks(now);
  }

  private persistent(conditions: readonly string[], now: number): void {
    const current = new Set(conditions);
    for (const key of this.firstSeen.keys()) if (!current.has(key)) this.firstSeen.delete(key);
    for (const condition of current) {
      const since = this.firstSeen.get(condition) ?? now;
      this.firstSeen.set(condition, since);
      if (now - since >= PERSISTENCE_MS && !this.reported.has(condition)) {
        this.reported.add(condition);
        this.context.report.violation(`${condition} (for ${Math.round((now - since) / 1000)} s)`);
      }
    }
  }

  private noticeLosses(services: readonly ObservedService[], now: number): void {
    for (const service of services) {
      const previous = this.lastSeen.get(service.uid);
      this.lastSeen.set(service.uid, { ips: service.ips, at: now });
      if (!previous) continue;
      const lost = previous.ips.filter((ip) => !service.ips.includes(ip));
      if (lost.length === 0) continue;
      const released = this.context.released.get(service.key);
      if (released !== undefined && released >= previous.at - 1_000) continue; // the user's own act
      this.context.report.count('ipLossesObserved');
      this.lossChecks.push({ service, lost, since: previous.at - 2_000, detectedAt: now });
    }
  }

  private async resolveLossChecks(now: number): Promise<void> {
    for (const check of [...this.lossChecks]) {
      let events: CoreV1Event[];
      try {
        events = (
          await this.context.user.core.listNamespacedEvent({
            namespace: check.service.namespace,
            fieldSelector: `involvedObject.uid=${check.service.uid}`,
          })
        ).items;
      } catch {
        return;
      }
      const explained = events.some(
        (event) => LOSS_REASONS.has(event.reason ?? '') && eventTime(event) >= check.since,
      );
      if (!explained && now - check.detectedAt < EVENT_WAIT_MS) continue;
      this.lossChecks.splice(this.lossChecks.indexOf(check), 1);
      this.context.report.count('check.lossHasEvent');
      if (!explained) {
        const reasons = events.map((event) => `${event.reason}@${new Date(eventTime(event)).toISOString()}`);
        this.context.report.violation(
          `${check.service.key} lost ${check.lost.join(',')} with no AllocationChanged/ClearAssignment/AllocationFailed Event (events: ${reasons.join(' ') || 'none'})`,
        );
      }
    }
  }

  /** Whether loss checks are still waiting for their Events. */
  get pendingLossChecks(): number {
    return this.lossChecks.length;
  }
}
