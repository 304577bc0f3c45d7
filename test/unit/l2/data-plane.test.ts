import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { HANDOVER_SETTLE_MS, REASSERT_ON_CLAIM_INTERVAL_MS } from '../../../src/config/defaults.js';
import { DataPlane } from '../../../src/l2/data-plane.js';
import { gratuitousArpFrame } from '../../../src/l2/frames.js';
import type { LinkInfo } from '../../../src/l2/interface-filter.js';
import type { FrameListener, OwnedTable, PacketCounters, PacketProtocol } from '../../../src/l2/native.js';
import type { PacketPort } from '../../../src/l2/port.js';
import { registry, renderMetrics } from '../../../src/metrics/registry.js';
import { ipv4, mac } from './fixtures.js';

// A fake at the PacketSocket seam: records what the data plane pushes and sends.
class FakePort implements PacketPort {
  tables: OwnedTable[] = [];
  sent: Uint8Array[] = [];
  joined = new Set<string>();
  closed = false;
  failSends = false;
  constructor(
    readonly name: string,
    readonly protocol: PacketProtocol,
    readonly onFrame: FrameListener,
  ) {}
  setOwned(table: OwnedTable): void {
    this.tables.push(table);
  }
  send(frame: Uint8Array): void {
    if (this.failSends) throw new Error('ENETDOWN');
    this.sent.push(frame);
  }
  addMembership(group: Uint8Array): void {
    this.joined.add(Buffer.from(group).toString('hex'));
  }
  dropMembership(group: Uint8Array): void {
    this.joined.delete(Buffer.from(group).toString('hex'));
  }
  counterReads = 0;
  counters(): PacketCounters {
    this.counterReads += 1;
    return {
      addresses: [],
      drops: {} as PacketCounters['drops'],
      latency: { boundsMicros: [5, 10], counts: [0, 0, 0], sumSeconds: 0, count: 0 },
      framesReceived: 0,
      receiveErrors: 0,
      sendFailures: 0,
      framesForwarded: 0,
      forwardDropped: 0,
      kernelDrops: 0,
      otherInterface: 0,
      otherHost: 0,
    };
  }
  close(): void {
    this.closed = true;
  }
  lastTable(): OwnedTable | undefined {
    return this.tables[this.tables.length - 1];
  }
}

const up = (name: string, index: number): LinkInfo => ({
  name,
  index,
  mac: `02:00:00:00:00:0${index}`,
  flags: ['BROADCAST', 'UP', 'LOWER_UP'],
  hasIPv6LinkLocal: true,
});

async function startPlane(options: {
  links: LinkInfo[];
  failOpen?: string;
  onConflict?: (c: unknown) => void;
  now?: () => number;
}) {
  const ports: FakePort[] = [];
  let links = options.links;
  const plane = await DataPlane.startWith(
    { logger: pino({ level: 'silent' }), ...(options.onConflict ? { onConflict: options.onConflict } : {}) },
    {
      readLinks: async () => links,
      openPort: (name, protocol, onFrame) => {
        if (name === options.failOpen) throw new Error(`EPERM opening ${name}`);
        const port = new FakePort(name, protocol, onFrame);
        ports.push(port);
        return port;
      },
      pollIntervalMs: 60_000,
      ...(options.now ? { now: options.now } : {}),
    },
  );
  const portOf = (name: string, protocol: PacketProtocol) =>
    ports.filter((port) => port.name === name && port.protocol === protocol && !port.closed)[0];
  const setLinks = async (next: LinkInfo[]) => {
    links = next;
    await (plane as unknown as { watcher: { poll(): Promise<void> } }).watcher.poll();
  };
  return { plane, ports, portOf, setLinks };
}

async function metricValue(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values.find((value) => Object.entries(labels).every(([key, text]) => value.labels[key] === text))
    ?.value;
}

describe('DataPlane wiring (fake sockets at the PacketSocket seam)', () => {
  it('M5/issue 14: per-IP counters are read from the addon when /metrics is rendered, not on a timer', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { plane, portOf } = await startPlane({ links: [up('eth1', 1)] });
      const arp = portOf('eth1', 'arp');
      if (!arp) throw new Error('no ARP port');
      vi.advanceTimersByTime(10_000);
      expect(arp.counterReads).toBe(0);
      await renderMetrics();
      expect(arp.counterReads).toBe(1);
      await plane.stop();
      const afterStop = arp.counterReads;
      await renderMetrics();
      expect(arp.counterReads).toBe(afterStop);
    } finally {
      vi.useRealTimers();
    }
  });

  it('G5/G6, L12: gaining IPs pushes tables, joins the solicited-node group and announces at once', async () => {
    const { plane, portOf } = await startPlane({ links: [up('eth1', 1)] });
    plane.setAnnouncements(
      new Map([
        ['203.0.113.10', {}],
        ['2001:db8:1::10', {}],
      ]),
    );
    expect(portOf('eth1', 'arp')?.lastTable()?.ipv4).toEqual([ipv4('203.0.113.10')]);
    expect(portOf('eth1', 'ipv6')?.lastTable()?.ipv6).toHaveLength(1);
    expect([...(portOf('eth1', 'ipv6')?.joined ?? [])]).toEqual(['3333ff000010']);
    expect(portOf('eth1', 'arp')?.sent.map((frame) => frame[21])).toEqual([1, 2]);
    expect(portOf('eth1', 'ipv6')?.sent).toHaveLength(1);
    expect(await metricValue('metallb_layer2_gratuitous_sent', { ip: '203.0.113.10' })).toBe(2);
    await plane.stop();
  });

  it('L13: an announcement limited to eth2 is not answered on eth1', async () => {
    const { plane, portOf } = await startPlane({ links: [up('eth1', 1), up('eth2', 2)] });
    plane.setAnnouncements(new Map([['203.0.113.20', { interfaces: ['eth2'] }]]));
    expect(portOf('eth1', 'arp')?.lastTable()?.ipv4).toEqual([]);
    expect(portOf('eth2', 'arp')?.lastTable()?.ipv4).toEqual([ipv4('203.0.113.20')]);
    await plane.stop();
  });

  it('G7/M5: losing an IP empties the table, leaves the group and removes its series', async () => {
    const { plane, portOf } = await startPlane({ links: [up('eth1', 1)] });
    plane.setAnnouncements(
      new Map([
        ['203.0.113.30', {}],
        ['2001:db8:1::30', {}],
      ]),
    );
    plane.setAnnouncements(new Map());
    expect(portOf('eth1', 'arp')?.lastTable()?.ipv4).toEqual([]);
    expect(portOf('eth1', 'ipv6')?.joined.size).toBe(0);
    expect(await metricValue('metallb_layer2_gratuitous_sent', { ip: '203.0.113.30' })).toBeUndefined();
    await plane.stop();
  });

  it('Q12: an interface appearing later joins current groups and announces only there', async () => {
    const { plane, portOf, setLinks } = await startPlane({ links: [up('eth1', 1)] });
    plane.setAnnouncements(new Map([['2001:db8:1::40', {}]]));
    await setLinks([up('eth1', 1), up('eth2', 2)]);
    expect([...(portOf('eth2', 'ipv6')?.joined ?? [])]).toEqual(['3333ff000040']);
    expect(portOf('eth2', 'ipv6')?.sent).toHaveLength(1);
    expect(portOf('eth1', 'ipv6')?.sent).toHaveLength(1);
    await plane.stop();
  });

  it('L4: an interface going down closes its sockets and leaves hasHealthyInterface false (Q10)', async () => {
    const { plane, portOf, setLinks } = await startPlane({ links: [up('eth1', 1)] });
    const socket = portOf('eth1', 'arp');
    expect(plane.hasHealthyInterface()).toBe(true);
    await setLinks([{ ...up('eth1', 1), flags: ['BROADCAST'] }]);
    expect(socket?.closed).toBe(true);
    expect(plane.hasHealthyInterface()).toBe(false);
    await plane.stop();
  });

  it.each([
    { rule: 'Q10: no filter, one healthy interface', filter: undefined, want: true },
    { rule: 'Q10: filter naming the healthy interface', filter: ['eth1'], want: true },
    { rule: 'Q10: filter naming only the interface whose socket failed', filter: ['eth2'], want: false },
    { rule: 'Q10: filter naming an unknown interface', filter: ['eth9'], want: false },
  ])('$rule', async ({ filter, want }) => {
    const { plane } = await startPlane({ links: [up('eth1', 1), up('eth2', 2)], failOpen: 'eth2' });
    expect(plane.hasHealthyInterface(filter)).toBe(want);
    await plane.stop();
  });

  it('Q15: a failed gratuitous send is counted as an error, not as sent', async () => {
    const { plane, portOf, setLinks } = await startPlane({ links: [] });
    await setLinks([up('eth1', 1)]);
    const socket = portOf('eth1', 'arp');
    if (socket) socket.failSends = true;
    plane.setAnnouncements(new Map([['203.0.113.50', {}]]));
    expect(await metricValue('metallb_layer2_gratuitous_sent', { ip: '203.0.113.50' })).toBeUndefined();
    expect(await metricValue('ferrolb_layer2_gratuitous_errors_total', { ip: '203.0.113.50' })).toBe(2);
    await plane.stop();
  });

  it('conflict: a GARP from another MAC, outside any hand-over, is counted every time and reported once per window; each claim gets one round back', async () => {
    const conflicts: unknown[] = [];
    let nowMs = 0;
    const { plane, portOf } = await startPlane({
      links: [up('eth1', 1)],
      onConflict: (c) => conflicts.push(c),
      now: () => nowMs,
    });
    plane.setAnnouncements(new Map([['203.0.113.60', {}]]));
    const socket = portOf('eth1', 'arp');
    const sentBefore = socket?.sent.length ?? 0;
    const garp = gratuitousArpFrame(1, mac('02:aa:00:00:00:09'), ipv4('203.0.113.60'));
    socket?.onFrame('eth1', Buffer.from(garp));
    nowMs += REASSERT_ON_CLAIM_INTERVAL_MS;
    socket?.onFrame('eth1', Buffer.from(garp));
    expect(conflicts).toEqual([{ ip: '203.0.113.60', mac: '02:aa:00:00:00:09', interfaceName: 'eth1' }]);
    expect(await metricValue('ferrolb_layer2_conflicts_total', { ip: '203.0.113.60' })).toBe(2);
    expect((socket?.sent.length ?? 0) - sentBefore, 'one round (request + reply) per claim').toBe(4);
    await plane.stop();
  });

  it.each([
    {
      rule: 'issue 12 #12: after a membership or ownership change (the old owner in its grace period)',
      sinceGainMs: HANDOVER_SETTLE_MS,
      step: (plane: DataPlane) => plane.expectHandOver(),
    },
    {
      rule: 'issue 12 #12: while this node hands over',
      sinceGainMs: HANDOVER_SETTLE_MS,
      step: (plane: DataPlane) => plane.stopAnnouncing(),
    },
  ])('$rule a claim is a hand-over: no conflict, no metric', async ({ sinceGainMs, step }) => {
    const conflicts: unknown[] = [];
    let nowMs = 0;
    const { plane, portOf } = await startPlane({
      links: [up('eth1', 1)],
      onConflict: (c) => conflicts.push(c),
      now: () => nowMs,
    });
    plane.setAnnouncements(new Map([['203.0.113.61', {}]]));
    nowMs += sinceGainMs;
    step(plane);
    const garp = gratuitousArpFrame(1, mac('02:aa:00:00:00:0a'), ipv4('203.0.113.61'));
    portOf('eth1', 'arp')?.onFrame('eth1', Buffer.from(garp));
    expect(conflicts).toEqual([]);
    expect(await metricValue('ferrolb_layer2_conflicts_total', { ip: '203.0.113.61' })).toBeUndefined();
    await plane.stop();
  });

  it('input: an invalid IP is logged and skipped, the valid ones still announced', async () => {
    const { plane, portOf } = await startPlane({ links: [up('eth1', 1)] });
    plane.setAnnouncements(
      new Map([
        ['not-an-ip', {}],
        ['203.0.113.70', {}],
      ]),
    );
    expect(portOf('eth1', 'arp')?.lastTable()?.ipv4).toEqual([ipv4('203.0.113.70')]);
    await plane.stop();
  });

  it.each([
    { rule: 'priority: a responderPriority is applied at start', fail: false, want: [10] },
    { rule: 'priority: EPERM leaves normal scheduling and the data plane running', fail: true, want: [10] },
  ])('$rule', async ({ fail, want }) => {
    const applied: number[] = [];
    const plane = await DataPlane.startWith(
      { logger: pino({ level: 'silent' }), responderPriority: 10 },
      {
        readLinks: async () => [up('eth1', 1)],
        openPort: (name, protocol, onFrame) => new FakePort(name, protocol, onFrame),
        setPriority: (priority) => {
          applied.push(priority);
          if (fail) throw new Error('EPERM');
        },
      },
    );
    expect(applied).toEqual(want);
    expect(plane.hasHealthyInterface()).toBe(true);
    await plane.stop();
  });

  it('Q11: a socket that failed to open is retried at the next counter sync', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const plane = await DataPlane.startWith(
      { logger: pino({ level: 'silent' }) },
      {
        readLinks: async () => [up('eth1', 1)],
        openPort: (name, protocol, onFrame) => {
          attempts += 1;
          if (attempts === 1) throw new Error('ENODEV');
          return new FakePort(name, protocol, onFrame);
        },
      },
    );
    expect(plane.hasHealthyInterface()).toBe(false);
    vi.advanceTimersByTime(1100);
    expect(plane.hasHealthyInterface()).toBe(true);
    await plane.stop();
    vi.useRealTimers();
  });

  it('stop: closes every socket', async () => {
    const { plane, ports } = await startPlane({ links: [up('eth1', 1)] });
    await plane.stop();
    expect(ports.every((port) => port.closed)).toBe(true);
  });
});
