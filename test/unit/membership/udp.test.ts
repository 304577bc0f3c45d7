import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/errors.js';
import { logger } from '../../../src/log.js';
import {
  MAX_PACKET_BYTES,
  type Member,
  Membership,
  measureGossipBandwidth,
} from '../../../src/membership/index.js';
import { counter } from '../../../src/metrics/registry.js';

const quiet = logger.child({ test: 'membership-udp' }, { level: 'silent' });
const secret = new TextEncoder().encode('0123456789abcdefghijkl');
const running: Membership[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((membership) => membership.stop()));
});

async function start(
  name: string,
  seedPort: number | undefined,
  options: { secret?: Uint8Array } = { secret },
) {
  const membership = await Membership.start({
    nodeName: name,
    bindAddress: '127.0.0.1',
    port: 0,
    seeds: seedPort === undefined ? [] : [{ address: '127.0.0.1', port: seedPort }],
    ...(options.secret ? { secret: options.secret } : {}),
    logger: quiet,
  });
  running.push(membership);
  return membership;
}

/** Three worker-backed members on loopback, converged. */
async function trio(): Promise<Membership[]> {
  const first = await start('node-a', undefined);
  const rest = [await start('node-b', first.port), await start('node-c', first.port)];
  const all = [first, ...rest];
  await waitFor(() => all.every((m) => m.liveMembers().length === 3), 10_000);
  return all;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const stateIn = (membership: Membership, name: string) =>
  membership.members().find((m) => m.name === name)?.state;

describe('Membership over real UDP on loopback (worker threads)', () => {
  it('SWIM: three members converge through one seed, encrypted', async () => {
    const [a] = await trio();
    expect(a?.liveMembers().sort()).toEqual(['node-a', 'node-b', 'node-c']);
    expect(a?.members()[0]?.name).toBe('node-a');
  });

  it('SWIM: a member stopped without leaving (a crash) is declared dead', async () => {
    const [a, b, c] = (await trio()) as [Membership, Membership, Membership];
    await c.stop();
    await waitFor(() => stateIn(a, 'node-c') === 'dead' && stateIn(b, 'node-c') === 'dead', 10_000);
    expect(a.liveMembers().sort()).toEqual(['node-a', 'node-b']);
  });

  it('leave: a graceful leave is seen as left', async () => {
    const [a, b, c] = (await trio()) as [Membership, Membership, Membership];
    const seen: string[] = [];
    a.on('change', (members) => seen.push(members.find((m) => m.name === 'node-c')?.state ?? 'gone'));
    await c.leave();
    await waitFor(() => stateIn(a, 'node-c') === 'left' && stateIn(b, 'node-c') === 'left', 5_000);
    expect(seen).not.toContain('dead');
  });

  it('DESIGN: metadata set on one member reaches the others', async () => {
    const [a, b] = (await trio()) as [Membership, Membership, Membership];
    b.setMetadata({ interfaces: { eth0: true, eth1: false } });
    await waitFor(
      () =>
        JSON.stringify(a.members().find((m) => m.name === 'node-b')?.metadata) ===
        '{"interfaces":{"eth0":true,"eth1":false}}',
      5_000,
    );
  });

  it('DESIGN: members gossip over IPv6 too', async () => {
    const options = { bindAddress: '::1', port: 0, secret, logger: quiet };
    const a = await Membership.start({ ...options, nodeName: 'node-a', seeds: [] });
    running.push(a);
    const b = await Membership.start({
      ...options,
      nodeName: 'node-b',
      seeds: [{ address: '::1', port: a.port }],
    });
    running.push(b);
    await waitFor(() => a.liveMembers().length === 2 && b.liveMembers().length === 2, 5_000);
    expect(a.members().find((m) => m.name === 'node-b')?.address).toBe('::1');
  });

  it('ML6: join() with a seed learnt later brings two lone members together', async () => {
    const a = await start('node-a', undefined);
    const b = await start('node-b', undefined);
    b.join([{ address: '127.0.0.1', port: a.port }]);
    await waitFor(() => a.liveMembers().length === 2 && b.liveMembers().length === 2, 5_000);
  });

  it('DESIGN: a member with the wrong key never joins; its packets are counted', async () => {
    const [a] = (await trio()) as [Membership, Membership, Membership];
    const metricBefore = await droppedMetric('authentication');
    const intruder = await start('intruder', a.port, { secret: new TextEncoder().encode('not the secret') });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(a.members().map((m) => m.name)).not.toContain('intruder');
    expect(intruder.liveMembers()).toEqual(['intruder']);
    expect((await a.refreshStats()).dropsByReason.authentication).toBeGreaterThan(0);
    expect(await droppedMetric('authentication')).toBeGreaterThan(metricBefore);
  });

  it('DESIGN: garbage datagrams are dropped and counted, and the member stays healthy', async () => {
    const [a] = (await trio()) as [Membership, Membership, Membership];
    const socket = createSocket('udp4');
    const garbage = [
      Buffer.from('hello'),
      Buffer.alloc(0),
      Buffer.from([1, ...new Array(40).fill(3)]),
      Buffer.from('{"type":"ping"}'),
      Buffer.concat([Buffer.of(0), Buffer.from('{"type":"gossip","from":"x","updates":[]}')]),
    ];
    for (const datagram of garbage)
      await new Promise<void>((resolve) => socket.send(datagram, a.port, '127.0.0.1', () => resolve()));
    socket.close();
    await waitFor(() => a.stats().packetsDropped >= garbage.length, 5_000);
    const stats = await a.refreshStats();
    expect(stats.packetsDropped).toBe(garbage.length);
    expect(stats.dropsByReason).toEqual({ malformed: 3, authentication: 1, plaintext: 1 });
    expect(a.liveMembers()).toHaveLength(3);
  });

  it('DESIGN: a busy main thread never makes a healthy member look dead (gossip runs in a worker)', async () => {
    const [a] = (await trio()) as [Membership, Membership, Membership];
    const states: Member['state'][] = [];
    a.on('change', (members) => states.push(...members.map((m) => m.state)));
    const blockUntil = Date.now() + 1_500;
    while (Date.now() < blockUntil) {
      // Busy loop: 1.5 s is five times the suspicion timeout.
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(states.filter((state) => state !== 'alive')).toEqual([]);
    expect(a.liveMembers()).toHaveLength(3);
  });

  it.each([
    { rule: 'DESIGN: an empty node name is refused', change: { nodeName: '' }, field: 'nodeName' },
    {
      rule: 'DESIGN: a bind address that is not an IP is refused',
      change: { bindAddress: 'localhost' },
      field: 'bindAddress',
    },
    {
      rule: 'DESIGN: a seed that is not an IP is refused',
      change: { seeds: [{ address: 'node-b' }] },
      field: 'seeds[0].address',
    },
    {
      rule: 'DESIGN: an unknown timing is refused',
      change: { timings: { probeIntervalMillis: 5 } },
      field: 'timings.probeIntervalMillis',
    },
    {
      rule: 'DESIGN: oversized metadata is refused',
      change: { metadata: { blob: 'x'.repeat(600) } },
      field: 'metadata',
    },
    { rule: 'DESIGN: an empty secret is refused', change: { secret: new Uint8Array(0) }, field: 'secret' },
  ])('$rule', async ({ change, field }) => {
    const options = {
      nodeName: 'node-a',
      bindAddress: '127.0.0.1',
      port: 0,
      seeds: [],
      logger: quiet,
      ...change,
    };
    await expect(Membership.start(options as Parameters<typeof Membership.start>[0])).rejects.toMatchObject({
      code: ErrorCode.membership,
      message: expect.stringContaining(field),
    });
  });

  it('DESIGN: a port already in use is a clear start error', async () => {
    const a = await start('node-a', undefined);
    const taken = Membership.start({
      nodeName: 'node-b',
      bindAddress: '127.0.0.1',
      port: a.port,
      seeds: [],
      secret,
      logger: quiet,
    });
    await expect(taken).rejects.toMatchObject({
      code: ErrorCode.membership,
      message: expect.stringContaining('EADDRINUSE'),
    });
  });

  it('issue 5 item 7: the bandwidth helper measures a converged cluster with no oversized datagram', async () => {
    const report = await measureGossipBandwidth({ members: 12, durationMs: 1_000 });
    expect(report.converged).toBe(true);
    expect(report.bytesSentPerSecond.mean).toBeGreaterThan(0);
    expect(report.bytesSentPerSecond.max).toBeGreaterThanOrEqual(report.bytesSentPerSecond.mean);
    expect(report.largestPacketBytes).toBeLessThanOrEqual(MAX_PACKET_BYTES);
  });
});

async function droppedMetric(reason: string): Promise<number> {
  const metric = await counter('gossipPacketsDroppedTotal').get();
  return metric.values.find((value) => value.labels.reason === reason)?.value ?? 0;
}
