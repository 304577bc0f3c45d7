// What the lab's client sees, through tools nobody here wrote (DESIGN "Real parts in tests"):
// arping and ndisc6 for who answers a VIP, `ip neigh` for the client's neighbour table, curl for
// which node serves it, ping for loss. Each probe returns plain data; none of them throws.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Lab } from './lab.js';

const MAC_PATTERN = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/i;

/** Whether `ip` is an IPv6 address. */
export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** The MAC that answers ARP (IPv4, arping) or NS (IPv6, ndisc6) for `ip` first, or undefined; returns at the first answer. */
export function resolveMac(lab: Lab, ip: string, timeoutSeconds = 1): string | undefined {
  const result = isIPv6(ip)
    ? lab.inClient('ndisc6', ['-1', '-n', '-r', '1', '-w', String(timeoutSeconds * 1000), ip, 'eth0'])
    : lab.inClient('arping', ['-i', 'eth0', '-c', '1', '-C', '1', '-w', String(timeoutSeconds), ip]);
  if (result.status !== 0) return undefined;
  const line = result.output.split('\n').find((text) => /bytes from|Target link-layer/.test(text));
  return line?.match(MAC_PATTERN)?.[1]?.toLowerCase();
}

/** Every distinct MAC answering ARP for an IPv4 `ip` within the window (split brain shows two). */
export function answeringMacs(lab: Lab, ip: string, count = 3): string[] {
  const result = lab.inClient('arping', ['-i', 'eth0', '-c', String(count), '-w', String(count), ip]);
  const macs = result.output
    .split('\n')
    .filter((line) => line.includes('bytes from'))
    .map((line) => line.match(MAC_PATTERN)?.[1]?.toLowerCase())
    .filter((mac): mac is string => mac !== undefined);
  return [...new Set(macs)];
}

/** The client's neighbour entry for `ip`: its MAC and state, or undefined. */
export function neighbour(lab: Lab, ip: string): { mac?: string; state: string } | undefined {
  const result = lab.inClient('ip', ['-j', 'neigh', 'show', ip, 'dev', 'eth0']);
  if (result.status !== 0) return undefined;
  const entries = JSON.parse(result.output || '[]') as { lladdr?: string; state?: string[] }[];
  const entry = entries[0];
  if (!entry) return undefined;
  return { mac: entry.lladdr?.toLowerCase(), state: (entry.state ?? []).join(',') };
}

/** Drops the client's neighbour entry for `ip`, so the next probe resolves afresh. */
export function forgetNeighbour(lab: Lab, ip: string): void {
  lab.inClient('ip', ['neigh', 'flush', 'to', ip, 'dev', 'eth0']);
}

/** The body curl gets from http://ip/ (the answering node's name), or undefined on failure. */
export function fetchName(lab: Lab, ip: string, timeoutSeconds = 2): string | undefined {
  const url = isIPv6(ip) ? `http://[${ip}]/` : `http://${ip}/`;
  const result = lab.inClient('curl', ['-s', '-m', String(timeoutSeconds), url]);
  return result.status === 0 ? result.output.trim() : undefined;
}

/** Outcome of a timed ping run. */
export interface PingResult {
  readonly transmitted: number;
  readonly received: number;
}

/** Parses ping's summary line ("N packets transmitted, M received"). */
export function parsePingSummary(output: string): PingResult | undefined {
  const match = output.match(/(\d+) packets transmitted, (\d+) received/);
  if (!match) return undefined;
  return { transmitted: Number(match[1]), received: Number(match[2]) };
}

/**
 * Starts `ping -i 0.01 -c count` from the client at `ip` (every 10 ms, issue 5 item 3) and
 * resolves with ping's own counts once it has sent them all and waited for the last reply.
 */
export function pingEvery10Ms(lab: Lab, ip: string, count: number): Promise<PingResult> {
  const child = spawn(
    'ip',
    ['netns', 'exec', lab.clientNamespace, 'ping', '-n', '-i', '0.01', '-c', String(count), '-W', '1', ip],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  lab.track(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('exit', () => {
      const summary = parsePingSummary(output);
      if (summary) resolve(summary);
      else reject(new Error(`ping printed no summary: ${output.slice(-300)}`));
    });
  });
}

/** Polls `probe` every `intervalMs` until it returns a value other than undefined, or times out. */
export async function waitFor<T>(
  probe: () => T | undefined,
  options: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

// A reply already in flight when the owner dies arrives within a few hundred microseconds on
// veth: replies this close to the kill came from the old owner and do not count.
const IN_FLIGHT_MS = 2;

/** Starts a long-running program in the client namespace (killed with the lab). */
export function spawnInClient(lab: Lab, program: string, args: readonly string[]): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', lab.clientNamespace, program, ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  lab.track(child);
  return child;
}

/** Collects `child`'s stdout line by line into the returned array, as it arrives. */
export function collectLines(child: ChildProcess): string[] {
  const lines: string[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  return lines;
}

/** Epoch ms of ping's first reply after `sinceMs` (ping -D), and the number of sequence numbers lost before it. */
export function firstReplyAfter(
  lines: readonly string[],
  sinceMs: number,
): { atMs: number; lost: number } | undefined {
  let lastSequenceBefore: number | undefined;
  for (const line of lines) {
    const match = line.match(/^\[(\d+\.\d+)\].*icmp_seq=(\d+)/);
    if (!match) continue;
    const atMs = Number(match[1]) * 1000;
    const sequence = Number(match[2]);
    if (atMs < sinceMs + IN_FLIGHT_MS) {
      lastSequenceBefore = sequence;
      continue;
    }
    return { atMs, lost: lastSequenceBefore === undefined ? 0 : sequence - lastSequenceBefore - 1 };
  }
  return undefined;
}
