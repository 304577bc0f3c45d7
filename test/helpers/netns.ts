// Network-namespace helpers for tests that need the real kernel. Every namespace a test makes
// carries a prefix so a later run can sweep what a crashed run left behind.
import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';

/** Prefix of every namespace and bridge the tests create. */
export const NETNS_PREFIX = 'flb';

/** Runs `ip` (or any program) on the host and returns stdout; throws with stderr on failure. */
export function sh(program: string, args: readonly string[]): string {
  return execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a program inside namespace `ns`. */
export function inNs(ns: string, program: string, args: readonly string[]): string {
  return sh('ip', ['netns', 'exec', ns, program, ...args]);
}

/** Like inNs but never throws: returns exit status and output. */
export function tryInNs(
  ns: string,
  program: string,
  args: readonly string[],
): { status: number; output: string } {
  try {
    return { status: 0, output: inNs(ns, program, args) };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Starts a long-running program inside namespace `ns`. */
export function spawnInNs(
  ns: string,
  program: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, program, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
}

/** Deletes every namespace whose name starts with `prefix` (leftovers of a crashed run). */
export function sweepNamespaces(prefix: string): void {
  const names = sh('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
  for (const name of names) {
    try {
      sh('ip', ['netns', 'del', name]);
    } catch {
      // Already gone: another sweep or the kernel removed it.
    }
  }
}

/** Creates a namespace with loopback up. */
export function createNamespace(name: string): void {
  sh('ip', ['netns', 'add', name]);
  inNs(name, 'ip', ['link', 'set', 'lo', 'up']);
}

/**
 * Links namespace `ns` to a bridge living in namespace `bridgeNs` with a veth named `eth0` on the
 * `ns` side (a name MetalLB's default exclusion list does not skip). Returns eth0's MAC.
 */
export function attachToBridge(options: {
  ns: string;
  bridgeNs: string;
  bridge: string;
  hostSide: string;
}): string {
  const { ns, bridgeNs, bridge, hostSide } = options;
  inNs(bridgeNs, 'ip', ['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  inNs(bridgeNs, 'ip', ['link', 'set', hostSide, 'master', bridge, 'up']);
  inNs(ns, 'ip', ['link', 'set', 'eth0', 'up']);
  return macOf(ns, 'eth0');
}

/** Creates a bridge inside `bridgeNs` (itself created if missing). */
export function createBridge(bridgeNs: string, bridge: string): void {
  inNs(bridgeNs, 'ip', ['link', 'add', bridge, 'type', 'bridge']);
  // Forward at once: no STP learning delay in a lab.
  inNs(bridgeNs, 'ip', ['link', 'set', bridge, 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0']);
  inNs(bridgeNs, 'ip', ['link', 'set', bridge, 'up']);
}

/** The MAC address of `ifname` in namespace `ns`. */
export function macOf(ns: string, ifname: string): string {
  const link = JSON.parse(inNs(ns, 'ip', ['-j', 'link', 'show', ifname])) as { address: string }[];
  return link[0]?.address ?? '';
}

/** Whether this process may create namespaces (root with CAP_SYS_ADMIN). */
export function canUseNamespaces(): boolean {
  try {
    const probe = `${NETNS_PREFIX}-probe-${process.pid}`;
    sh('ip', ['netns', 'add', probe]);
    sh('ip', ['netns', 'del', probe]);
    return true;
  } catch {
    return false;
  }
}
