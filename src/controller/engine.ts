import type { V1Service } from '@kubernetes/client-node';
import type { Config } from '../config/index.js';
import type { EventRecord } from '../k8s/index.js';
import type { PoolStatusCounts } from '../k8s/pool-status.js';

/** C10 SyncState: what the runner does after a Service's reconcile. */
export type SyncResult = 'success' | 'error' | 'reprocessAll' | 'errorNoRetry';

/** The outcome of reconciling one Service: what its status must say, Events, and the sync result. */
export interface ServiceDecision {
  /** Ingress IPs in the order to write them (Q1: never re-sorted). */
  readonly ips: readonly string[];
  /** Value of `metallb.io/ip-allocated-from-pool`; undefined removes it. */
  readonly pool: string | undefined;
  readonly events: readonly EventRecord[];
  readonly sync: SyncResult;
}

/** Per-pool counts for the allocator gauges (M3) and pool status (R2). */
export interface PoolUsage extends PoolStatusCounts {
  readonly name: string;
  readonly namespace: string;
  readonly capacityIPv4: bigint;
  readonly capacityIPv6: bigint;
  readonly services: number;
}

/**
 * The allocation seam between the Kubernetes shell (runner, reconciler) and the pure core in
 * src/controller/converge.ts and src/ipam: the shell hands it API objects and writes back what it
 * decides. One engine holds the allocator state of one leadership term.
 */
export interface AllocationEngine {
  /** Replaces the pools (A34); the caller reprocesses every Service afterwards (C4). */
  setConfig(config: Config): void;
  /** C8: claims every Service's current ingress first, then allocates the rest. */
  restoreThenAllocate(services: readonly V1Service[]): ReadonlyMap<string, ServiceDecision>;
  /**
   * Reconciles one Service (A1–A11); `service` undefined means it was deleted (A12: only `sync`
   * matters then). Undefined when the Service cannot be read (logged, nothing to write).
   */
  converge(key: string, service: V1Service | undefined): ServiceDecision | undefined;
  poolUsage(): readonly PoolUsage[];
}
