// Follows the node's interfaces (I/O shell over interface-filter.ts): re-reads `ip -j` when
// `ip monitor` reports a change and every INTERFACE_POLL_INTERVAL_MS anyway, and emits 'change'
// when the selected set or any interface's health changes. A failed read keeps the last known
// states (Q11: one bad read never tears down healthy responders).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { promisify } from 'node:util';
import { INTERFACE_CHANGE_SETTLE_MS, INTERFACE_POLL_INTERVAL_MS } from '../config/defaults.js';
import type { Logger } from '../log.js';
import {
  type InterfaceSelection,
  type InterfaceState,
  type LinkInfo,
  parseIpJson,
  selectInterfaces,
} from './interface-filter.js';

const run = promisify(execFile);

/** Reads every link with its flags, master and IPv6 link-local presence. */
export type LinkReader = () => Promise<readonly LinkInfo[]>;

/** The default reader: two `ip -j` calls in the current network namespace. */
export const readLinksWithIp: LinkReader = async () => {
  const [links, addresses] = await Promise.all([
    run('ip', ['-j', '-d', 'link', 'show'], { maxBuffer: 16 * 1024 * 1024 }),
    run('ip', ['-j', '-6', 'addr', 'show', 'scope', 'link'], { maxBuffer: 16 * 1024 * 1024 }),
  ]);
  return parseIpJson(links.stdout, addresses.stdout);
};

/** Calls `onChange` whenever links or addresses may have changed; returns a stop function. */
export type ChangeSource = (onChange: () => void) => () => void;

// The monitor runs under a shell that waits on its stdin (our pipe): when this process exits, even
// by SIGKILL, the pipe closes, `read` returns and the trap ends `ip monitor`, so no orphan keeps
// listening (and keeps a deleted network namespace alive).
const MONITOR_SCRIPT = 'ip -o monitor link address & trap "kill $! 2>/dev/null" EXIT; read _';

/** The default change source: one long-lived `ip -o monitor link address`, restarted if it exits. */
export const ipMonitor: ChangeSource = (onChange) => {
  let child: ChildProcess | undefined;
  let isStopped = false;
  const start = (): void => {
    child = spawn('sh', ['-c', MONITOR_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdout?.on('data', () => onChange());
    child.on('error', () => undefined);
    child.on('exit', () => {
      if (!isStopped) setTimeout(start, INTERFACE_POLL_INTERVAL_MS).unref();
    });
    // A running monitor reports changes; it must not keep the process alive by itself.
    child.unref();
    for (const stream of [child.stdout, child.stdin])
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
  };
  start();
  return () => {
    isStopped = true;
    child?.stdin?.end();
  };
};

/** Options of the watcher; `readLinks` and `changes` are the seams unit tests replace. */
export interface InterfaceWatcherOptions {
  readonly logger: Logger;
  readonly selection: InterfaceSelection;
  readonly intervalMs?: number;
  readonly readLinks?: LinkReader;
  /** Default ipMonitor; null = poll only. */
  readonly changes?: ChangeSource | null;
}

function sameStates(left: readonly InterfaceState[], right: readonly InterfaceState[]): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

/** Discovers interfaces, then follows them; emits 'change' with the new states. */
export class InterfaceWatcher extends EventEmitter<{ change: [readonly InterfaceState[]] }> {
  private current: readonly InterfaceState[] = [];
  private links: readonly LinkInfo[] = [];
  private timer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private stopChanges: (() => void) | undefined;
  private polling = false;
  private isPollAgain = false;

  private constructor(private readonly options: InterfaceWatcherOptions) {
    super();
  }

  /** Reads the interfaces once (so states() is filled on return), then polls. */
  static async start(options: InterfaceWatcherOptions): Promise<InterfaceWatcher> {
    const watcher = new InterfaceWatcher(options);
    await watcher.poll();
    watcher.timer = setInterval(() => void watcher.poll(), options.intervalMs ?? INTERFACE_POLL_INTERVAL_MS);
    watcher.timer.unref();
    const changes = options.changes === undefined ? ipMonitor : options.changes;
    watcher.stopChanges = changes?.(() => watcher.changed());
    return watcher;
  }

  // Debounces a burst of monitor lines into one read.
  private changed(): void {
    if (this.settleTimer) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      void this.poll();
    }, INTERFACE_CHANGE_SETTLE_MS);
    this.settleTimer.unref();
  }

  /** The latest states, sorted by name. */
  states(): readonly InterfaceState[] {
    return this.current;
  }

  /** Every link seen by the last successful read (for the L2 "known interfaces" check). */
  knownLinks(): readonly LinkInfo[] {
    return this.links;
  }

  /** Reads now; resolves after any 'change' listeners ran. */
  async poll(): Promise<void> {
    if (this.polling) {
      // A change reported during a read may not be in it: read once more afterwards.
      this.isPollAgain = true;
      return;
    }
    this.polling = true;
    try {
      const links = await (this.options.readLinks ?? readLinksWithIp)();
      this.links = links;
      const next = selectInterfaces(links, this.options.selection);
      if (sameStates(next, this.current)) return;
      this.logChanges(next);
      this.current = next;
      this.emit('change', next);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'reading interfaces failed; keeping the last known state');
    } finally {
      this.polling = false;
    }
    if (this.isPollAgain) {
      this.isPollAgain = false;
      await this.poll();
    }
  }

  private logChanges(next: readonly InterfaceState[]): void {
    const before = new Map(this.current.map((state) => [state.name, state]));
    for (const state of next) {
      const previous = before.get(state.name);
      if (previous && JSON.stringify(previous) === JSON.stringify(state)) continue;
      const { name, usable, arp, ndp, up, skipReason } = state;
      this.options.logger.info({ interface: name, usable, arp, ndp, up, skipReason }, 'interface state');
    }
  }

  /** Stops polling. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.stopChanges?.();
    this.timer = undefined;
    this.settleTimer = undefined;
    this.stopChanges = undefined;
  }
}
