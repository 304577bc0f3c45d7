// The speaker's reconcile loop (I/O shell): reads the caches, runs the pure `reconcile`, and applies
// its result to the data plane, metrics, Events and ServiceL2Status objects. Runs are coalesced
// and never overlap, so the data plane always sees one consistent table.
import type { KubernetesObject } from '@kubernetes/client-node';
import { mapLimited } from '../concurrency.js';
import { ServiceL2StatusLabel } from '../config/annotations.js';
import { SPEAKER_RECONCILE_DELAY_MS, SPEAKER_RETRY_DELAY_MS } from '../config/defaults.js';
import { type Config, describeRefusal } from '../config/index.js';
import { ErrorCode } from '../errors.js';
import { type CustomObjectsApi, MAX_CALL_SOCKETS } from '../k8s/api/index.js';
import type { ConfigurationProblem, EventRecorder } from '../k8s/index.js';
import type { Logger } from '../log.js';
import { counter, gauge } from '../metrics/registry.js';
import { adoptConfig, type ConfigAdoption } from './adopt-config.js';
import { DecisionCache } from './decision-cache.js';
import { assembleInputs, configInputOf, type RawWorld } from './inputs.js';
import { perObject, sameItems } from './per-object.js';
import type { DataPlanePort, MembershipPort } from './ports.js';
import { EMPTY_SPEAKER_STATE, reconcile } from './reconcile.js';
import { type ExistingL2Status, planStatusChanges, readL2Status } from './status-plan.js';
import { applyStatusPlan, type StatusOwner } from './status-writer.js';
import type { Reconciliation, SpeakerEvent, SpeakerInputs, SpeakerState } from './types.js';
import type { SpeakerWatches } from './watches.js';

/** How long a created ServiceL2Status counts as existing before the watch cache shows it. */
const CREATED_GRACE_MS = 10_000;

/**
 * Within a burst of API changes (say 2,000 Services created) a run starts this long after the last
 * one ended, or API_BURST_COMPUTE_FACTOR times its computing time if longer: each run reconciles every
 * Service, so one run per change cost O(changes × Services) (issue 14). An isolated change, and every
 * gossip or interface change (failover), still runs after SPEAKER_RECONCILE_DELAY_MS.
 */
const API_BURST_SPACING_MS = 200;
/** Reconciling takes at most 1 / (1 + this) of a core during a burst of API changes. */
const API_BURST_COMPUTE_FACTOR = 4;

/** What the loop is built from; the runner wires the real parts. */
export interface LoopParts {
  readonly settings: Pick<SpeakerInputs, 'nodeName' | 'loadBalancerClass' | 'ignoreExcludeLb'> & {
    readonly namespace: string;
  };
  readonly watches: SpeakerWatches;
  readonly custom: CustomObjectsApi;
  /** The speaker pod, owner of the ServiceL2Status objects (R4); undefined outside a pod. */
  readonly statusOwner: StatusOwner | undefined;
  readonly events: EventRecorder;
  readonly dataPlane: DataPlanePort | undefined;
  readonly membership: MembershipPort | undefined;
  /** R6: ConfigurationState `speaker-<node>` (a ConfigurationStateWriter); absent in unit tests. */
  readonly configState?: { report(problem: ConfigurationProblem): void; stop(): void };
  readonly logger: Logger;
}

/** Runs reconciles for one node until frozen. */
export class SpeakerLoop {
  private state: SpeakerState = EMPTY_SPEAKER_STATE;
  private config: Config | undefined;
  private lastAdoption = '';
  /** The configuration objects `config` was adopted from, to skip adopting them again unchanged. */
  private adoptedFrom: readonly unknown[] = [];
  private readonly decisions = new DecisionCache();
  private readonly reportedServices = new Set<string>();
  /** ServiceL2Status objects created but maybe not yet in the cache, by name, with the creation time. */
  private readonly created = new Map<string, { readonly status: ExistingL2Status; readonly atMs: number }>();
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private timerDueMs = 0;
  private lastRunEndMs = Number.NEGATIVE_INFINITY;
  /** How long the last run computed (before its API writes). */
  private lastComputeMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private frozen = false;
  /** Nothing runs before `begin()`: a reconcile over half-listed caches would see a partial world. */
  private started = false;
  private converged = false;
  /** Why the next run ends by announcing owned IPs again (DESIGN "Ownership is re-asserted"). */
  private pendingReassert: string | undefined;

  constructor(private readonly parts: LoopParts) {
    // Exported at 0 from the start, so the first takeover is an increase Prometheus can see.
    counter('failoverEventsTotal');
  }

  /** True once the first reconcile has been applied (readiness). */
  isReady(): boolean {
    return this.converged;
  }

  /** The IPs announced from this node now. */
  announcedIPs(): string[] {
    return [...new Set([...this.state.services.values()].flatMap((service) => service.ips))];
  }

  /** Services announcing `ip` here, for conflict Events. */
  servicesFor(ip: string): { namespace: string; name: string; uid?: string }[] {
    return [...this.state.services.values()].filter((service) => service.ips.includes(ip));
  }

  /** Asks for a reconcile soon; bursts of calls coalesce into one run, which re-asserts if asked. */
  schedule(reassert?: string): void {
    if (reassert) this.pendingReassert = reassert;
    this.scheduleIn(SPEAKER_RECONCILE_DELAY_MS);
  }

  /** Asks for a reconcile after a watched API object changed: as `schedule`, spaced within a burst. */
  scheduleApiChange(): void {
    const spacing = Math.max(API_BURST_SPACING_MS, API_BURST_COMPUTE_FACTOR * this.lastComputeMs);
    const untilSpaced = this.lastRunEndMs + spacing - Date.now();
    this.scheduleIn(Math.max(SPEAKER_RECONCILE_DELAY_MS, untilSpaced));
  }

  /** A pending later run is brought forward; an earlier one already covers this call. */
  private scheduleIn(delayMs: number): void {
    if (!this.started || this.frozen) return;
    const dueMs = Date.now() + delayMs;
    if (this.timer) {
      if (this.timerDueMs <= dueMs) return;
      clearTimeout(this.timer);
    }
    this.timerDueMs = dueMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.queue = this.queue
        .then(() => this.runOnce())
        .catch((error: unknown) => {
          this.parts.logger.error({ error: String(error) }, 'reconcile failed; retrying');
          this.retryLater();
        })
        .finally(() => {
          this.lastRunEndMs = Date.now();
        });
    }, delayMs);
  }

  /** Allows reconciles (once every cache is synced) and runs the first one. */
  begin(): void {
    this.started = true;
    this.schedule();
  }

  /** Stops reconciling; waits for a run in progress. */
  async freeze(): Promise<void> {
    this.frozen = true;
    this.parts.configState?.stop();
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    await this.queue;
  }

  /** Withdraws everything: data plane table, metric series, and this node's ServiceL2Status objects. */
  async withdrawAll(): Promise<void> {
    await this.freeze();
    this.parts.dataPlane?.setAnnouncements(new Map());
    const result = reconcile({ ...this.inputsBase(), services: [] }, this.state);
    this.applyMetrics(result);
    await this.applyStatuses(result);
    this.state = result.state;
  }

  private retryLater(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.schedule(), SPEAKER_RETRY_DELAY_MS);
  }

  private inputsBase(): SpeakerInputs {
    return { ...this.parts.settings, services: [], endpoints: new Map(), nodes: [], config: this.config };
  }

  private rawWorld(): RawWorld {
    const { watches } = this.parts;
    return {
      services: watches.services.list(),
      endpointSlices: watches.endpointSlices.list(),
      nodes: watches.nodes.list(),
      namespaces: watches.namespaces.list(),
      pools: watches.pools.list(),
      advertisements: watches.advertisements.list(),
    };
  }

  private async runOnce(): Promise<void> {
    if (this.frozen) return;
    const computeStartMs = Date.now();
    const world = this.rawWorld();
    this.adopt(world);
    const { membership, dataPlane } = this.parts;
    const { inputs, problems } = assembleInputs(world, {
      base: this.parts.settings,
      config: this.config,
      members: membership ? { live: membership.liveMembers(), all: membership.members() } : undefined,
      interfaces: dataPlane?.interfaceStates(),
    });
    for (const problem of problems) this.reportServiceProblem(problem);
    const result = reconcile(inputs, this.state, this.decisions);
    const before = new Set(this.announcedIPs());
    dataPlane?.setAnnouncements(result.announcements);
    if (this.pendingReassert) dataPlane?.reassert(this.pendingReassert);
    this.pendingReassert = undefined;
    this.applyMetrics(result);
    this.logChanges(result);
    this.state = result.state;
    this.converged = true;
    this.lastComputeMs = Date.now() - computeStartMs;
    const after = this.announcedIPs();
    // Issue 12 #12: the previous owner of a gained IP may still answer inside its grace period.
    if (after.length !== before.size || after.some((ip) => !before.has(ip))) dataPlane?.expectHandOver();
    const [eventsOk, statusesOk] = await Promise.all([
      this.recordEvents(result.events),
      this.applyStatuses(result),
    ]);
    if (!eventsOk || !statusesOk) this.retryLater();
  }

  /** C3/A37/V14: adopt the current CRs unless invalid or orphaning an announced IP; log on change only. */
  private adopt(world: RawWorld): void {
    // The cache replaces an object on every change: the same objects as the last adopted, fresh
    // config build the same config, and keeping the very object lets every decision stand.
    const objects = [...world.pools, ...world.advertisements, ...world.namespaces];
    if (this.config && sameItems(objects, this.adoptedFrom)) return;
    const adoption: ConfigAdoption = adoptConfig(configInputOf(world), {
      namespace: this.parts.settings.namespace,
      current: this.config,
      announcedIPs: this.announcedIPs(),
    });
    this.config = adoption.config;
    this.adoptedFrom = adoption.stale ? [] : objects;
    this.parts.configState?.report(problemOf(adoption));
    gauge('k8sClientConfigStaleBool').set(adoption.stale ? 1 : 0);
    gauge('k8sClientConfigLoadedBool').set(this.config ? 1 : 0);
    const signature = JSON.stringify([adoption.stale, adoption.problems, adoption.orphanedIPs]);
    if (signature === this.lastAdoption) return;
    this.lastAdoption = signature;
    const { logger } = this.parts;
    for (const problem of adoption.problems) logger.warn({ ...problem }, 'configuration object not used');
    if (adoption.orphanedIPs.length > 0) {
      logger.error(
        { op: 'setConfig', code: ErrorCode.configInvalid, ip: adoption.orphanedIPs },
        'new configuration leaves announced IPs without a pool: keeping the last good configuration (A37)',
      );
    } else if (adoption.stale) {
      logger.error(
        { op: 'setConfig', code: ErrorCode.configInvalid },
        'configuration invalid: keeping the last good configuration (V14)',
      );
    } else {
      logger.info(
        {
          pools: this.config?.pools.length ?? 0,
          l2Advertisements: this.config?.l2Advertisements.length ?? 0,
        },
        'configuration loaded',
      );
    }
  }

  private reportServiceProblem(problem: { key: string; field: string; message: string }): void {
    const signature = `${problem.key}\n${problem.field}\n${problem.message}`;
    if (this.reportedServices.has(signature)) return;
    this.reportedServices.add(signature);
    this.parts.logger.warn(
      { service: problem.key, field: problem.field, reason: problem.message },
      'Service ignored: invalid field',
    );
  }

  /** M4/Q16: set every current series, delete every stale one; count the IPs taken over. */
  private applyMetrics(result: Reconciliation): void {
    const announced = gauge('speakerAnnounced');
    for (const series of result.staleSeries) announced.remove({ ...series });
    for (const series of result.series) announced.set({ ...series }, 1);
    if (result.failovers.length > 0) counter('failoverEventsTotal').inc(result.failovers.length);
  }

  private logChanges(result: Reconciliation): void {
    const { logger } = this.parts;
    for (const withdrawal of result.withdrawals) {
      logger.info(
        {
          event: 'serviceWithdrawn',
          service: withdrawal.service,
          ip: withdrawal.ips,
          reason: withdrawal.reason,
        },
        'withdrawn',
      );
    }
    for (const { ip, services, previousOwner } of result.failovers) {
      logger.info(
        { event: 'failover', ip, service: services.join(','), previousOwner },
        'taking over IP from another node (failover)',
      );
    }
    for (const event of result.events) {
      if (event.reason !== 'nodeAssigned') continue;
      const service = `${event.namespace}/${event.name}`;
      const announced = result.state.services.get(service);
      const interfaces = announced?.interfaces ?? 'all';
      logger.info(
        { event: 'serviceAnnounced', service, ip: announced?.ips, protocol: 'layer2', interfaces },
        'announcing',
      );
    }
  }

  private async recordEvents(events: readonly SpeakerEvent[]): Promise<boolean> {
    await mapLimited(events, MAX_CALL_SOCKETS, (event) =>
      this.parts.events.record(
        { kind: 'Service', apiVersion: 'v1', namespace: event.namespace, name: event.name, uid: event.uid },
        { type: event.type, reason: event.reason, message: event.message },
      ),
    );
    return true;
  }

  /** R4: this node's objects (by label) brought to the desired set. */
  private async applyStatuses(result: Reconciliation): Promise<boolean> {
    const { nodeName, namespace } = this.parts.settings;
    const cached = this.parts.watches.l2Statuses
      .list()
      .filter((object: KubernetesObject) => object.metadata?.labels?.[ServiceL2StatusLabel.node] === nodeName)
      .flatMap((object) => readCachedL2Status(object) ?? []);
    const cachedNames = new Set(cached.map((status) => status.name));
    const nowMs = Date.now();
    for (const [name, { atMs }] of this.created) {
      // Once the cache shows it (or it never will: deleted meanwhile), the cache is the truth.
      if (cachedNames.has(name) || nowMs - atMs > CREATED_GRACE_MS) this.created.delete(name);
    }
    const pending = [...this.created.values()].map((entry) => entry.status);
    const plan = planStatusChanges(result.statuses, [...cached, ...pending]);
    if (plan.create.length + plan.update.length + plan.remove.length === 0) return true;
    for (const name of plan.remove) this.created.delete(name);
    const outcome = await applyStatusPlan(this.parts.custom, {
      namespace,
      owner: this.parts.statusOwner,
      plan,
      logger: this.parts.logger,
    });
    for (const status of outcome.created) this.created.set(status.name, { status, atMs: Date.now() });
    return outcome.complete;
  }
}

/** Reads of cached ServiceL2Status objects, once per object. */
const readCachedL2Status = perObject((object: KubernetesObject) => readL2Status(object));

/** R6: why the latest objects were refused (the configReconcilerValid message), or undefined. */
function problemOf(adoption: ConfigAdoption): ConfigurationProblem {
  if (!adoption.stale) return undefined;
  if (adoption.orphanedIPs.length > 0) {
    return `the new configuration leaves announced IPs without a pool: ${adoption.orphanedIPs.join(', ')}; keeping the last good configuration`;
  }
  return describeRefusal(adoption.problems);
}
