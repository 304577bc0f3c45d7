// What the client namespace sees, through its own tools (DESIGN "Real parts in tests"): arping and
// ndisc6 for who answers a VIP, curl for the backend behind it, ping every 10 ms for loss. And what
// a node holds: its eth0 MAC, its routes. Every probe returns plain data and never throws.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { Cluster } from './cluster.js';

const MAC_PATTERN = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/i;

function inNetns(netns: string, program: string, args: readonly string[]) {
  const result = spawnSync('ip', ['netns', 'exec', netns, program, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** The MAC answering ARP (IPv4) or NS (IPv6) for `ip` from the client, or undefined. */
export function resolveMac(cluster: Cluster, ip: string, timeoutSeconds = 2): string | undefined {
  const result = ip.includes(':')
    ? inNetns(cluster.clientNetns, 'ndisc6', ['-1', '-n', '-r', '2', '-w', '1000', ip, 'eth0'])
    : inNetns(cluster.clientNetns, 'arping', [
        '-i',
        'eth0',
        '-c',
        '2',
        '-C',
        '1',
        '-w',
        String(timeoutSeconds),
        ip,
      ]);
  if (result.status !== 0) return undefined;
  const line = result.output.split('\n').find((text) => /bytes from|Target link-layer/.test(text));
  return line?.match(MAC_PATTERN)?.[1]?.toLowerCase();
}

/** The body curl gets from http://ip/ in the client namespace (the backend pod's name), or undefined. */
export function fetchBody(cluster: Cluster, ip: string): string | undefined {
  const url = ip.includes(':') ? `http://[${ip}]/` : `http://${ip}/`;
  const result = inNetns(cluster.clientNetns, 'curl', ['-s', '-m', '3', url]);
  return result.status === 0 ? result.output.trim() : undefined;
}

/** The MAC of `node`'s eth0 (what the client sees when that node answers). */
export function nodeMac(cluster: Cluster, node: string): string {
  const result = inNetns(`${cluster.nodeNetnsPrefix}${node}`, 'cat', ['/sys/class/net/eth0/address']);
  return result.output.trim().toLowerCase();
}

/** Every route with ferrolb's protocol (199) on `node`, in every table, IPv4 and IPv6. */
export function ferrolbRoutes(cluster: Cluster, node: string): string {
  const netns = `${cluster.nodeNetnsPrefix}${node}`;
  return ['-4', '-6']
    .map((family) => inNetns(netns, 'ip', [family, 'route', 'show', 'table', 'all', 'proto', '199']).output)
    .join('')
    .trim();
}

/** A running `ping -D -i 0.01` from the client; `stop()` ends it and parses what it printed. */
export interface PingRun {
  stop(): Promise<PingOutcome>;
}

/** Replies seen and the longest silence between two consecutive replies. */
export interface PingOutcome {
  readonly transmitted: number;
  readonly received: number;
  readonly lost: number;
  readonly longestGapMs: number;
}

/** Parses ping -D output: counts from the summary, gaps from the reply timestamps. */
export function parsePing(output: string): PingOutcome {
  const summary = /(\d+) packets transmitted, (\d+) received/.exec(output);
  const transmitted = Number(summary?.[1] ?? 0);
  const received = Number(summary?.[2] ?? 0);
  const times = [...output.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)].map(
    (match) => Number(match[1]) * 1000,
  );
  let longestGapMs = 0;
  for (let index = 1; index < times.length; index += 1)
    longestGapMs = Math.max(longestGapMs, (times[index] ?? 0) - (times[index - 1] ?? 0));
  return { transmitted, received, lost: transmitted - received, longestGapMs };
}

/** Pings `ip` every 10 ms from the client through its neighbour cache until `stop()`. */
export function pingEvery10Ms(cluster: Cluster, ip: string): PingRun {
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', cluster.clientNetns, 'ping', '-n', '-D', '-i', '0.01', '-W', '1', ip],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    stop: async () => {
      child.kill('SIGINT');
      await exited;
      return parsePing(output);
    },
  };
}
