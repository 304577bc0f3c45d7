// The gossip socket's kernel source filter (issue 12 #6, native/socket_filter.c) on a real kernel:
// a receiver in one namespace, an independent sender (python3) in another with an allowed and a
// foreign address of each family, and the kernel's own /proc/net/udp6 drop column as the oracle
// that the foreign datagrams were dropped in the kernel, never delivered to the process.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/lab-cluster.js';
import { canUseNamespaces, createNamespace, inNs, spawnInNs, sweepNamespaces } from '../helpers/netns.js';

const PREFIX = 'flb-sfl';
const RECEIVER = `${PREFIX}-rx`;
const SENDER = `${PREFIX}-tx`;
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist');
const PORT = 47946;
const RECEIVER_V4 = '198.51.100.1';
const RECEIVER_V6 = '2001:db8:1::1';
const ALLOWED = ['198.51.100.2', '2001:db8:1::2'];
const FOREIGN = ['198.51.100.3', '2001:db8:1::3'];
const DATAGRAMS = 200;

/** Sends `count` datagrams from `source` to `target`:PORT, bound to the source (not our code). */
const SEND = `import socket, sys
source, target, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
family = socket.AF_INET6 if ':' in target else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.bind((source, 0))
for _ in range(count): s.sendto(b'garbage-not-gossip', (target, ${PORT}))`;

/** A dual-stack socket on [::]:PORT; stdin lines: `filter a,b` / `detach` / `report` (JSON out). */
const RECEIVE = `
const dgram = await import('node:dgram');
const readline = await import('node:readline');
const { setSourceFilter, socketDrops, sourceFilterLimit } = await import(dist + '/l2/native.js');
// The fd of a dgram socket (as test/helpers/dgram-fd.ts; this runs from dist in another namespace).
const socketFd = (socket) => {
  const state = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol');
  return socket[state].handle.fd;
};
const { planSourceFilter } = await import(dist + '/membership/source-filter.js');
const socket = dgram.createSocket({ type: 'udp6' });
const received = {};
socket.on('message', (_packet, remote) => { received[remote.address] = (received[remote.address] ?? 0) + 1; });
await new Promise((done) => socket.bind(${PORT}, '::', done));
const fd = socketFd(socket);
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, list] = line.split(' ');
  if (command === 'filter') {
    const plan = planSourceFilter(new Map(list.split(',').map((ip, i) => ['m' + i, ip])), sourceFilterLimit());
    setSourceFilter(fd, plan.addresses);
  }
  if (command === 'detach') setSourceFilter(fd, null);
  console.log(JSON.stringify({ received, drops: socketDrops(fd) }));
  for (const key of Object.keys(received)) delete received[key];
});
console.log(JSON.stringify({ ready: fd }));`;

let receiver: ChildProcess;
let replies: AsyncIterator<string>;

async function command(line: string): Promise<{ received: Record<string, number>; drops: number }> {
  receiver.stdin?.write(`${line}\n`);
  const next = await replies.next();
  return JSON.parse(String(next.value));
}

/** The drops column of PORT's socket in /proc/net/udp6 of the receiver namespace (the kernel's count). */
function procDrops(): number {
  const hexPort = PORT.toString(16).toUpperCase().padStart(4, '0');
  const line = inNs(RECEIVER, 'cat', ['/proc/net/udp6'])
    .split('\n')
    .find((entry) => entry.trim().split(/\s+/)[1]?.endsWith(`:${hexPort}`));
  if (line === undefined) throw new Error(`no socket on port ${PORT} in /proc/net/udp6`);
  return Number(line.trim().split(/\s+/).at(-1));
}

function send(source: string, count = DATAGRAMS): void {
  const target = source.includes(':') ? RECEIVER_V6 : RECEIVER_V4;
  inNs(SENDER, 'python3', ['-c', SEND, source, target, String(count)]);
}

/** Lets the receiver's event loop read what the kernel queued before asking for a report. */
const settle = (): Promise<void> => new Promise((done) => setTimeout(done, 500));

beforeAll(async () => {
  requireBuild();
  sweepNamespaces(PREFIX);
  createNamespace(RECEIVER);
  createNamespace(SENDER);
  execFileSync('ip', [
    'link',
    'add',
    'flbsf0',
    'netns',
    RECEIVER,
    'type',
    'veth',
    'peer',
    'flbsf1',
    'netns',
    SENDER,
  ]);
  inNs(RECEIVER, 'ip', ['addr', 'add', `${RECEIVER_V4}/24`, 'dev', 'flbsf0']);
  inNs(RECEIVER, 'ip', ['-6', 'addr', 'add', `${RECEIVER_V6}/64`, 'dev', 'flbsf0', 'nodad']);
  for (const ip of [...ALLOWED, ...FOREIGN]) {
    const [family, length] = ip.includes(':') ? ['-6', '64'] : ['-4', '24'];
    inNs(SENDER, 'ip', [family, 'addr', 'add', `${ip}/${length}`, 'dev', 'flbsf1', 'nodad']);
  }
  inNs(RECEIVER, 'ip', ['link', 'set', 'flbsf0', 'up']);
  inNs(SENDER, 'ip', ['link', 'set', 'flbsf1', 'up']);
  const code = `const dist = ${JSON.stringify(DIST)};\n${RECEIVE}`;
  receiver = spawnInNs(RECEIVER, process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  replies = createInterface({ input: receiver.stdout! })[Symbol.asyncIterator]();
  const ready = JSON.parse(String((await replies.next()).value)) as { ready: number };
  expect(ready.ready).toBeGreaterThanOrEqual(0);
}, 60_000);

afterAll(() => {
  receiver?.kill();
  sweepNamespaces(PREFIX);
});

describe.skipIf(!canUseNamespaces())('gossip kernel source filter (issue 12 #6)', { timeout: 60_000 }, () => {
  it('without a filter every source is delivered (both families, one dual-stack socket)', async () => {
    for (const ip of [...ALLOWED, ...FOREIGN]) send(ip, 20);
    await settle();
    const report = await command('report');
    expect(Object.values(report.received).reduce((a, b) => a + b, 0)).toBe(80);
    expect(report.drops).toBe(0);
  });

  it('with a filter, only allowed sources are delivered; the rest are dropped in the kernel', async () => {
    const before = procDrops();
    await command(`filter ${ALLOWED.join(',')}`);
    for (const ip of [...ALLOWED, ...FOREIGN]) send(ip);
    await settle();
    const report = await command('report');
    // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6 addresses.
    expect(report.received).toEqual({
      [`::ffff:${ALLOWED[0]}`]: DATAGRAMS,
      [ALLOWED[1] as string]: DATAGRAMS,
    });
    expect(procDrops() - before).toBe(2 * DATAGRAMS);
    expect(report.drops).toBe(procDrops());
  });

  it('detaching accepts every source again', async () => {
    await command('detach');
    for (const ip of FOREIGN) send(ip, 20);
    await settle();
    const report = await command('report');
    expect(report.received).toEqual({ [`::ffff:${FOREIGN[0]}`]: 20, [FOREIGN[1] as string]: 20 });
  });
});
