// Follows the node's interfaces (I/O shell over interface-filter.ts): re-reads them with one
// rtnetlink dump (native/) when the kernel reports a link or address change, and every
// INTERFACE_POLL_INTERVAL_MS as a safety net, and emits 'change' when the selected set or any
// interface's health changes. A failed read keeps the last known states (Q11: one bad read never
// tears down healthy responders). No child process: the runtime image needs no iproute2 (issue 11).
import { EventEmitter } from 'node:events';
import { INTERFACE_CHANGE_SETTLE_MS, INTERFACE_POLL_INTERVAL_MS } from '../config/defaults.js';
import type { Logger } from '../log.js';
import {
  type InterfaceSelection,
  type InterfaceState,
  type LinkInfo,
  selectInterfaces,
} from './interface-filter.js';
import { linksFromDump } from './link-dump.js';
import { readNetlinkDump, watchNetlink } from './native.js';

/** Reads every link with its flags, master and addresses. */
export type LinkReader = () => Promise<readonly LinkInfo[]>;

/** The default reader: an RTM_GETLINK and an RTM_GETADDR dump of the current network namespace. */
export const readLinksWithNetlink: LinkReader = async () => linksFromDump(readNetlinkDump());

/** Calls `onChange` whenever links or addresses may have changed; returns a stop function. */
export type ChangeSource = (onChange: () => void) => () => void;

/**
 * The default change source: the kernel's link and address notifications (and any overrun of
 * them). The subscription does not keep the process alive and closes on stop.
 */
export const netlinkChanges: ChangeSource = (onChange) => watchNetlink(onChange);

/** Options of the watcher; `readLinks` and `changes` are the seams unit tests replace. */
export interface InterfaceWatcherOptions {
  readonly logger: Logger;
  readonly selection: InterfaceSelection;
  readonly intervalMs?: number;
  readonly readLinks?: LinkReader;
  /** Default netlinkChanges; null = poll only. */
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
    const changes = options.changes === undefined ? netlinkChanges : options.changes;
    watcher.stopChanges = changes?.(() => watcher.changed());
    return watcher;
  }

  // Debounces a burst of notifications (link, then its addresses) into one read.
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
      const links = await (this.options.readLinks ?? readLinksWithNetlink)();
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
