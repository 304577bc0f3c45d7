import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { MembershipTimings } from './defaults.js';
import { SwimEngine } from './engine.js';
import type { Clock, EngineOptions } from './engine-types.js';
import type { Seed } from './types.js';

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
};

/** A running engine on a bound UDP socket. */
export interface UdpNode {
  readonly engine: SwimEngine;
  readonly port: number;
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
  socket.on('message', (packet, remote) => {
    try {
      engine.receive(packet, { address: remote.address, port: remote.port });
    } catch (error) {
      // Input must never take gossip down: log the bug with the sender, count it, keep serving.
      engine.drop('malformed', { address: remote.address, port: remote.port });
      callbacks.log?.('error', 'gossip packet handling failed', {
        error: String(error),
        address: remote.address,
      });
    }
  });
  // A send to a closed port surfaces as an error on some platforms; gossip treats loss as loss.
  socket.on('error', (error) => callbacks.log?.('debug', 'gossip socket error', { error: error.message }));
  engine.start();
  return {
    engine,
    port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
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
