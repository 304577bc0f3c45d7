// Asynchronous probes from the lab's client (arping for IPv4, ndisc6 for IPv6: oracles nobody here
// wrote) and from inside node namespaces (curl for a speaker's /metrics). Async so many IPs are
// probed at once and the continuous checks keep running meanwhile. None of them throws.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAC_PATTERN = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/i;

/** Runs `program args` inside namespace `namespace`; resolves with exit status and stdout. */
export function runInNamespace(
  namespace: string,
  program: string,
  options: { args: readonly string[]; timeoutMs?: number; input?: Buffer },
): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', namespace, program, ...options.args], {
      stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.once('error', () => resolve({ status: -1, output }));
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, output });
    });
    if (options.input) child.stdin?.end(options.input);
  });
}

/** Whether `ip` is an IPv6 address (answered by NDP, not ARP). */
export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

function macsIn(output: string, marker: string): string[] {
  const macs = output
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => line.match(MAC_PATTERN)?.[1]?.toLowerCase())
    .filter((mac): mac is string => mac !== undefined);
  return [...new Set(macs)];
}

/** ndisc6 prints one such line per Neighbor Advertisement it receives. */
const NDISC6_ANSWER = 'Target link-layer address';

/**
 * Every distinct MAC answering for `ip` from the client: ARP within `count` requests 1 s apart, or
 * for IPv6 every NA to one multicast NS within 1 s (`ndisc6 -m`; resent up to `count` times while
 * nothing answers), so a second answering node shows up as a second MAC.
 */
export async function answeringMacs(clientNamespace: string, ip: string, count = 2): Promise<string[]> {
  if (isIPv6(ip)) {
    const result = await runInNamespace(clientNamespace, 'ndisc6', {
      args: ['-m', '-n', '-r', String(count), '-w', '1000', ip, 'eth0'],
      timeoutMs: (count + 5) * 1000,
    });
    return macsIn(result.output, NDISC6_ANSWER);
  }
  const result = await runInNamespace(clientNamespace, 'arping', {
    args: ['-i', 'eth0', '-c', String(count), '-w', String(count), ip],
    timeoutMs: (count + 5) * 1000,
  });
  return macsIn(result.output, 'bytes from');
}

/** The first MAC answering one ARP request or NS for `ip` (1 s wait), or undefined. */
export async function firstAnswer(clientNamespace: string, ip: string): Promise<string | undefined> {
  const result = isIPv6(ip)
    ? await runInNamespace(clientNamespace, 'ndisc6', {
        args: ['-1', '-n', '-r', '1', '-w', '1000', ip, 'eth0'],
        timeoutMs: 5_000,
      })
    : await runInNamespace(clientNamespace, 'arping', {
        args: ['-i', 'eth0', '-c', '1', '-C', '1', '-w', '1', ip],
        timeoutMs: 5_000,
      });
  return macsIn(result.output, isIPv6(ip) ? NDISC6_ANSWER : 'bytes from')[0];
}

/** A speaker's /metrics text, fetched from inside its namespace ('' when unreachable). */
export async function namespaceMetrics(namespace: string, port: number): Promise<string> {
  const result = await runInNamespace(namespace, 'curl', {
    args: ['-s', '-m', '3', `http://127.0.0.1:${port}/metrics`],
    timeoutMs: 6_000,
  });
  return result.status === 0 ? result.output : '';
}

/** Sum of every sample of `metric` whose label text contains each of `labelParts`. */
export function metricSum(text: string, metric: string, labelParts: readonly string[] = []): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (!labelParts.every((part) => line.includes(part))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** Resident set size of `pid` in KiB from /proc/<pid>/status, or undefined once it is gone. */
export function residentKib(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
