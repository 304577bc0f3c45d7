// The gossip socket's kernel source filter (issue 12 #6, docs/gossip.md "Kernel source filter"):
// which addresses it admits (pure), and a real worker-backed member on loopback whose socket drops
// datagrams from non-members in the kernel, counts them as `kernel`, and follows allow-list changes.
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { setSourceFilter, sourceFilterLimit } from '../../../src/l2/native.js';
import { logger } from '../../../src/log.js';
import { Membership } from '../../../src/membership/index.js';
import { planSourceFilter } from '../../../src/membership/source-filter.js';
import { socketFd } from '../../helpers/dgram-fd.js';

const quiet = logger.child({ test: 'membership-source-filter' }, { level: 'silent' });
const running: Membership[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((membership) => membership.stop()));
});

describe('planSourceFilter', () => {
  it('no allow-list yet, or an empty one: no filter (every source reaches gossip)', () => {
    expect(planSourceFilter(undefined, 256)).toEqual({ kind: 'none' });
    expect(planSourceFilter(new Map(), 256)).toEqual({ kind: 'none' });
  });

  it('one entry per distinct address, canonical; an IPv4-mapped address also admits its IPv4 form', () => {
    const plan = planSourceFilter(
      new Map([
        ['a', '198.51.100.1'],
        ['b', '2001:DB8:1::0:2'],
        ['c', '2001:db8:1::2'],
        ['d', '::ffff:203.0.113.7'],
        ['e', 'not-an-ip'],
      ]),
      256,
    );
    expect(plan.kind).toBe('filter');
    const addresses = plan.kind === 'filter' ? plan.addresses.map((bytes) => [...bytes]) : [];
    expect(addresses).toEqual([
      [198, 51, 100, 1],
      [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 7],
      [203, 0, 113, 7],
    ]);
  });

  it('more addresses than the limit: no filter, and how many there were (the caller logs it)', () => {
    const allowed = new Map(Array.from({ length: 5 }, (_, i) => [`n${i}`, `198.51.100.${i + 1}`]));
    expect(planSourceFilter(allowed, 4)).toEqual({ kind: 'tooMany', count: 5 });
    expect(planSourceFilter(allowed, 5).kind).toBe('filter');
  });
});

describe('setSourceFilter (native binding)', () => {
  it('bad input is a TypeError naming the argument, and leaves the filter in place', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const fd = socketFd(socket) ?? -1;
    expect(fd).toBeGreaterThan(0);
    const cases: [number, unknown, RegExp][] = [
      [-1, null, /open file descriptor/],
      [fd, 'x', /array of Uint8Array, or null/],
      [fd, [new Uint8Array(5)], /4 or 16 byte Uint8Array/],
      [
        fd,
        Array.from({ length: sourceFilterLimit() + 1 }, () => new Uint8Array(4)),
        /more than sourceFilterLimit/,
      ],
    ];
    setSourceFilter(fd, [Uint8Array.of(127, 0, 0, 2)]);
    for (const [descriptor, addresses, message] of cases)
      expect(() => setSourceFilter(descriptor, addresses as Uint8Array[])).toThrow(message);
    const received: string[] = [];
    socket.on('message', (_packet, remote) => received.push(remote.address));
    await sendFrom('127.0.0.1', socket.address().port, 3);
    await sendFrom('127.0.0.2', socket.address().port, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.close();
    expect(received).toEqual(['127.0.0.2']);
  });

  it('a socket that is no socket is an error with the errno', () => {
    expect(() => setSourceFilter(0x7fff_fff0, [Uint8Array.of(127, 0, 0, 2)])).toThrow(/EBADF/);
  });
});

async function sendFrom(source: string, port: number, count: number): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, source, resolve));
  for (let i = 0; i < count; i++)
    await new Promise<void>((resolve) =>
      socket.send(Buffer.from('garbage'), port, '127.0.0.1', () => resolve()),
    );
  socket.close();
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const inGossip = (drops: Record<string, number | undefined>): number =>
  Object.entries(drops).reduce((sum, [reason, count]) => sum + (reason === 'kernel' ? 0 : (count ?? 0)), 0);

describe('a member with an allow-list, on loopback (worker thread)', () => {
  it('datagrams from a non-member are dropped by the kernel and counted as kernel; a member still reaches gossip', async () => {
    const membership = await Membership.start({
      nodeName: 'node-a',
      bindAddress: '127.0.0.1',
      port: 0,
      seeds: [],
      allowedMembers: new Map([['node-b', '127.0.0.2']]),
      logger: quiet,
    });
    running.push(membership);
    let unknownSenders = 0;
    membership.on('unknownSenders', (count) => {
      unknownSenders += count;
    });
    await sendFrom('127.0.0.1', membership.port, 5);
    await sendFrom('127.0.0.2', membership.port, 3);
    await waitFor(async () => (await membership.refreshStats()).packetsDropped >= 8, 5_000);
    const stats = await membership.refreshStats();
    expect(stats.dropsByReason.kernel).toBe(5);
    expect(inGossip(stats.dropsByReason)).toBe(3);
    expect(stats.packetsReceived).toBe(3);
    // Kernel drops make the Kubernetes speaker re-list pods, as unknown senders do.
    expect(unknownSenders).toBeGreaterThanOrEqual(5);

    // The allow-list changes: 127.0.0.1 is now the member, 127.0.0.2 is filtered.
    membership.setAllowedMembers(new Map([['node-b', '127.0.0.1']]));
    await waitFor(async () => {
      await sendFrom('127.0.0.1', membership.port, 1);
      return (await membership.refreshStats()).packetsReceived > 3;
    }, 5_000);
    const before = await membership.refreshStats();
    const kernelBefore = before.dropsByReason.kernel ?? 0;
    await sendFrom('127.0.0.2', membership.port, 4);
    await waitFor(
      async () => ((await membership.refreshStats()).dropsByReason.kernel ?? 0) >= kernelBefore + 4,
      5_000,
    );
    expect((await membership.refreshStats()).packetsReceived).toBe(before.packetsReceived);
  });
});
