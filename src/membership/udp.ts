import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { setSourceFilter, socketDrops, sourceFilterLimit } from '../l2/native.js';
import type { MembershipTimings } from './defaults.js';
import { SwimEngine } from './engine.js';
import type { Clock, EngineOptions } from './engine-types.js';
import { planSourceFilter } from './source-filter.js';
import type { MembershipStats, Seed } from './types.js';

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

/** Binds the UDP socket, then starts a `SwimEngine` on it. Rejects if the bind fails. */
export async function startUdpNode(settings: NodeSettings, callbacks: Callbacks): Promise<UdpNode> {
  const socket = createSocket({ type: isIPv6(settings.bindAddress) ? 'udp6' : 'udp4', reuseAddr: false });
  await bind(socket, settings.bindAddress, settings.port);
  const port = socket.address().port;
  const engine = new SwimEngine({
    ...callbacks,
    nodeName: settings.nodeName,
    advertiseAddress: settings.advertiseAddress,
    port,
    seeds: settings.seeds,
    key: settings.key === undefined ? undefined : Buffer.from(settings.key),
    metadata: settings.metadata,
    timings: settings.timings,
    clock: realClock,
    random: Math.random,
    // A new random epoch per start; boot orders lives of the same name (docs/gossip.md "Freshness").
    epoch: { boot: Date.now(), id: randomBytes(8).toString('hex') },
    ...(settings.allowedMembers ? { allowedMembers: settings.allowedMembers } : {}),
    logDrops: settings.logDrops,
    transport: {
      send: (packet, address, remotePort) => socket.send(packet, remotePort, address, () => {}),
    },
  });
  socket.on('message', receiver(engine, callbacks.log));
  // A send to a closed port surfaces as an error on some platforms; gossip treats loss as loss.
  socket.on('error', (error) => callbacks.log?.('debug', 'gossip socket error', { error: error.message }));
  applySourceFilter(socket, settings.allowedMembers, callbacks.log);
  engine.start();
  return {
    engine,
    port,
    stats: () => withKernelDrops(engine.stats(), socket),
    setAllowedMembers: (allowed) => {
      engine.setAllowedMembers(allowed);
      applySourceFilter(socket, allowed, callbacks.log);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

type Log = Callbacks['log'];

/** The socket's message handler: every datagram into the engine, never an exception out of it. */
function receiver(
  engine: SwimEngine,
  log: Log,
): (packet: Buffer, remote: { address: string; port: number }) => void {
  return (packet, remote) => {
    try {
      engine.receive(packet, { address: remote.address, port: remote.port });
    } catch (error) {
      // Input must never take gossip down: log the bug with the sender, count it, keep serving.
      engine.drop('malformed', { address: remote.address, port: remote.port });
      log?.('error', 'gossip packet handling failed', { error: String(error), address: remote.address });
    }
  };
}

/**
 * Drops datagrams from addresses outside the allow-list in the kernel (issue 12 #6): a garbage
 * flood then wakes no thread, while the engine's own checks still apply to what passes. The
 * filter only narrows what the engine would drop anyway, so failing to attach costs speed, not
 * safety; a stale filter would shut out a new member, so on failure the old one is removed.
 */
function applySourceFilter(socket: Socket, allowed: ReadonlyMap<string, string> | undefined, log: Log): void {
  const fd = socketFd(socket);
  try {
    if (fd === undefined) throw new Error('the socket exposes no file descriptor');
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
    if (fd !== undefined) detachQuietly(fd, log);
  }
}

function withKernelDrops(stats: MembershipStats, socket: Socket): MembershipStats {
  const fd = socketFd(socket);
  let kernel = 0;
  try {
    kernel = fd === undefined ? 0 : socketDrops(fd);
  } catch {
    return stats; // No addon or a closed socket: the engine's counters are all there is.
  }
  if (kernel === 0) return stats;
  return {
    ...stats,
    packetsDropped: stats.packetsDropped + kernel,
    dropsByReason: { ...stats.dropsByReason, kernel },
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

/**
 * The file descriptor of a bound dgram socket. Node has no public accessor: the fd is on the
 * socket's internal handle, kept under the 'state symbol' (the `_handle` getter reads the same
 * object but prints a deprecation warning, DEP0112). On Linux it is set once the socket is bound.
 */
export function socketFd(socket: Socket): number | undefined {
  const state = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol');
  const handle =
    state === undefined
      ? undefined
      : (socket as unknown as Record<symbol, { handle?: { fd?: unknown } }>)[state]?.handle;
  return typeof handle?.fd === 'number' && handle.fd >= 0 ? handle.fd : undefined;
}

function bind(socket: Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
