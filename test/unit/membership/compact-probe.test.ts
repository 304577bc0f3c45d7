// Compact probes (issue 14, docs/gossip.md "Compact probes"): the C thread that owns the gossip
// socket pings one member per round and answers pings itself, so no JavaScript runs for a healthy
// member. Checked from outside native/: packets are built and opened here with node:crypto and sent
// from a node:dgram socket (the documented wire format), and a member that speaks only JSON pings
// (the previous release: the engine on a dgram socket, no offload) must stay alive beside it.
import { spawn } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type ProbeEvent, ProbeSocket } from '../../../src/l2/native.js';
import { logger } from '../../../src/log.js';
import { deriveKey } from '../../../src/membership/crypto.js';
import { DEFAULT_TIMINGS } from '../../../src/membership/defaults.js';
import { SwimEngine } from '../../../src/membership/engine.js';
import { Membership } from '../../../src/membership/index.js';
import { realClock } from '../../../src/membership/udp.js';

const quiet = logger.child({ test: 'membership-compact' }, { level: 'silent' });
const secret = new TextEncoder().encode('0123456789abcdefghijkl');
const key = deriveKey(secret);
const cleanups: (() => unknown)[] = [];
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Compact {
  kind: number;
  sequence: number;
  boot: bigint;
  id: Buffer;
  counter: bigint;
  from: string;
  target: string;
}

function encodeCompact(message: Compact): Buffer {
  const header = Buffer.alloc(29);
  header[0] = message.kind;
  header.writeUInt32BE(message.sequence, 1);
  header.writeBigUInt64BE(message.boot, 5);
  message.id.copy(header, 13);
  header.writeBigUInt64BE(message.counter, 21);
  const from = Buffer.from(message.from);
  const target = Buffer.from(message.target);
  return Buffer.concat([header, Buffer.of(from.length), from, Buffer.of(target.length), target]);
}

function decodeCompact(payload: Buffer): Compact {
  const fromLength = payload[29] as number;
  const targetLength = payload[30 + fromLength] as number;
  expect(payload.length).toBe(31 + fromLength + targetLength);
  return {
    kind: payload[0] as number,
    sequence: payload.readUInt32BE(1),
    boot: payload.readBigUInt64BE(5),
    id: payload.subarray(13, 21),
    counter: payload.readBigUInt64BE(21),
    from: payload.subarray(30, 30 + fromLength).toString(),
    target: payload.subarray(31 + fromLength).toString(),
  };
}

/** First byte 5 | nonce | AES-256-GCM(payload) | tag, the first byte authenticated. */
function seal(payload: Buffer, sealKey = key): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey, nonce);
  cipher.setAAD(Buffer.of(5));
  const body = Buffer.concat([cipher.update(payload), cipher.final()]);
  return Buffer.concat([Buffer.of(5), nonce, body, cipher.getAuthTag()]);
}

function open(packet: Buffer): Buffer {
  expect(packet[0]).toBe(5);
  const decipher = createDecipheriv('aes-256-gcm', key, packet.subarray(1, 13));
  decipher.setAAD(Buffer.of(5));
  decipher.setAuthTag(packet.subarray(packet.length - 16));
  return Buffer.concat([decipher.update(packet.subarray(13, packet.length - 16)), decipher.final()]);
}

const NODE_ID = Buffer.from('0011223344556677', 'hex');
const TESTER_ID = Buffer.from('8899aabbccddeeff', 'hex');

function openProbe(overrides: { timeoutMs?: number; key?: Buffer | null } = {}) {
  const events: ProbeEvent[] = [];
  const socket = ProbeSocket.open(
    {
      address: '127.0.0.1',
      port: 0,
      name: 'node-a',
      key: overrides.key === undefined ? key : overrides.key,
      boot: 1_700_000_000_000,
      id: NODE_ID,
      silenceMs: 60_000,
      intervalMs: 100,
      timeoutMs: overrides.timeoutMs ?? 50,
    },
    (event) => events.push(event),
  );
  cleanups.push(() => socket.close());
  return { socket, events, port: socket.counters().port };
}

async function tester(): Promise<{ socket: Socket; port: number; received: Buffer[] }> {
  const socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (packet) => received.push(packet));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => socket.close());
  return { socket, port: socket.address().port, received };
}

function send(socket: Socket, packet: Buffer, port: number): Promise<void> {
  return new Promise((resolve) => socket.send(packet, port, '127.0.0.1', () => resolve()));
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ping(counter: number, overrides: Partial<Compact> = {}): Compact {
  return {
    kind: 1,
    sequence: 0xdeadbeef,
    boot: 1_700_000_000_500n,
    id: TESTER_ID,
    counter: BigInt(counter),
    from: 'node-t',
    target: 'node-a',
    ...overrides,
  };
}

describe('compact probes: the C thread answers pings (docs/gossip.md wire format)', () => {
  it('a sealed ping gets a sealed ack naming the same sequence, sent by the thread with no JS event but one introduction', async () => {
    const probe = openProbe();
    const peer = await tester();
    await send(peer.socket, seal(encodeCompact(ping(1))), probe.port);
    await waitFor(() => peer.received.length === 1);
    const ack = decodeCompact(open(peer.received[0] as Buffer));
    expect(ack).toMatchObject({
      kind: 2,
      sequence: 0xdeadbeef,
      boot: 1_700_000_000_000n,
      from: 'node-a',
      target: '',
    });
    expect(ack.id.equals(NODE_ID)).toBe(true);
    expect(ack.counter).toBeGreaterThan(0n);
    // node-t is no target of this node: the engine hears of it once (to introduce itself), nothing else.
    expect(probe.events).toEqual([
      { kind: 'stranger', name: 'node-t', address: '127.0.0.1', port: peer.port },
    ]);
    expect(probe.socket.counters()).toMatchObject({ packetsReceived: 1, packetsSent: 1, drops: {} });
  });

  it('freshness: a replayed ping and one far older than the window get no ack and are counted', async () => {
    const probe = openProbe();
    const peer = await tester();
    const first = seal(encodeCompact(ping(100)));
    await send(peer.socket, first, probe.port);
    await waitFor(() => peer.received.length === 1);
    await send(peer.socket, first, probe.port);
    await send(peer.socket, seal(encodeCompact(ping(50))), probe.port);
    // A later life of the same sender with an older boot time is stale too.
    await send(peer.socket, seal(encodeCompact(ping(200, { id: randomBytes(8), boot: 1n }))), probe.port);
    await waitFor(() => probe.socket.counters().packetsReceived === 4);
    await sleep(100);
    expect(peer.received).toHaveLength(1);
    expect(probe.socket.counters().drops).toEqual({ replayed: 1, stale: 2 });
    // Within the window and not seen yet: fresh.
    await send(peer.socket, seal(encodeCompact(ping(90))), probe.port);
    await waitFor(() => peer.received.length === 2);
  });

  it('bad packets are dropped and counted by reason, and none is answered', async () => {
    const probe = openProbe();
    const peer = await tester();
    const bad: [Buffer, string][] = [
      [seal(encodeCompact(ping(1, { target: 'node-z' }))), 'misaddressed'],
      [seal(encodeCompact(ping(2)), deriveKey(new TextEncoder().encode('another secret'))), 'authentication'],
      [Buffer.concat([Buffer.of(4), encodeCompact(ping(3))]), 'plaintext'],
      [Buffer.of(5, 1, 2, 3), 'malformed'],
      [seal(encodeCompact(ping(4)).subarray(0, 31)), 'malformed'],
      [seal(encodeCompact(ping(5, { kind: 9 }))), 'malformed'],
      [seal(encodeCompact(ping(6, { from: 'node-a' }))), 'unknownSender'],
    ];
    for (const [packet] of bad) await send(peer.socket, packet, probe.port);
    await waitFor(() => probe.socket.counters().packetsReceived === bad.length);
    await sleep(100);
    expect(peer.received).toEqual([]);
    const expected: Record<string, number> = {};
    for (const [, reason] of bad) expected[reason] = (expected[reason] ?? 0) + 1;
    expect(probe.socket.counters().drops).toEqual(expected);
  });

  it('plaintext gossip (no key): a plaintext ping is answered in plaintext, a sealed one is refused', async () => {
    const probe = openProbe({ key: null });
    const peer = await tester();
    await send(peer.socket, Buffer.concat([Buffer.of(4), encodeCompact(ping(1))]), probe.port);
    await waitFor(() => peer.received.length === 1);
    const packet = peer.received[0] as Buffer;
    expect(packet[0]).toBe(4);
    expect(decodeCompact(packet.subarray(1))).toMatchObject({
      kind: 2,
      sequence: 0xdeadbeef,
      from: 'node-a',
    });
    await send(peer.socket, seal(encodeCompact(ping(2))), probe.port);
    await waitFor(() => probe.socket.counters().drops.encrypted === 1);
  });

  it('the allow-list binds a sender name to its address', async () => {
    const probe = openProbe();
    const peer = await tester();
    probe.socket.setAllowed([{ name: 'node-t', address: '127.0.0.2' }]);
    await send(peer.socket, seal(encodeCompact(ping(1))), probe.port);
    await waitFor(() => probe.socket.counters().drops.unknownSender === 1);
    probe.socket.setAllowed([{ name: 'node-t', address: '127.0.0.1' }]);
    await send(peer.socket, seal(encodeCompact(ping(2))), probe.port);
    await waitFor(() => peer.received.length === 1);
  });

  it('every datagram that is not a compact probe reaches JS unchanged, with its sender', async () => {
    const probe = openProbe();
    const peer = await tester();
    const json = Buffer.concat([Buffer.of(2), Buffer.from('{"type":"gossip"}')]);
    await send(peer.socket, json, probe.port);
    await send(peer.socket, Buffer.alloc(0), probe.port);
    await waitFor(() => probe.events.length === 2);
    expect(probe.events).toEqual([
      { kind: 'datagram', packet: json, address: '127.0.0.1', port: peer.port },
      { kind: 'datagram', packet: Buffer.alloc(0), address: '127.0.0.1', port: peer.port },
    ]);
  });

  it('SWIM: the thread pings its targets in turn; an answered probe stays silent, an unanswered one is reported missed once', async () => {
    const probe = openProbe();
    const answering = await tester();
    const silent = await tester();
    const pings: Compact[] = [];
    answering.socket.on('message', (packet, remote) => {
      const message = decodeCompact(open(packet));
      pings.push(message);
      const ack = {
        ...message,
        kind: 2,
        counter: BigInt(pings.length),
        from: 'node-b',
        target: '',
        id: TESTER_ID,
      };
      answering.socket.send(seal(encodeCompact(ack)), remote.port, remote.address);
    });
    probe.socket.setTargets([
      { name: 'node-b', address: '127.0.0.1', port: answering.port },
      { name: 'node-c', address: '127.0.0.1', port: silent.port },
    ]);
    await waitFor(() => pings.length >= 3 && silent.received.length >= 3, 5_000);
    expect(pings.every((message) => message.kind === 1 && message.target === 'node-b')).toBe(true);
    const missed = probe.events.filter((event) => event.kind === 'missed');
    expect(missed.length).toBeGreaterThanOrEqual(3);
    expect(missed.every((event) => 'name' in event && event.name === 'node-c')).toBe(true);
    // Each missed event carries the sequence of a ping node-c was sent.
    const sequences = silent.received.map((packet) => decodeCompact(open(packet)).sequence);
    for (const event of missed) expect(sequences).toContain((event as { sequence: number }).sequence);
    expect(probe.events.filter((event) => event.kind !== 'missed' && event.kind !== 'lateTick')).toEqual([]);
    // Lifeguard: while local health is above 0 the acks are reported too.
    probe.socket.configure(100, 50, true);
    await waitFor(() => probe.events.some((event) => event.kind === 'acked'));
    expect(probe.events.find((event) => event.kind === 'acked')).toMatchObject({ name: 'node-b' });
  });

  it('SWIM: an ack after the timeout but inside the round is reported as lateAck', async () => {
    const probe = openProbe({ timeoutMs: 20 });
    const slow = await tester();
    slow.socket.on('message', (packet, remote) => {
      const message = decodeCompact(open(packet));
      const ack = { ...message, kind: 2, from: 'node-b', target: '', id: TESTER_ID };
      setTimeout(() => slow.socket.send(seal(encodeCompact(ack)), remote.port, remote.address), 50);
    });
    probe.socket.setTargets([{ name: 'node-b', address: '127.0.0.1', port: slow.port }]);
    await waitFor(() => probe.events.some((event) => event.kind === 'lateAck'));
    const late = probe.events.find((event) => event.kind === 'lateAck') as { sequence: number };
    expect(probe.events).toContainEqual({ kind: 'missed', name: 'node-b', sequence: late.sequence });
  });

  it('no targets, no pings: the thread sleeps until it is given some', async () => {
    const probe = openProbe();
    await sleep(300);
    expect(probe.socket.counters().packetsSent).toBe(0);
  });
});

/** A member of the previous release: the JSON engine on its own dgram socket, no probe offload. */
async function jsonOnlyMember(name: string, seedPort: number) {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const engine = new SwimEngine({
    nodeName: name,
    advertiseAddress: '127.0.0.1',
    port: socket.address().port,
    seeds: [{ address: '127.0.0.1', port: seedPort }],
    key,
    metadata: {},
    timings: DEFAULT_TIMINGS,
    clock: realClock,
    random: Math.random,
    epoch: { boot: Date.now(), id: randomBytes(8).toString('hex') },
    onChange: () => {},
    transport: { send: (packet, address, port) => socket.send(packet, port, address) },
  });
  socket.on('message', (packet, remote) => engine.receive(packet, remote));
  engine.start();
  cleanups.push(() => {
    engine.stop();
    socket.close();
  });
  return engine;
}

describe('compact probes beside the previous release (rolling update)', () => {
  it('a member without compactProbes is probed with JSON pings, never sent a compact packet, and both stay alive', async () => {
    const a = await Membership.start({
      nodeName: 'node-a',
      bindAddress: '127.0.0.1',
      port: 0,
      seeds: [],
      secret,
      logger: quiet,
    });
    cleanups.push(() => a.stop());
    const old = await jsonOnlyMember('node-old', a.port);
    await waitFor(
      () => a.liveMembers().length === 2 && old.members().filter((m) => m.state === 'alive').length === 2,
    );
    const before = old.stats();
    const states: string[] = [];
    a.on('change', (members) => states.push(...members.map((member) => member.state)));
    await sleep(2_000);
    const after = old.stats();
    // About 10 probes a second each way, all JSON: the old member drops nothing it is sent.
    expect(after.packetsReceived - before.packetsReceived).toBeGreaterThan(10);
    expect(after.dropsByReason).toEqual({});
    expect(states.filter((state) => state !== 'alive')).toEqual([]);
    expect(old.members().every((member) => member.state === 'alive')).toBe(true);
  });

  it('two current members probe each other with compact packets only', async () => {
    const options = { bindAddress: '127.0.0.1', port: 0, secret, logger: quiet };
    const a = await Membership.start({ ...options, nodeName: 'node-a', seeds: [] });
    cleanups.push(() => a.stop());
    const b = await Membership.start({
      ...options,
      nodeName: 'node-b',
      seeds: [{ address: '127.0.0.1', port: a.port }],
    });
    cleanups.push(() => b.stop());
    await waitFor(() => a.liveMembers().length === 2 && b.liveMembers().length === 2);
    await sleep(500); // the join's sync and gossip settle
    const before = await a.refreshStats();
    await sleep(1_000);
    const after = await a.refreshStats();
    // Compact probe and ack datagrams are ~100 bytes; a JSON ping with its envelope is well above.
    const packets = after.packetsSent - before.packetsSent;
    expect(packets).toBeGreaterThanOrEqual(15);
    expect((after.bytesSent - before.bytesSent) / packets).toBeLessThan(120);
  });
});

/** Runs a CommonJS script with plain node in this checkout (the addon is loaded directly). */
function runNode(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const OPEN = `(addon, port, onEvent = () => {}) => addon.probeOpen({ address: '127.0.0.1', port, name: 'node-a',
  key: Buffer.alloc(32, 7), boot: 1, id: Buffer.alloc(8, 1), silenceMs: 60000, intervalMs: 10, timeoutMs: 5 }, onEvent)`;

describe('compact probes: the thread and socket lifecycle', () => {
  it('200 open/close cycles with probes running leave no descriptor or thread behind', async () => {
    const { code, stdout, stderr } = await runNode(`
      const addon = require('./native/build/Release/ferrolb_packet.node');
      const open = ${OPEN};
      const count = (path) => require('node:fs').readdirSync(path).length;
      addon.probeClose(open(addon, 0)); // one cycle first, as for packet sockets
      const before = { fds: count('/proc/self/fd'), threads: count('/proc/self/task') };
      (async () => {
        for (let index = 0; index < 200; index++) {
          const probe = open(addon, 0);
          addon.probeSetTargets(probe, [{ name: 'node-b', address: '127.0.0.1', port: 9 }]);
          if (index % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 30));
          addon.probeClose(probe);
          addon.probeClose(probe);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        console.log(JSON.stringify({ before, after: { fds: count('/proc/self/fd'), threads: count('/proc/self/task') } }));
      })();`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { before, after } = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    expect(after.fds).toBe(before.fds);
    expect(after.threads).toBeLessThanOrEqual(before.threads);
  });

  it('terminating a worker whose probe thread is busy stops it and frees the port; an open probe lets the process exit', async () => {
    const { code, stdout, stderr } = await runNode(`
      const { Worker } = require('node:worker_threads');
      const dgram = require('node:dgram');
      const worker = new Worker(\`const addon = require('./native/build/Release/ferrolb_packet.node');
        const probe = (${OPEN})(addon, 0, () => {});
        addon.probeSetTargets(probe, [{ name: 'node-b', address: '127.0.0.1', port: 9 }]);
        require('node:worker_threads').parentPort.postMessage(addon.probeInfo(probe).port);\`, { eval: true });
      worker.once('message', async (port) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await worker.terminate();
        const socket = dgram.createSocket('udp4');
        socket.bind(port, '127.0.0.1', () => {
          console.log('port free');
          socket.close();
          const addon = require('./native/build/Release/ferrolb_packet.node');
          (${OPEN})(addon, 0, () => {}); // left open: must not keep the process alive
        });
      });`);
    expect(stderr).toBe('');
    expect(stdout.trim()).toBe('port free');
    expect(code).toBe(0);
  });
});
