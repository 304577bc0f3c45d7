// Copies the addon's C counters into Prometheus (MetalLB M5 names, label ip) and keeps the
// data plane's own counters. The C side keeps monotonic totals per socket; this turns them into
// deltas so that sockets opening and closing never make a series go backwards.
import { counter, histogram } from '../metrics/registry.js';
import type { DropReason, PacketCounters } from './native.js';

/** What changed between two reads of one socket's counters. */
export interface CounterDelta {
  readonly addresses: readonly { ip: string; requestsReceived: number; responsesSent: number }[];
  readonly drops: readonly { reason: string; count: number }[];
  /** Per-bucket new observations, with the bucket bounds in microseconds (last bucket: +Inf). */
  readonly latencyCounts: readonly number[];
  readonly boundsMicros: readonly number[];
}

/** The increase from `previous` (undefined: a new socket) to `next`. Pure. */
export function counterDelta(previous: PacketCounters | undefined, next: PacketCounters): CounterDelta {
  const before = new Map(previous?.addresses.map((address) => [address.ip, address]) ?? []);
  const addresses = next.addresses
    .map((address) => ({
      ip: address.ip,
      requestsReceived: address.requestsReceived - (before.get(address.ip)?.requestsReceived ?? 0),
      responsesSent: address.responsesSent - (before.get(address.ip)?.responsesSent ?? 0),
    }))
    .filter((address) => address.requestsReceived > 0 || address.responsesSent > 0);
  const drops = Object.entries(next.drops)
    .map(([reason, count]) => ({ reason, count: count - (previous?.drops[reason as DropReason] ?? 0) }))
    // Frames the kernel dropped because the receive buffer was full never reached a decision.
    .concat([{ reason: 'receiveBufferFull', count: next.kernelDrops - (previous?.kernelDrops ?? 0) }])
    .filter((drop) => drop.count > 0);
  const latencyCounts = next.latency.counts.map(
    (count, index) => count - (previous?.latency.counts[index] ?? 0),
  );
  return { addresses, drops, latencyCounts, boundsMicros: next.latency.boundsMicros };
}

/** A value inside bucket `index`: the midpoint of its bounds, twice the last bound for +Inf (seconds). */
export function bucketValueSeconds(boundsMicros: readonly number[], index: number): number {
  const upper = boundsMicros[index];
  const lower = index === 0 ? 0 : (boundsMicros[index - 1] ?? 0);
  if (upper === undefined) return (2 * (boundsMicros[boundsMicros.length - 1] ?? 1000)) / 1e6;
  return (lower + upper) / 2 / 1e6;
}

const LAYER2_SERIES = ['layer2RequestsReceived', 'layer2ResponsesSent', 'layer2GratuitousSent'] as const;

/** The Prometheus side of the data plane. */
export class Layer2Metrics {
  private readonly lastSeen = new WeakMap<object, PacketCounters>();

  /** Reads one socket's counters and adds what changed since the last read. */
  sync(socket: { counters(): PacketCounters }): void {
    const next = socket.counters();
    const delta = counterDelta(this.lastSeen.get(socket), next);
    this.lastSeen.set(socket, next);
    for (const address of delta.addresses) {
      if (address.requestsReceived > 0)
        counter('layer2RequestsReceived').inc({ ip: address.ip }, address.requestsReceived);
      if (address.responsesSent > 0)
        counter('layer2ResponsesSent').inc({ ip: address.ip }, address.responsesSent);
    }
    for (const drop of delta.drops) counter('layer2DropsTotal').inc({ reason: drop.reason }, drop.count);
    this.observeLatency(delta);
  }

  // The addon counts per bucket; prom-client only takes observations, so each new count is
  // observed at a value inside its bucket: buckets are exact, the sum is approximate.
  private observeLatency(delta: CounterDelta): void {
    const buckets = delta.boundsMicros.map((micros) => micros / 1e6);
    const latency = histogram('layer2ReplyLatencySeconds', buckets);
    delta.latencyCounts.forEach((count, index) => {
      const value = bucketValueSeconds(delta.boundsMicros, index);
      for (let observed = 0; observed < count; observed += 1) latency.observe(value);
    });
  }

  /** One gratuitous frame sent (G5/G6), or failed (Q15: failures are counted apart). */
  gratuitous(ip: string, sent: boolean): void {
    counter(sent ? 'layer2GratuitousSent' : 'layer2GratuitousErrorsTotal').inc({ ip });
  }

  /** One frame from another MAC claiming `ip`. */
  conflict(ip: string): void {
    counter('layer2ConflictsTotal').inc({ ip });
  }

  /** Removes the series of an IP no longer owned (M5: absent after the IP moves or is deleted, Q16). */
  forget(ip: string): void {
    for (const key of LAYER2_SERIES) counter(key).remove({ ip });
  }
}
