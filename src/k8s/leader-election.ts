import type { V1Lease, V1MicroTime } from '@kubernetes/client-node';
import {
  CONTROLLER_LEASE_DURATION_SECONDS as LEASE_DURATION_SECONDS,
  CONTROLLER_LEASE_RENEW_DEADLINE_MS as LEASE_RENEW_DEADLINE_MS,
  CONTROLLER_LEASE_RENEW_INTERVAL_MS as LEASE_RENEW_INTERVAL_MS,
  CONTROLLER_LEASE_RETRY_PERIOD_MS as LEASE_RETRY_PERIOD_MS,
} from '../config/defaults.js';
import type { Logger } from '../log.js';
import type { CoordinationV1Api } from './api/index.js';
import { statusCodeOf } from './client.js';
import { decideLease, leaseRecordChanged } from './lease-decision.js';

/** Where the Lease lives and who is asking. */
export interface LeaderElectionOptions {
  readonly coordination: CoordinationV1Api;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly logger: Logger;
  readonly onStartedLeading: () => void;
  /** Leadership lost (renew deadline passed) or released; the caller must stop writing at once. */
  readonly onStoppedLeading: () => void;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** How soon a leader renews after a successful write (at most half the renew deadline). */
  readonly renewIntervalMs?: number;
}

/** A running election; `release()` hands the Lease over on a graceful stop. */
export interface LeaderElection {
  isLeader(): boolean;
  release(): Promise<void>;
}

interface Observation {
  holder: string | undefined;
  renewTime: string | undefined;
  atMs: number;
}

function leaseBody(
  options: LeaderElectionOptions,
  existing: V1Lease | undefined,
  transitions: number,
): V1Lease {
  const now = microTimeNow();
  const holding = existing?.spec?.holderIdentity === options.identity;
  return {
    metadata: { ...existing?.metadata, name: options.name, namespace: options.namespace },
    spec: {
      holderIdentity: options.identity,
      leaseDurationSeconds: options.leaseDurationSeconds ?? LEASE_DURATION_SECONDS,
      acquireTime: holding ? existing?.spec?.acquireTime : now,
      renewTime: now,
      leaseTransitions: transitions,
    },
  };
}

/** A MicroTime as the API server parses it: RFC 3339 with exactly six fraction digits. */
function microTimeNow(): V1MicroTime {
  // Typed as client-node's Date subclass; on the wire both are this string.
  return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as V1MicroTime;
}

/** client-node 1.4 hands MicroTime fields back as strings despite the V1MicroTime type. */
function timeText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return value instanceof Date ? value.toISOString() : String(value);
}

async function readLease(options: LeaderElectionOptions): Promise<V1Lease | undefined> {
  try {
    return await options.coordination.readNamespacedLease({
      name: options.name,
      namespace: options.namespace,
    });
  } catch (error) {
    if (statusCodeOf(error) === 404) return undefined;
    throw error;
  }
}

/** What one candidate remembers between rounds. */
interface ElectionState {
  observation?: Observation;
  /** The Lease as this candidate last wrote it, and when. */
  written?: { readonly lease: V1Lease; readonly atMs: number };
}

/**
 * client-go's fast path: a leader whose last write is still valid renews from that copy without
 * reading the Lease first; its resourceVersion fences it (409 if anybody wrote since). Half the
 * API calls of an idle controller.
 */
async function renewWritten(options: LeaderElectionOptions, state: ElectionState): Promise<boolean> {
  const written = state.written;
  if (!written) return false;
  state.written = undefined;
  const durationMs = (options.leaseDurationSeconds ?? LEASE_DURATION_SECONDS) * 1000;
  if (Date.now() - written.atMs >= durationMs) return false;
  const { coordination, namespace, name } = options;
  const transitions = written.lease.spec?.leaseTransitions ?? 0;
  try {
    const body = leaseBody(options, written.lease, transitions);
    state.written = {
      lease: await coordination.replaceNamespacedLease({ name, namespace, body }),
      atMs: Date.now(),
    };
    return true;
  } catch {
    return false;
  }
}

/** One client-go tryAcquireOrRenew round; true when this candidate holds the Lease afterwards. */
async function tryAcquireOrRenew(options: LeaderElectionOptions, state: ElectionState): Promise<boolean> {
  if (await renewWritten(options, state)) return true;
  const { coordination, namespace, name } = options;
  const existing = await readLease(options);
  const nowMs = Date.now();
  if (existing) {
    const seen = {
      holder: existing.spec?.holderIdentity,
      renewTime: timeText(existing.spec?.renewTime),
    };
    if (leaseRecordChanged(state.observation, seen)) state.observation = { ...seen, atMs: nowMs };
  }
  const record = existing && {
    holderIdentity: existing.spec?.holderIdentity,
    leaseDurationSeconds: existing.spec?.leaseDurationSeconds,
    leaseTransitions: existing.spec?.leaseTransitions,
  };
  const observedAtMs = state.observation?.atMs ?? nowMs;
  const decision = decideLease(record, { identity: options.identity, observedAtMs, nowMs });
  if (decision.action === 'wait') return false;
  if (decision.action === 'create') {
    const lease = await coordination.createNamespacedLease({
      namespace,
      body: leaseBody(options, undefined, 0),
    });
    state.written = { lease, atMs: nowMs };
    return true;
  }
  const transitions =
    decision.action === 'acquire' ? decision.transitions : (existing?.spec?.leaseTransitions ?? 0);
  const lease = await coordination.replaceNamespacedLease({
    name,
    namespace,
    body: leaseBody(options, existing, transitions),
  });
  state.written = { lease, atMs: nowMs };
  return true;
}

/**
 * Lease leader election (coordination.k8s.io/v1) following client-go: one attempt per retry period
 * (a held Lease is renewed every CONTROLLER_LEASE_RENEW_INTERVAL_MS),
 * optimistic concurrency on the Lease's resourceVersion as the fence (a 409 means somebody else
 * wrote first), and a renew deadline after which the leader gives up before its Lease can expire.
 */
export function startLeaderElection(options: LeaderElectionOptions): LeaderElection {
  return new LeaseElection(options);
}

class LeaseElection implements LeaderElection {
  private readonly lease: string;
  private readonly state: ElectionState = {};
  private leader = false;
  private stopped = false;
  private lastRenewMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<boolean> = Promise.resolve(false);

  constructor(private readonly options: LeaderElectionOptions) {
    this.lease = `${options.namespace}/${options.name}`;
    void this.tick();
  }

  isLeader(): boolean {
    return this.leader;
  }

  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // Let an in-flight renewal finish first, or it could overwrite the release.
    await this.attempt;
    if (!this.leader) return;
    this.leader = false;
    this.options.onStoppedLeading();
    await releaseLease(this.options).catch((error: unknown) =>
      this.options.logger.warn({ lease: this.lease, error: String(error) }, 'failed to release lease'),
    );
  }

  private async tick(): Promise<void> {
    const { options, lease } = this;
    this.attempt = tryAcquireOrRenew(options, this.state).catch((error: unknown) => {
      options.logger.debug(
        { lease, status: statusCodeOf(error), error: String(error) },
        'lease attempt failed',
      );
      return false;
    });
    const held = await this.attempt;
    if (this.stopped) return;
    if (held) this.lastRenewMs = Date.now();
    const renewDeadlineMs = options.renewDeadlineMs ?? LEASE_RENEW_DEADLINE_MS;
    if (held && !this.leader) {
      this.leader = true;
      options.logger.info({ lease }, 'became leader');
      options.onStartedLeading();
    } else if (!held && this.leader && Date.now() - this.lastRenewMs > renewDeadlineMs) {
      this.leader = false;
      options.logger.warn({ lease }, 'lost leadership');
      options.onStoppedLeading();
    }
    const retryPeriodMs = options.retryPeriodMs ?? LEASE_RETRY_PERIOD_MS;
    const renewIntervalMs = Math.max(
      retryPeriodMs,
      Math.min(options.renewIntervalMs ?? LEASE_RENEW_INTERVAL_MS, renewDeadlineMs / 2),
    );
    this.timer = setTimeout(() => void this.tick(), held ? renewIntervalMs : retryPeriodMs);
  }
}

/** client-go's ReleaseOnCancel: empty holder, so the next candidate takes over without waiting. */
async function releaseLease(options: LeaderElectionOptions): Promise<void> {
  const { coordination, namespace, name } = options;
  const existing = await coordination.readNamespacedLease({ name, namespace });
  if (existing.spec?.holderIdentity !== options.identity) return;
  await coordination.replaceNamespacedLease({
    name,
    namespace,
    body: {
      ...existing,
      spec: { ...existing.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTimeNow() },
    },
  });
}
