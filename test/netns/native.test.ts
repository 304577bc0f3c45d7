// The AF_PACKET addon on a real kernel: a speaker namespace running PacketSocket (in a child
// process, test/netns/native-speaker.ts) and a client namespace on a veth pair, with arping,
// ndisc6, tcpdump, `ip neigh` and `ip maddr` as the oracle. The speaker's kernel owns no VIP and
// has arp_ignore=1, so every answer for a VIP comes from the addon.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseNamespaces, createNamespace, inNs, sweepNamespaces, tryInNs } from '../helpers/netns.js';
import { arpFrame, BROADCAST, ipv4, ipv6, mac, nsFrame } from '../unit/l2/native-frames.js';
import { NativeSpeaker, runToEnd } from './native-speaker-client.js';

const SPEAKER = 'flb-nat-s';
const CLIENT = 'flb-nat-c';
const SPEAKER_MAC = '02:00:00:00:01:01';
const CLIENT_MAC = '02:00:00:00:01:02';
const VIP4 = '203.0.113.7';
const VIP6 = '2001:db8:1::7';
const VIP6_HEX = '20010db8000100000000000000000007';
const MAC_PATTERN = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/i;

function setUpNamespaces(): void {
  sweepNamespaces('flb-nat');
  for (const ns of [SPEAKER, CLIENT]) {
    createNamespace(ns);
    // No DAD: link-local and test addresses are usable at once (ndisc6 needs a source address).
    inNs(ns, 'sysctl', ['-qw', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']);
  }
  inNs(SPEAKER, 'ip', [
    ...['link', 'add', 'eth0', 'address', SPEAKER_MAC, 'type', 'veth'],
    ...['peer', 'name', 'eth0', 'address', CLIENT_MAC, 'netns', CLIENT],
  ]);
  for (const [ns, address4, address6] of [
    [SPEAKER, '198.51.100.1/24', '2001:db8:1::1/64'],
    [CLIENT, '198.51.100.2/24', '2001:db8:1::2/64'],
  ] as const) {
    inNs(ns, 'ip', ['addr', 'add', address4, 'dev', 'eth0']);
    inNs(ns, 'ip', ['-6', 'addr', 'add', address6, 'dev', 'eth0', 'nodad']);
    inNs(ns, 'ip', ['link', 'set', 'eth0', 'up']);
  }
  inNs(SPEAKER, 'sysctl', ['-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.eth0.arp_ignore=1']);
  inNs(CLIENT, 'ip', ['route', 'add', '203.0.113.0/24', 'dev', 'eth0']);
}

/** MACs that answered arping (`extra` adds flags such as -t MAC for a unicast request). */
function arpingMacs(
  ip: string,
  extra: readonly string[] = [],
  count = 2,
): { status: number; macs: string[] } {
  const result = tryInNs(CLIENT, 'arping', [
    '-i',
    'eth0',
    '-c',
    String(count),
    '-w',
    String(count + 1),
    ...extra,
    ip,
  ]);
  const macs = result.output
    .split('\n')
    .filter((line) => line.includes('bytes from'))
    .map((line) => line.match(MAC_PATTERN)?.[1]?.toLowerCase() ?? '');
  return { status: result.status, macs };
}

function ndiscMac(ip: string): string | undefined {
  const result = tryInNs(CLIENT, 'ndisc6', ['-1', '-n', '-r', '2', '-w', '1000', ip, 'eth0']);
  const line = result.output.split('\n').find((text) => text.includes('Target link-layer'));
  return line?.match(MAC_PATTERN)?.[1]?.toLowerCase();
}

function neighbour(ip: string): { mac?: string; state: string } {
  const entries = JSON.parse(inNs(CLIENT, 'ip', ['-j', 'neigh', 'show', ip, 'dev', 'eth0']) || '[]') as {
    lladdr?: string;
    state?: string[];
  }[];
  return { mac: entries[0]?.lladdr?.toLowerCase(), state: (entries[0]?.state ?? []).join(',') };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts tcpdump in the client namespace; resolves once it is capturing, `done` with its output. */
async function capture(filter: string, count: number): Promise<{ done: Promise<string> }> {
  const child = spawn('ip', [
    'netns',
    'exec',
    CLIENT,
    'tcpdump',
    '-i',
    'eth0',
    '-nn',
    '-e',
    '-l',
    '-c',
    String(count),
    filter,
  ]);
  const output = runToEnd(child, 10_000);
  await new Promise<void>((resolve) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) resolve();
    });
  });
  return { done: output };
}

const ownedBoth = { mac: SPEAKER_MAC, ipv4: [VIP4], ipv6: [VIP6_HEX] };

describe.skipIf(!canUseNamespaces())('native AF_PACKET addon in network namespaces', () => {
  let speaker: NativeSpeaker;

  beforeAll(async () => {
    setUpNamespaces();
    speaker = NativeSpeaker.start(SPEAKER);
    await speaker.ok({ op: 'open', name: 'arp', interfaceName: 'eth0', protocol: 'arp' });
    await speaker.ok({ op: 'open', name: 'ipv6', interfaceName: 'eth0', protocol: 'ipv6' });
    await speaker.ok({ op: 'setOwned', name: 'arp', ...ownedBoth });
    await speaker.ok({ op: 'setOwned', name: 'ipv6', ...ownedBoth });
  });

  afterAll(async () => {
    await speaker?.stop();
    sweepNamespaces('flb-nat');
  });

  it('DESIGN data plane: arping gets our MAC while the JS main thread is blocked', async () => {
    const blocked = speaker.ok({ op: 'block', durationMs: 4000 });
    await speaker.waitForEvent((event) => event.event === 'blocking', 5000);
    const arpingStartMs = Date.now();
    const answer = arpingMacs(VIP4);
    const arpingEndMs = Date.now();
    const { startedAtMs, endedAtMs } = (await blocked) as { startedAtMs: number; endedAtMs: number };
    expect(answer).toEqual({ status: 0, macs: [SPEAKER_MAC, SPEAKER_MAC] });
    // Both replies arrived while the child's main thread was spinning: no JS ran for them.
    expect(arpingStartMs).toBeGreaterThanOrEqual(startedAtMs);
    expect(arpingEndMs).toBeLessThanOrEqual(endedAtMs);
  });

  it('L8: no answer for an IP we do not own', () => {
    expect(arpingMacs('203.0.113.8', [], 1).macs).toEqual([]);
    expect(ndiscMac('2001:db8:1::8')).toBeUndefined();
  });

  it('L10: a unicast ARP request to our MAC (cache refresh) is answered', async () => {
    const seen = await capture(`arp and ether dst ${SPEAKER_MAC}`, 1);
    expect(arpingMacs(VIP4, ['-t', SPEAKER_MAC]).macs).toContain(SPEAKER_MAC);
    expect(await seen.done).toContain(`> ${SPEAKER_MAC}`);
  });

  it('L12: ndisc6 (multicast NS) gets our MAC, and the NA comes from the VIP', async () => {
    const seen = await capture(`icmp6 and ip6[40] == 136 and src host ${VIP6}`, 1);
    expect(ndiscMac(VIP6)).toBe(SPEAKER_MAC);
    // ndisc6 solicits from its link-local address; the NA answers it from the VIP.
    expect(await seen.done).toContain(`${VIP6} > fe80::`);
  });

  it('Q4 (metallb#2920): the kernel NUD probe, a unicast NS to the VIP, is answered', async () => {
    inNs(CLIENT, 'sysctl', ['-qw', 'net.ipv6.neigh.eth0.delay_first_probe_time=1']);
    inNs(CLIENT, 'ip', [
      '-6',
      'neigh',
      'replace',
      VIP6,
      'lladdr',
      SPEAKER_MAC,
      'dev',
      'eth0',
      'nud',
      'stale',
    ]);
    const probe = await capture(
      `icmp6 and ip6[40] == 135 and dst host ${VIP6} and ether dst ${SPEAKER_MAC}`,
      1,
    );
    // Any packet to a STALE entry starts NUD: DELAY, then a unicast NS in PROBE (RFC 4861 §7.3.3).
    tryInNs(CLIENT, 'ping', ['-6', '-c', '1', '-W', '1', VIP6]);
    expect(await probe.done).toContain(`> ${VIP6}`);
    const reachable = await waitFor(() => (neighbour(VIP6).state === 'REACHABLE' ? true : undefined), 8000);
    expect(reachable).toBe(true);
    expect(neighbour(VIP6).mac).toBe(SPEAKER_MAC);
  });

  it('L11: the client kernel learns our MAC for the VIP from the addon’s reply', async () => {
    inNs(CLIENT, 'ip', ['neigh', 'flush', 'to', VIP4, 'dev', 'eth0']);
    tryInNs(CLIENT, 'ping', ['-c', '1', '-W', '1', VIP4]);
    const entry = await waitFor(() => {
      const current = neighbour(VIP4);
      return current.mac ? current : undefined;
    }, 5000);
    expect(entry?.mac).toBe(SPEAKER_MAC);
    expect(entry?.state).not.toMatch(/FAILED|INCOMPLETE/);
  });

  it('send(): a gratuitous ARP reply sent from JS is seen by tcpdump in the other namespace', async () => {
    const seen = await capture(`arp and ether src ${SPEAKER_MAC} and ether dst ff:ff:ff:ff:ff:ff`, 1);
    const frame = arpFrame({
      destination: BROADCAST,
      source: mac(SPEAKER_MAC),
      operation: 2,
      senderIp: ipv4(VIP4),
      targetMac: BROADCAST,
      targetIp: ipv4(VIP4),
    });
    await speaker.ok({ op: 'send', name: 'arp', frameHex: Buffer.from(frame).toString('hex') });
    expect(await seen.done).toContain(`Reply ${VIP4} is-at ${SPEAKER_MAC}`);
  });

  it('conflict detection: a gratuitous ARP from another MAC for an owned IP reaches JS', async () => {
    const forwarded = speaker.waitForEvent(
      (event) => event.event === 'frame' && String(event.frameHex).startsWith('ffffffffffff'),
      8000,
    );
    // -S: arping's -U alone keeps its own sender IP; a gratuitous ARP names the VIP as sender.
    tryInNs(CLIENT, 'arping', ['-i', 'eth0', '-U', '-S', VIP4, '-c', '1', '-w', '1', VIP4]);
    const event = await forwarded;
    expect(event.interfaceName).toBe('eth0');
    expect(String(event.frameHex).slice(12, 24)).toBe(CLIENT_MAC.replaceAll(':', ''));
  });

  it('conflict detection: an NA for an owned target reaches JS, one for another target does not', async () => {
    const advertisement = (target: string) =>
      nsFrame({
        destinationMac: mac('33:33:00:00:00:01'),
        sourceMac: mac(CLIENT_MAC),
        source: ipv6(target),
        destination: ipv6('ff02::1'),
        target: ipv6(target),
        type: 136,
        sourceLinkLayer: mac(CLIENT_MAC), // option type 1 here; only the target matters for forwarding
      });
    const before = (await speaker.counters('ipv6')).framesForwarded;
    const forwarded = speaker.waitForEvent(
      (event) => event.event === 'frame' && String(event.frameHex).startsWith('333300000001'),
      8000,
    );
    // Injected with Python's AF_PACKET socket (python3 is already required by node-gyp).
    for (const target of ['2001:db8:1::8', VIP6]) {
      const frameHex = Buffer.from(advertisement(target)).toString('hex');
      const inject = `import socket; s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('eth0', 0)); s.send(bytes.fromhex('${frameHex}'))`;
      inNs(CLIENT, 'python3', ['-c', inject]);
    }
    expect(String((await forwarded).frameHex)).toContain(VIP6_HEX);
    expect((await speaker.counters('ipv6')).framesForwarded - before).toBe(1);
  });

  it('membership: addMembership / dropMembership change the interface’s multicast list', async () => {
    const group = '33:33:ff:00:00:07';
    const listed = () => inNs(SPEAKER, 'ip', ['maddr', 'show', 'dev', 'eth0']).includes(group);
    expect(listed()).toBe(false);
    await speaker.ok({ op: 'join', name: 'ipv6', mac: group });
    expect(listed()).toBe(true);
    await speaker.ok({ op: 'leave', name: 'ipv6', mac: group });
    expect(listed()).toBe(false);
  });

  it('M5: counters count requests and replies per owned IP, with a latency for each reply', async () => {
    const before = await speaker.counters('arp');
    expect(arpingMacs(VIP4, [], 3).macs).toHaveLength(3);
    const after = await speaker.counters('arp');
    const of = (counters: typeof before) => counters.addresses.find((entry) => entry.ip === VIP4);
    expect((of(after)?.requestsReceived ?? 0) - (of(before)?.requestsReceived ?? 0)).toBe(3);
    expect((of(after)?.responsesSent ?? 0) - (of(before)?.responsesSent ?? 0)).toBe(3);
    expect(after.latency.count - before.latency.count).toBe(3);
    expect(after.latency.counts.reduce((sum, count) => sum + count, 0)).toBe(after.latency.count);
    expect(after.sendFailures).toBe(0);
  });

  it('negative: after setOwned with an empty table nothing is answered, and counters are kept', async () => {
    const empty = { mac: SPEAKER_MAC, ipv4: [], ipv6: [] };
    await speaker.ok({ op: 'setOwned', name: 'arp', ...empty });
    await speaker.ok({ op: 'setOwned', name: 'ipv6', ...empty });
    expect(arpingMacs(VIP4, [], 1).macs).toEqual([]);
    expect(ndiscMac(VIP6)).toBeUndefined();
    const counters = await speaker.counters('arp');
    expect(counters.addresses.find((entry) => entry.ip === VIP4)?.requestsReceived).toBeGreaterThan(0);
    expect(counters.drops.announceIP).toBeGreaterThan(0);
    await speaker.ok({ op: 'setOwned', name: 'arp', ...ownedBoth });
    expect(arpingMacs(VIP4, [], 1).macs).toEqual([SPEAKER_MAC]);
  });

  it('errors: an interface that does not exist is ENODEV naming it', async () => {
    const reply = await speaker.request({
      op: 'open',
      name: 'x',
      interfaceName: 'flbnothere0',
      protocol: 'arp',
    });
    expect(reply).toMatchObject({ ok: false, errno: 'ENODEV' });
    expect(reply.message).toContain('flbnothere0');
  });

  it('errors: an interface deleted under an open socket neither crashes nor blocks close', async () => {
    inNs(SPEAKER, 'ip', ['link', 'add', 'flbgone0', 'type', 'veth', 'peer', 'name', 'flbgone1']);
    inNs(SPEAKER, 'ip', ['link', 'set', 'flbgone0', 'up']);
    await speaker.ok({ op: 'open', name: 'gone', interfaceName: 'flbgone0', protocol: 'arp' });
    inNs(SPEAKER, 'ip', ['link', 'del', 'flbgone0']);
    const reply = await speaker.request({
      op: 'send',
      name: 'gone',
      frameHex: 'ff'.repeat(6) + '02'.repeat(6) + '0806',
    });
    expect(reply.ok).toBe(false);
    await speaker.ok({ op: 'close', name: 'gone' });
    await speaker.ok({ op: 'close', name: 'gone' });
    expect(arpingMacs(VIP4, [], 1).macs).toEqual([SPEAKER_MAC]);
  });

  it('errors: without CAP_NET_RAW opening is EPERM naming the interface', async () => {
    const script = `import('./src/l2/native.ts').then(({ PacketSocket }) => {
      try { PacketSocket.open('lo', 'arp'); console.log('opened'); }
      catch (error) { console.log(JSON.stringify({ errno: error.errno, message: error.message })); }
    })`;
    const child = spawn(
      'setpriv',
      ['--bounding-set', '-net_raw', process.execPath, '--import', 'tsx', '-e', script],
      { cwd: process.cwd() },
    );
    const output = await runToEnd(child, 20_000);
    const result = JSON.parse(output.trim().split('\n').pop() ?? '{}') as {
      errno?: string;
      message?: string;
    };
    expect(result.errno).toBe('EPERM');
    expect(result.message).toContain('interface lo');
  });

  it('close: 200 open/close cycles leave no descriptor or thread behind', async () => {
    const script = `import('./src/l2/native.ts').then(async ({ PacketSocket }) => {
      const count = (path) => require('node:fs').readdirSync(path).length;
      // One cycle first: loading the addon creates its epoll and wake-up descriptors for good.
      PacketSocket.open('eth0', 'arp').close();
      const before = { fds: count('/proc/self/fd'), threads: count('/proc/self/task') };
      for (let index = 0; index < 200; index++) {
        const sockets = ['arp', 'ipv6'].map((protocol) => PacketSocket.open('eth0', protocol, () => {}));
        for (const socket of sockets) {
          socket.setOwned({ mac: Buffer.alloc(6, 2), ipv4: [Buffer.from([203, 0, 113, 9])], ipv6: [] });
          socket.counters();
          socket.close();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      console.log(JSON.stringify({ before, after: { fds: count('/proc/self/fd'), threads: count('/proc/self/task') } }));
    })`;
    const child = spawn('ip', ['netns', 'exec', SPEAKER, process.execPath, '--import', 'tsx', '-e', script]);
    const output = await runToEnd(child, 60_000);
    const { before, after } = JSON.parse(output.trim().split('\n').pop() ?? '{}');
    expect(after).toEqual(before);
  });

  it('close: a worker_thread answers with its own instance, and terminating it closes its sockets', async () => {
    // The worker loads the addon itself: tsx's loader does not reach eval workers on Node 20.
    const script = `const { Worker } = require('node:worker_threads');
      const worker = new Worker(\`const addon = require('./native/build/Release/ferrolb_packet.node');
        const socket = addon.openSocket('eth0', 'arp', () => {});
        const mac = Buffer.from('${SPEAKER_MAC.replaceAll(':', '')}', 'hex');
        addon.setOwned(socket, { mac, ipv4: [Buffer.from([203, 0, 113, 9])], ipv6: [] });
        require('node:worker_threads').parentPort.postMessage('ready');\`, { eval: true });
      worker.on('message', () => console.log('ready'));
      process.stdin.once('data', async () => { await worker.terminate(); console.log('terminated'); process.stdin.pause(); });`;
    const child = spawn('ip', ['netns', 'exec', SPEAKER, process.execPath, '-e', script]);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout });
    const next = (text: string) =>
      new Promise<void>((resolve) => lines.on('line', (line) => line === text && resolve()));
    await next('ready');
    expect(arpingMacs('203.0.113.9', [], 1).macs).toEqual([SPEAKER_MAC]);
    child.stdin.write('go\n');
    await next('terminated');
    expect(arpingMacs('203.0.113.9', [], 1).macs).toEqual([]);
    expect(await exit).toBe(0);
  });

  it.each([
    { rule: 'close: idempotent, and a closed socket with a frame callback lets the process exit', closes: 2 },
    { rule: 'close: an open socket without a callback does not keep the process alive', closes: 0 },
  ])('$rule', async ({ closes }) => {
    const callback = closes > 0 ? ', () => {}' : '';
    const script = `import('./src/l2/native.ts').then(({ PacketSocket }) => {
      const socket = PacketSocket.open('eth0', 'arp'${callback});
      socket.setOwned({ mac: Buffer.alloc(6, 2), ipv4: [Buffer.from([203, 0, 113, 9])], ipv6: [] });
      for (let index = 0; index < ${closes}; index++) socket.close();
      console.log('done');
    })`;
    const child = spawn('ip', ['netns', 'exec', SPEAKER, process.execPath, '--import', 'tsx', '-e', script]);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    expect(await runToEnd(child, 20_000)).toContain('done');
    expect(await exit).toBe(0);
  });
});
