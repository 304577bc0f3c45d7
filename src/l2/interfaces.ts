// Follows the node's interfaces (I/O shell over interface-filter.ts): polls `ip -j` every second
// (INTERFACE_POLL_INTERVAL_MS; one poll costs ~8 ms of `ip` time here, measured) and emits
// 'change' when the selected set or any interface's health changes. A failed read keeps the last
// known states (Q11: one bad read never tears down healthy responders).
import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { promisify } from 'node:util';
import { INTERFACE_POLL_INTERVAL_MS } from '../config/defaults.js';
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

/** Options of the watcher; `readLinks` is the seam unit tests replace. */
export interface InterfaceWatcherOptions {
  readonly logger: Logger;
  readonly selection: InterfaceSelection;
  readonly intervalMs?: number;
  readonly readLinks?: LinkReader;
}

function sameStates(left: readonly InterfaceState[], right: readonly InterfaceState[]): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

/** Discovers interfaces, then follows them; emits 'change' with the new states. */
export class InterfaceWatcher extends EventEmitter<{ change: [readonly InterfaceState[]] }> {
  private current: readonly InterfaceState[] = [];
  private links: readonly LinkInfo[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  private constructor(private readonly options: InterfaceWatcherOptions) {
    super();
  }

  /** Reads the interfaces once (so states() is filled on return), then polls. */
  static async start(options: InterfaceWatcherOptions): Promise<InterfaceWatcher> {
    const watcher = new InterfaceWatcher(options);
    await watcher.poll();
    watcher.timer = setInterval(() => void watcher.poll(), options.intervalMs ?? INTERFACE_POLL_INTERVAL_MS);
    watcher.timer.unref();
    return watcher;
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
    if (this.polling) return;
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
    this.timer = undefined;
  }
}
