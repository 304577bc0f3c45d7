// The two-namespace lab of the addon's netns tests: a speaker namespace that runs PacketSocket (in a
// child process) and a client namespace with the oracle tools, joined by one veth pair. The
// speaker's kernel owns no VIP and has arp_ignore=1, so every answer for a VIP comes from the addon.
import { spawn } from 'node:child_process';
import { createNamespace, inNs, sweepNamespaces, tryInNs } from '../helpers/netns.js';
import { runToEnd } from './native-speaker-client.js';

/** The speaker namespace (runs PacketSocket) and the client namespace (runs the oracle tools). */
export const SPEAKER = 'flb-nat-s';
export const CLIENT = 'flb-nat-c';
export const SPEAKER_MAC = '02:00:00:00:01:01';
export const CLIENT_MAC = '02:00:00:00:01:02';
export const VIP4 = '203.0.113.7';
export const VIP6 = '2001:db8:1::7';
export const VIP6_HEX = '20010db8000100000000000000000007';
const MAC_PATTERN = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/i;

/** Builds speaker and client on one veth pair (198.51.100.0/24, 2001:db8:1::/64); arp_ignore=1 on the speaker. */
export function setUpNamespaces(): void {
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
export function arpingMacs(
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

/** The MAC ndisc6 (multicast NS) resolves for `ip`, or undefined. */
export function ndiscMac(ip: string): string | undefined {
  const result = tryInNs(CLIENT, 'ndisc6', ['-1', '-n', '-r', '2', '-w', '1000', ip, 'eth0']);
  const line = result.output.split('\n').find((text) => text.includes('Target link-layer'));
  return line?.match(MAC_PATTERN)?.[1]?.toLowerCase();
}

/** The client's neighbour entry for `ip`. */
export function neighbour(ip: string): { mac?: string; state: string } {
  const entries = JSON.parse(inNs(CLIENT, 'ip', ['-j', 'neigh', 'show', ip, 'dev', 'eth0']) || '[]') as {
    lladdr?: string;
    state?: string[];
  }[];
  return { mac: entries[0]?.lladdr?.toLowerCase(), state: (entries[0]?.state ?? []).join(',') };
}

/** Polls `probe` every 100 ms until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts tcpdump in the client namespace; resolves once it is capturing, `done` with its output. */
export async function capture(
  filter: string,
  count: number,
  timeoutMs = 10_000,
): Promise<{ done: Promise<string> }> {
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
  const output = runToEnd(child, timeoutMs);
  await new Promise<void>((resolve) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) resolve();
    });
  });
  return { done: output };
}
