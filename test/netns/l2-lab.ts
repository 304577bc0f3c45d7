// Parent side of the layer-2 netns tests and bench/l2: a speaker and a client namespace on a veth
// pair (both sides named eth0), the DataPlane child (l2-speaker.ts) and the independent oracles
// (arping, ndisc6, `ip neigh`, tcpdump). The speaker's kernel owns no VIP and has arp_ignore=1 /
// arp_announce=2, so every answer for a VIP comes from ferrolb.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createNamespace, inNs, sweepNamespaces, tryInNs } from '../helpers/netns.js';

export const SPEAKER_MAC = '02:00:00:00:00:01';
export const CLIENT_MAC = '02:00:00:00:00:02';
const MAC_PATTERN = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/i;

/** Namespace names of one lab (prefix `flb` so leftovers are swept). */
export interface L2Lab {
  readonly prefix: string;
  readonly speaker: string;
  readonly client: string;
}

/** Creates the speaker and client namespaces and their veth; sweeps leftovers of `prefix` first. */
export function createL2Lab(prefix: string): L2Lab {
  sweepNamespaces(prefix);
  const lab = { prefix, speaker: `${prefix}-s`, client: `${prefix}-c` };
  for (const ns of [lab.speaker, lab.client]) {
    createNamespace(ns);
    // No DAD: link-local and test addresses are usable at once (ndisc6 needs a source address).
    inNs(ns, 'sysctl', ['-qw', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']);
  }
  inNs(lab.speaker, 'ip', [
    ...['link', 'add', 'eth0', 'address', SPEAKER_MAC, 'type', 'veth'],
    ...['peer', 'name', 'eth0', 'address', CLIENT_MAC, 'netns', lab.client],
  ]);
  for (const [ns, address4, address6] of [
    [lab.speaker, '198.51.100.1/24', '2001:db8:1::1/64'],
    [lab.client, '198.51.100.2/24', '2001:db8:1::2/64'],
  ] as const) {
    inNs(ns, 'ip', ['addr', 'add', address4, 'dev', 'eth0']);
    inNs(ns, 'ip', ['-6', 'addr', 'add', address6, 'dev', 'eth0', 'nodad']);
    inNs(ns, 'ip', ['link', 'set', 'eth0', 'up']);
  }
  for (const key of ['arp_ignore=1', 'arp_announce=2']) {
    inNs(lab.speaker, 'sysctl', ['-qw', `net.ipv4.conf.all.${key}`, `net.ipv4.conf.default.${key}`]);
  }
  inNs(lab.client, 'ip', ['route', 'add', '203.0.113.0/24', 'dev', 'eth0']);
  return lab;
}

/** Removes the lab's namespaces. */
export function removeL2Lab(lab: L2Lab): void {
  sweepNamespaces(lab.prefix);
}

/** MACs that answered `count` arping requests from the client (`extra`: e.g. ['-t', MAC] for unicast). */
export function arpingMacs(
  lab: L2Lab,
  ip: string,
  options: { interfaceName?: string; count?: number; extra?: readonly string[] } = {},
): string[] {
  const count = options.count ?? 2;
  const result = tryInNs(lab.client, 'arping', [
    ...['-i', options.interfaceName ?? 'eth0', '-c', String(count), '-w', String(count + 1)],
    ...(options.extra ?? []),
    ip,
  ]);
  return result.output
    .split('\n')
    .filter((line) => line.includes('bytes from'))
    .map((line) => line.match(MAC_PATTERN)?.[1]?.toLowerCase() ?? '');
}

/** The MAC ndisc6 (a multicast NS) learns for `ip`, or undefined when nobody answers. */
export function ndiscMac(lab: L2Lab, ip: string, interfaceName = 'eth0'): string | undefined {
  const result = tryInNs(lab.client, 'ndisc6', ['-1', '-n', '-r', '2', '-w', '1000', ip, interfaceName]);
  const line = result.output.split('\n').find((text) => text.includes('Target link-layer'));
  return line?.match(MAC_PATTERN)?.[1]?.toLowerCase();
}

/** The client's neighbour entry for `ip`. */
export function neighbour(lab: L2Lab, ip: string): { mac?: string; state: string } {
  const entries = JSON.parse(inNs(lab.client, 'ip', ['-j', 'neigh', 'show', ip, 'dev', 'eth0']) || '[]') as {
    lladdr?: string;
    state?: string[];
  }[];
  return { mac: entries[0]?.lladdr?.toLowerCase(), state: (entries[0]?.state ?? []).join(',') };
}

/** Polls `probe` every 100 ms until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends raw frames (hex, one per line on stdin) out of `interfaceName` in `ns` with an AF_PACKET socket. */
export function injectFrames(
  ns: string,
  interfaceName: string,
  frames: readonly Uint8Array[],
): Promise<string> {
  const script = [
    'import socket, sys, time',
    's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)',
    `s.bind((${JSON.stringify(interfaceName)}, 0))`,
    'sent = 0',
    'for line in sys.stdin:',
    '    data = bytes.fromhex(line.strip())',
    '    if len(data) < 14: data = data + bytes(14 - len(data))',
    '    s.send(data); sent += 1',
    // Pace the flood so receive buffers never overflow: a drop would hide a reply, not cause one.
    '    if sent % 200 == 0: time.sleep(0.002)',
    'print(sent)',
  ].join('\n');
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', script], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  for (const frame of frames) child.stdin.write(`${Buffer.from(frame).toString('hex')}\n`);
  child.stdin.end();
  return new Promise((resolve) => child.on('close', () => resolve(output.trim())));
}

/**
 * Starts tcpdump on eth0 in `ns` for frames in `direction` (`in`: received only, so frames this
 * namespace injects are not counted); resolves once it captures, `stop()` returns the lines seen.
 */
export async function capture(
  ns: string,
  filter: string,
  direction: 'in' | 'out' | 'inout' = 'inout',
): Promise<{ stop: () => Promise<string[]> }> {
  const child = spawn('ip', [
    'netns',
    'exec',
    ns,
    'tcpdump',
    '-i',
    'eth0',
    '-Q',
    direction,
    '-nn',
    '-e',
    '-l',
    filter,
  ]);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) resolve();
    });
  });
  return {
    stop: () =>
      new Promise((resolve) => {
        child.on('close', () => resolve(output.split('\n').filter((line) => line.trim() !== '')));
        setTimeout(() => child.kill('SIGINT'), 300);
      }),
  };
}

/** The DataPlane child in the speaker namespace. */
export class L2Speaker {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    (reply: { ok: boolean; result?: unknown; message?: string }) => void
  >();
  readonly events: Record<string, unknown>[] = [];
  private errorOutput = '';
  private readonly ready: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    let markReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.event === 'string') {
        this.events.push(message);
        if (message.event === 'ready') markReady();
        return;
      }
      this.waiting.get(Number(message.id))?.(message as { ok: boolean });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.errorOutput += chunk.toString();
    });
  }

  /** Starts the child in `ns` and waits for its first interface read. */
  static async start(
    ns: string,
    options: { exclude?: string[]; only?: string[]; pollIntervalMs?: number } = {},
  ): Promise<L2Speaker> {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '--import',
        'tsx',
        'test/netns/l2-speaker.ts',
        JSON.stringify(options),
      ],
      { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const speaker = new L2Speaker(child);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`speaker did not start: ${speaker.errorOutput}`)), 30_000).unref(),
    );
    await Promise.race([speaker.ready, timeout]);
    return speaker;
  }

  /** Sends one command; rejects with the child's message (or stderr after 30 s). */
  request(command: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply to ${command.op}: ${this.errorOutput}`)),
        30_000,
      );
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        if (reply.ok) resolve(reply.result);
        else reject(new Error(`${String(command.op)} failed: ${reply.message}`));
      });
      this.child.stdin?.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  /** Sets the owned IPs (speaker's setAnnouncements). */
  async own(entries: readonly [string, { interfaces?: string[] }][]): Promise<void> {
    await this.request({ op: 'owned', entries });
  }

  /** The Prometheus exposition text after a counter sync. */
  async metrics(): Promise<string> {
    return (await this.request({ op: 'metrics' })) as string;
  }

  /** Whether the child is still running. */
  isAlive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The child's stderr so far (pino logs). */
  logs(): string {
    return this.errorOutput;
  }

  /** Closes stdin (the data plane stops and the child exits) and waits for the exit code. */
  stop(): Promise<number | null> {
    return new Promise((resolve) => {
      if (!this.isAlive()) {
        resolve(this.child.exitCode);
        return;
      }
      this.child.on('exit', (code) => resolve(code));
      this.child.stdin?.end();
      setTimeout(() => this.child.kill('SIGKILL'), 10_000).unref();
    });
  }
}

/** Value of the series `name{labels}` in exposition text, undefined when absent. */
export function seriesValue(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}
