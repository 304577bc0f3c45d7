import { logger as processLogger } from '../log.js';
import { measureVirtual } from './bandwidth-virtual.js';
import type { MembershipTimings } from './defaults.js';
import { Membership } from './membership.js';
import type { MembershipStats } from './types.js';

/** What to simulate: `members` nodes in this process, AES-256-GCM on every packet. */
export interface BandwidthOptions {
  readonly members: number;
  /**
   * Default: `'udp'` up to 20 members, `'virtual'` above. `'udp'`: real sockets on 127.0.0.1 and
   * real time, all nodes on this thread; right for a handful of members. `'virtual'`: the same
   * engines on an in-memory network and fake time, which measures the protocol itself at sizes
   * (100) whose CPU one thread cannot carry in real time (late timers would show Lifeguard
   * back-off and false suspicions, not steady-state gossip).
   */
  readonly mode?: 'udp' | 'virtual';
  /**
   * Measurement window after convergence; default 5 s (udp) or 60 s of virtual time, which spans
   * several periodic full-state exchanges at 100 members, so their share is averaged in.
   */
  readonly durationMs?: number;
  /** Give up waiting for convergence after this; default 30 s. */
  readonly convergeTimeoutMs?: number;
  /** Default: a fixed 22-byte secret, so the run includes AES-256-GCM overhead as in production. */
  readonly secret?: Uint8Array;
  readonly timings?: Partial<MembershipTimings>;
}

/** Per-node figures over the window. */
export interface Spread {
  readonly mean: number;
  readonly max: number;
}

/** The result of one measurement (issue 5 item 7: gossip bytes per second per node). */
export interface BandwidthReport {
  readonly members: number;
  readonly mode: 'udp' | 'virtual';
  readonly durationMs: number;
  readonly converged: boolean;
  readonly convergeMs: number;
  readonly bytesSentPerSecond: Spread;
  readonly bytesReceivedPerSecond: Spread;
  readonly packetsSentPerSecond: Spread;
  /** The largest datagram any node sent during the whole run, envelope included. */
  readonly largestPacketBytes: number;
}

const POLL_MS = 50;
/** Above this many members one thread cannot run them all in real time on a small machine. */
const REAL_TIME_MEMBER_LIMIT = 20;
/** Default virtual measurement window: > 4 periodic syncs of one node at 100 members. */
const VIRTUAL_WINDOW_MS = 60_000;

/**
 * Starts `members` gossip nodes in this process (on the main thread: a worker each would measure
 * thread start-up, not gossip), waits until all see each other, then measures a steady window.
 */
export async function measureGossipBandwidth(options: BandwidthOptions): Promise<BandwidthReport> {
  const mode = options.mode ?? (options.members > REAL_TIME_MEMBER_LIMIT ? 'virtual' : 'udp');
  const secret = options.secret ?? new TextEncoder().encode('ferrolb-bandwidth-test');
  if (mode === 'virtual') return measureVirtual(options, options.durationMs ?? VIRTUAL_WINDOW_MS, secret);
  const durationMs = options.durationMs ?? 5_000;
  const nodes: Membership[] = [];
  try {
    await startNodes(nodes, options, secret);
    const started = performance.now();
    const converged = await waitUntil(
      () => nodes.every((node) => node.liveMembers().length === options.members),
      options.convergeTimeoutMs ?? 30_000,
    );
    const convergeMs = performance.now() - started;
    const before = await Promise.all(nodes.map((node) => node.refreshStats()));
    const windowStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const after = await Promise.all(nodes.map((node) => node.refreshStats()));
    const seconds = (performance.now() - windowStart) / 1000;
    const rate = (pick: (stats: MembershipStats) => number): Spread =>
      spread(after.map((stats, index) => (pick(stats) - pick(before[index] as MembershipStats)) / seconds));
    return {
      members: options.members,
      mode: 'udp',
      durationMs,
      converged,
      convergeMs,
      bytesSentPerSecond: rate((stats) => stats.bytesSent),
      bytesReceivedPerSecond: rate((stats) => stats.bytesReceived),
      packetsSentPerSecond: rate((stats) => stats.packetsSent),
      largestPacketBytes: Math.max(...after.map((stats) => stats.largestPacketBytes)),
    };
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
}

/** Starts the nodes one by one into `nodes` (so the caller can stop them even after a failure). */
async function startNodes(nodes: Membership[], options: BandwidthOptions, secret: Uint8Array): Promise<void> {
  const logger = processLogger.child({ component: 'gossip-bandwidth' }, { level: 'silent' });
  for (let index = 0; index < options.members; index++) {
    const seeds = nodes.length === 0 ? [] : [{ address: '127.0.0.1', port: (nodes[0] as Membership).port }];
    nodes.push(
      await Membership.start({
        nodeName: `node-${index}`,
        bindAddress: '127.0.0.1',
        port: 0,
        seeds,
        secret,
        logger,
        thread: 'main',
        ...(options.timings ? { timings: options.timings } : {}),
      }),
    );
  }
}

function spread(values: readonly number[]): Spread {
  return {
    mean: values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length),
    max: Math.max(0, ...values),
  };
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}
