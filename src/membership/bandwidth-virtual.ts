import type { BandwidthOptions, BandwidthReport, Spread } from './bandwidth.js';
import { deriveKey } from './crypto.js';
import { DEFAULT_TIMINGS } from './defaults.js';
import { SimulatedNetwork } from './simulation.js';

/** Virtual time after convergence before measuring, so the join storm does not count. */
const SETTLE_MS = 5_000;

/** `measureGossipBandwidth` on the in-memory network with fake time (mode `'virtual'`). */
export function measureVirtual(
  options: BandwidthOptions,
  durationMs: number,
  secret: Uint8Array,
): BandwidthReport {
  const network = new SimulatedNetwork({ ...DEFAULT_TIMINGS, ...options.timings });
  const key = deriveKey(secret);
  const names = Array.from({ length: options.members }, (_, index) => `node-${index}`);
  for (const name of names) network.add(name, { seeds: ['node-0'], key });
  const convergeMs = network.runUntil(
    () => network.allSeeAlive(names),
    options.convergeTimeoutMs ?? 30_000,
    20,
  );
  network.clock.advance(SETTLE_MS);
  const nodes = [...network.nodes.values()];
  const before = nodes.map((node) => node.engine.stats());
  network.clock.advance(durationMs);
  const after = nodes.map((node) => node.engine.stats());
  const seconds = durationMs / 1000;
  const rate = (pick: (index: number) => number): Spread =>
    spreadOf(nodes.map((_, index) => pick(index) / seconds));
  const result: BandwidthReport = {
    members: options.members,
    mode: 'virtual',
    durationMs,
    converged: convergeMs !== undefined,
    convergeMs: convergeMs ?? Number.NaN,
    bytesSentPerSecond: rate((index) => (after[index]?.bytesSent ?? 0) - (before[index]?.bytesSent ?? 0)),
    bytesReceivedPerSecond: rate(
      (index) => (after[index]?.bytesReceived ?? 0) - (before[index]?.bytesReceived ?? 0),
    ),
    packetsSentPerSecond: rate(
      (index) => (after[index]?.packetsSent ?? 0) - (before[index]?.packetsSent ?? 0),
    ),
    largestPacketBytes: Math.max(...after.map((stats) => stats.largestPacketBytes)),
  };
  for (const node of nodes) node.engine.stop();
  return result;
}

function spreadOf(values: readonly number[]): Spread {
  return {
    mean: values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length),
    max: Math.max(0, ...values),
  };
}
