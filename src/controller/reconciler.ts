import type { V1Service } from '@kubernetes/client-node';
import { CONTROLLER_RETRY_INITIAL_MS, CONTROLLER_RETRY_MAXIMUM_MS } from '../config/defaults.js';
import { ErrorCode } from '../errors.js';
import type { CoreV1Api } from '../k8s/api/index.js';
import {
  type EventRecorder,
  statusCodeOf,
  type WatchedCollection,
  writeServiceStatus,
} from '../k8s/index.js';
import type { Logger } from '../log.js';
import { counter } from '../metrics/registry.js';
import type { AllocationEngine, ServiceDecision } from './engine.js';

/** What the reconciler needs from the runner. */
export interface ReconcilerOptions {
  readonly core: CoreV1Api;
  readonly services: WatchedCollection<V1Service>;
  readonly engine: AllocationEngine;
  readonly events: EventRecorder;
  readonly logger: Logger;
  /** C11: false for Services of another loadBalancerClass; deletions always pass. */
  readonly isHandled: (service: V1Service) => boolean;
  /** Called after a batch of work, so pool status and gauges follow the allocator. */
  readonly afterBatch: () => void;
}

const RETRY_INITIAL_MS = CONTROLLER_RETRY_INITIAL_MS;
const RETRY_MAXIMUM_MS = CONTROLLER_RETRY_MAXIMUM_MS;

/**
 * The leader's work loop: one Service at a time, in the order they became dirty. Nothing is
 * processed before the initial pass (C7), which restores every allocation before allocating (C8).
 */
export class Reconciler {
  private readonly dirty = new Set<string>();
  private readonly retryDelays = new Map<string, number>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private initialPassDone = false;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ReconcilerOptions) {}

  /** Marks one Service for reconcile (after the initial pass; before it, the pass covers it). */
  enqueue(key: string): void {
    if (this.stopped || !this.initialPassDone) return;
    this.dirty.add(key);
    this.kick();
  }

  /** C4/A11 ReprocessAll: every known Service again. */
  enqueueAll(): void {
    for (const service of this.options.services.list()) this.enqueue(keyOf(service));
  }

  /**
   * C8: restores from status, then allocates, then writes every decision. Service changes that
   * arrive meanwhile queue up and run after the pass (the pass holds the work slot).
   */
  async initialPass(): Promise<void> {
    const services = this.options.services.list().filter((service) => this.options.isHandled(service));
    const decisions = this.options.engine.restoreThenAllocate(services);
    this.initialPassDone = true;
    const pass = (async () => {
      for (const service of services) {
        const decision = decisions.get(keyOf(service));
        if (decision && !this.stopped) await this.apply(keyOf(service), decision, service);
      }
    })();
    this.running = pass;
    await pass;
    this.running = undefined;
    this.options.afterBatch();
    this.options.logger.info({ services: services.length }, 'initial pass done');
    if (this.dirty.size > 0) this.kick();
  }

  /** Waits for queued work to drain (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.options.afterBatch();
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.dirty.size > 0) {
      const key = this.dirty.values().next().value as string;
      this.dirty.delete(key);
      const service = this.options.services.get(key);
      if (service && !this.options.isHandled(service)) continue;
      const decision = this.options.engine.converge(key, service);
      if (decision) await this.apply(key, decision, service);
    }
  }

  private async apply(key: string, decision: ServiceDecision, known?: V1Service): Promise<void> {
    const service = known ?? this.options.services.get(key);
    counter('k8sClientUpdatesTotal').inc();
    let failed = false;
    if (service) failed = !(await this.writeStatus(key, service, decision));
    if (service)
      for (const event of decision.events) await this.options.events.record(subjectOf(service), event);
    if (decision.sync === 'reprocessAll') this.enqueueAll();
    if (failed || decision.sync === 'error') this.retryLater(key);
    else this.retryDelays.delete(key);
  }

  private async writeStatus(key: string, service: V1Service, decision: ServiceDecision): Promise<boolean> {
    try {
      const outcome = await writeServiceStatus(this.options.core, service, decision);
      if (outcome.kind === 'written') {
        this.options.logger.info(
          {
            event: 'ipAllocated',
            service: key,
            ip: decision.ips,
            pool: decision.pool,
            attempts: outcome.attempts,
          },
          'status written',
        );
      }
      return true;
    } catch (error) {
      counter('k8sClientUpdateErrorsTotal').inc();
      this.options.logger.error(
        {
          op: 'updateServiceStatus',
          code: ErrorCode.kubernetes,
          service: key,
          status: statusCodeOf(error),
          error: String(error),
        },
        'failed to write service status',
      );
      return false;
    }
  }

  private retryLater(key: string): void {
    const delay = this.retryDelays.get(key) ?? RETRY_INITIAL_MS;
    this.retryDelays.set(key, Math.min(delay * 2, RETRY_MAXIMUM_MS));
    clearTimeout(this.retryTimers.get(key));
    this.retryTimers.set(
      key,
      setTimeout(() => {
        this.retryTimers.delete(key);
        this.enqueue(key);
      }, delay),
    );
  }
}

function keyOf(service: V1Service): string {
  return `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`;
}

function subjectOf(service: V1Service) {
  return {
    kind: 'Service',
    apiVersion: 'v1',
    namespace: service.metadata?.namespace ?? '',
    name: service.metadata?.name ?? '',
    uid: service.metadata?.uid,
    resourceVersion: service.metadata?.resourceVersion,
  };
}
