import { randomBytes } from 'node:crypto';
import {
  type ProbeEvent,
  ProbeSocket,
  setSourceFilter,
  socketDrops,
  sourceFilterLimit,
} from '../l2/native.js';
import type { MembershipTimings } from './defaults.js';
import { SwimEngine } from './engine.js';
import type { Clock, Endpoint, EngineOptions } from './engine-types.js';
import { planSourceFilter } from './source-filter.js';
import type { DropReason, MembershipStats, Seed } from './types.js';

/** Plain, cloneable settings of one node: what crosses into the worker thread. */
export interface NodeSettings {
  readonly nodeName: string;
  readonly bindAddress: string;
  /** 0 binds an ephemeral port (simulations); the bound port is then advertised. */
  readonly port: number;
  readonly advertiseAddress: string;
  readonly seeds: readonly Seed[];
  readonly key: Uint8Array | undefined;
  readonly metadata: Record<string, unknown>;
  readonly timings: MembershipTimings;
  /** Only these (name → address) may be members; undefined admits anyone up to MAX_MEMBERS. */
  readonly allowedMembers: ReadonlyMap<string, string> | undefined;
  /** Log every dropped packet (debug level only). */
  readonly logDrops: boolean;
}

/** The real clock: monotonic milliseconds and Node timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer: (callback, delayMs) => {
    const timer = setTimeout(callback, delayMs);
    return () => clearTimeout(timer);
  },
  afterArrived: (callback) => {
    setImmediate(callback);
  },
};

/** A running engine on a bound UDP socket. */
export interface UdpNode {
  readonly engine: SwimEngine;
  readonly port: number;
  /** The engine's counters plus the datagrams the kernel dropped on the socket (reason `kernel`). */
  stats(): MembershipStats;
  /** Replaces the allow-list in the engine and in the socket's kernel filter. */
  setAllowedMembers(allowed: ReadonlyMap<string, string> | undefined): void;
  close(): Promise<void>;
}

type Callbacks = Pick<EngineOptions, 'onChange' | 'onEvent' | 'log'>;

/**
 * Binds the UDP socket, owned by the compact-probe thread (native/gossip_probe.c), then starts a
 * `SwimEngine` on it. Rejects if the bind fails.
 */
export async function startUdpNode(settings: NodeSettings, callbacks: Callbacks): Promise<UdpNode> {
  // A new random epoch per start; boot orders lives of the same name (docs/gossip.md "Freshness").
  const epoch = { boot: Date.now(), id: randomBytes(8).toString('hex') };
  const key = settings.key === undefined ? undefined : Buffer.from(settings.key);
  let engine: SwimEngine | undefined;
  const onEvent = (event: ProbeEvent): void => {
    if (engine !== undefined) handleProbeEvent(engine, event, callbacks.log);
  };
  const socket = ProbeSocket.open(
    {
      address: settings.bindAddress,
      port: settings.port,
      name: settings.nodeName,
      key: key ?? null,
      boot: epoch.boot,
      id: Buffer.from(epoch.id, 'hex'),
      silenceMs: settings.timings.deadRetentionMs,
      intervalMs: settings.timings.probeIntervalMs,
      timeoutMs: settings.timings.probeTimeoutMs,
    },
    onEvent,
  );
  const { port, fd } = socket.counters();
  const running = new SwimEngine({
    ...callbacks,
    nodeName: settings.nodeName,
    advertiseAddress: settings.advertiseAddress,
    port,
    seeds: settings.seeds,
    key,
    metadata: settings.metadata,
    timings: settings.timings,
    clock: realClock,
    random: Math.random,
    epoch,
    ...(settings.allowedMembers ? { allowedMembers: settings.allowedMembers } : {}),
    logDrops: settings.logDrops,
    transport: { send: (packet, address, remotePort) => void socket.send(packet, address, remotePort) },
    probeOffload: {
      setTargets: (targets) => {
        try {
          socket.setTargets(targets);
        } catch (error) {
          // Records are checked on arrival; should one still not parse here, it is logged, not fatal.
          callbacks.log?.('error', 'gossip probe targets refused', { error: String(error) });
        }
      },
      configure: (intervalMs, timeoutMs, reportAcks) => socket.configure(intervalMs, timeoutMs, reportAcks),
    },
  });
  engine = running;
  socket.setAllowed(allowedList(settings.allowedMembers));
  applySourceFilter(fd, settings.allowedMembers, callbacks.log);
  running.start();
  return {
    engine: running,
    port,
    stats: () => withProbeCounters(running.stats(), socket),
    setAllowedMembers: (allowed) => {
      running.setAllowedMembers(allowed);
      socket.setAllowed(allowedList(allowed));
      applySourceFilter(fd, allowed, callbacks.log);
    },
    close: async () => socket.close(),
  };
}

type Log = Callbacks['log'];

function allowedList(
  allowed: ReadonlyMap<string, string> | undefined,
): { name: string; address: string }[] | null {
  return allowed === undefined ? null : [...allowed].map(([name, address]) => ({ name, address }));
}

/** One event of the probe thread into the engine; never an exception out of it. */
function handleProbeEvent(engine: SwimEngine, event: ProbeEvent, log: Log): void {
  switch (event.kind) {
    case 'datagram':
      receive(engine, event.packet, { address: event.address, port: event.port }, log);
      return;
    case 'missed':
      engine.prober.offloadMissed(event.name, event.sequence);
      return;
    case 'lateAck':
      engine.prober.handleAck(event.sequence, event.name);
      return;
    case 'acked':
      engine.prober.offloadAcked();
      return;
    case 'lateTick':
      engine.prober.offloadLate();
      return;
    case 'stranger':
      engine.strangerPinged(event.name, { address: event.address, port: event.port });
  }
}

/** Every datagram into the engine, never an exception out of it. */
function receive(engine: SwimEngine, packet: Buffer, remote: Endpoint, log: Log): void {
  try {
    engine.receive(packet, remote);
  } catch (error) {
    // Input must never take gossip down: log the bug with the sender, count it, keep serving.
    engine.drop('malformed', remote);
    log?.('error', 'gossip packet handling failed', { error: String(error), address: remote.address });
  }
}

/**
 * Drops datagrams from addresses outside the allow-list in the kernel (issue 12 #6): a garbage
 * flood then wakes no thread, while the engine's own checks still apply to what passes. The
 * filter only narrows what the engine would drop anyway, so failing to attach costs speed, not
 * safety; a stale filter would shut out a new member, so on failure the old one is removed.
 */
function applySourceFilter(fd: number, allowed: ReadonlyMap<string, string> | undefined, log: Log): void {
  try {
    const plan = planSourceFilter(allowed, sourceFilterLimit());
    setSourceFilter(fd, plan.kind === 'filter' ? plan.addresses : null);
    if (plan.kind === 'tooMany')
      log?.('warn', 'gossip source filter not attached: too many members, every source reaches gossip', {
        addresses: plan.count,
        limit: sourceFilterLimit(),
      });
    else
      log?.('debug', 'gossip source filter set', {
        addresses: plan.kind === 'filter' ? plan.addresses.length : 0,
      });
  } catch (error) {
    log?.('warn', 'gossip source filter not attached; unknown senders are dropped in JavaScript', {
      error: String(error),
    });
    detachQuietly(fd, log);
  }
}

/** The engine's counters (JSON packets) plus the probe thread's and the kernel's drops on the socket. */
function withProbeCounters(stats: MembershipStats, socket: ProbeSocket): MembershipStats {
  const probes = socket.counters();
  let kernel = 0;
  try {
    kernel = probes.fd < 0 ? 0 : socketDrops(probes.fd);
  } catch {
    kernel = 0; // a closed socket: the counters are all there is
  }
  const dropsByReason: Partial<Record<DropReason, number>> = { ...stats.dropsByReason };
  let dropped = stats.packetsDropped;
  for (const [reason, count] of Object.entries({ ...probes.drops, kernel })) {
    if (count === 0) continue;
    dropsByReason[reason as DropReason] = (dropsByReason[reason as DropReason] ?? 0) + count;
    dropped += count;
  }
  return {
    bytesSent: stats.bytesSent + probes.bytesSent,
    bytesReceived: stats.bytesReceived + probes.bytesReceived,
    packetsSent: stats.packetsSent + probes.packetsSent,
    packetsReceived: stats.packetsReceived + probes.packetsReceived,
    packetsDropped: dropped,
    largestPacketBytes: stats.largestPacketBytes,
    dropsByReason,
  };
}

function detachQuietly(fd: number, log: Log): void {
  try {
    setSourceFilter(fd, null);
  } catch (error) {
    log?.('error', 'gossip source filter cannot be removed; new members may be shut out', {
      error: String(error),
    });
  }
}
