// The layer-2 data plane the speaker and standalone mode drive (issue 3): follows interfaces,
// keeps one InterfacePort per usable interface, pushes the owned tables into the addon (whose C
// thread answers ARP/NDP), announces gained IPs, turns C counters into metrics and watches for
// conflicts. All of it is I/O wiring; every decision lives in a pure module.

import { EventEmitter } from 'node:events';
import { CONFLICT_REPORT_INTERVAL_MS, LAYER2_COUNTER_SYNC_INTERVAL_MS } from '../config/defaults.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { Announcer, DEFAULT_TIMING } from './announcer.js';
import { detectConflict } from './classify.js';
import { ArpOperation } from './codec/index.js';
import { gratuitousArpFrame, unsolicitedAdvertisementFrame } from './frames.js';
import { DEFAULT_EXCLUDED_INTERFACES, type InterfaceState } from './interface-filter.js';
import { InterfaceWatcher, type LinkReader } from './interfaces.js';
import { Layer2Metrics } from './layer2-metrics.js';
import { PacketSocket, setResponderPriority } from './native.js';
import {
  addressesOn,
  announcementKey,
  canonicalOwned,
  diffKeys,
  type OwnedAddress,
  splitAnnouncementKey,
} from './ownership.js';
import { InterfacePort, type OpenPort } from './port.js';

/** How the data plane is started (the speaker's and standalone's wiring). */
export interface DataPlaneOptions {
  logger: Logger;
  /** Default MetalLB's list (L1). */
  excludeInterfaces?: readonly RegExp[];
  /** Standalone `interfaces:`; default all usable. */
  onlyInterfaces?: readonly string[];
  /** 0 = off (default, G8). */
  refreshIntervalMs?: number;
  onConflict?: (conflict: { ip: string; mac: string; interfaceName: string }) => void;
  /**
   * SCHED_FIFO priority (1–99) for the addon's responder threads; 0 or absent = normal scheduling.
   * Keeps reply latency near the kernel's on a loaded host; needs CAP_SYS_NICE (a warning and
   * normal scheduling without it). Measured in bench/l2.
   */
  responderPriority?: number;
}

/** One owned IP's advertisement scope: undefined interfaces = all selected (L13). */
export interface Announcement {
  readonly interfaces?: readonly string[];
}

/** Replaceable I/O for unit tests: sockets, the interface reader and the clock. */
export interface DataPlaneSeams {
  readonly openPort?: OpenPort;
  readonly readLinks?: LinkReader;
  readonly now?: () => number;
  readonly pollIntervalMs?: number;
  readonly setPriority?: (priority: number) => void;
}

/** The layer-2 data plane of one node. */
export class DataPlane extends EventEmitter<{ interfaces: [] }> {
  private readonly ports = new Map<string, InterfacePort>();
  private readonly metrics = new Layer2Metrics();
  private readonly lastConflictReport = new Map<string, number>();
  private readonly loggedOpenErrors = new Map<string, string>();
  private owned = new Map<string, OwnedAddress>();
  private keys = new Set<string>();
  private syncTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly announcer: Announcer;

  private constructor(
    private readonly options: DataPlaneOptions,
    private readonly watcher: InterfaceWatcher,
    private readonly seams: DataPlaneSeams,
  ) {
    super();
    this.announcer = new Announcer({
      timing: {
        ...DEFAULT_TIMING,
        refreshIntervalMs: options.refreshIntervalMs ?? DEFAULT_TIMING.refreshIntervalMs,
      },
      sendRound: (key) => this.sendRound(key),
      ownedKeys: () => [...this.keys],
      ...(seams.now ? { now: seams.now } : {}),
    });
  }

  /** Discovers interfaces and opens their sockets; nothing is answered until setAnnouncements. */
  static start(options: DataPlaneOptions): Promise<DataPlane> {
    return DataPlane.startWith(options, {});
  }

  /** start() with replaced I/O (unit tests only; netns tests use the real addon). */
  static async startWith(options: DataPlaneOptions, seams: DataPlaneSeams): Promise<DataPlane> {
    const watcher = await InterfaceWatcher.start({
      logger: options.logger,
      selection: {
        exclude: options.excludeInterfaces ?? DEFAULT_EXCLUDED_INTERFACES,
        ...(options.onlyInterfaces ? { only: options.onlyInterfaces } : {}),
      },
      // A fake link reader has no kernel to monitor: poll it only.
      ...(seams.readLinks ? { readLinks: seams.readLinks, changes: null } : {}),
      ...(seams.pollIntervalMs ? { intervalMs: seams.pollIntervalMs } : {}),
    });
    const plane = new DataPlane(options, watcher, seams);
    plane.applyPriority();
    watcher.on('change', () => {
      plane.reconcile();
      plane.emit('interfaces');
    });
    plane.reconcile();
    plane.syncTimer = setInterval(() => plane.syncCounters(), LAYER2_COUNTER_SYNC_INTERVAL_MS);
    plane.syncTimer.unref();
    return plane;
  }

  /** Replaces the owned IPs: gained ones are answered and announced, lost ones dropped (G7). */
  setAnnouncements(owned: ReadonlyMap<string, Announcement>): void {
    if (this.stopped) return;
    const { addresses, invalid } = canonicalOwned(owned);
    for (const ip of invalid) this.options.logger.error({ ip }, 'not an IP address; not announced');
    for (const ip of this.owned.keys()) if (!addresses.has(ip)) this.metrics.forget(ip);
    this.owned = addresses;
    this.reconcile();
  }

  /**
   * Hand-over (issue 5 item 3): stops gratuitous announcements but keeps answering requests, so
   * the next owner's announcements are the last word while this node still serves stragglers.
   */
  stopAnnouncing(): void {
    this.announcer.stop();
  }

  /** Every interface with what the data plane does on it. */
  interfaceStates(): readonly InterfaceState[] {
    return this.watcher.states();
  }

  /** Whether an interface (among `filter`, if given) is usable with its sockets open (Q10 eligibility). */
  hasHealthyInterface(filter?: readonly string[]): boolean {
    return [...this.ports.values()].some(
      (port) => port.isHealthy() && (filter === undefined || filter.includes(port.state.name)),
    );
  }

  /** Stops timers and closes every socket; the data plane answers nothing afterwards. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.watcher.stop();
    this.announcer.stop();
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncCounters();
    for (const port of this.ports.values()) port.close();
    this.ports.clear();
  }

  private applyPriority(): void {
    const priority = this.options.responderPriority ?? 0;
    if (priority === 0) return;
    try {
      (this.seams.setPriority ?? setResponderPriority)(priority);
      this.options.logger.info({ priority }, 'layer-2 responder threads run under SCHED_FIFO');
    } catch (error) {
      this.options.logger.warn(
        { priority, err: error },
        'cannot raise the responder priority (CAP_SYS_NICE?); normal scheduling',
      );
    }
  }

  private openPort(): OpenPort {
    return this.seams.openPort ?? ((name, protocol, onFrame) => PacketSocket.open(name, protocol, onFrame));
  }

  // Brings ports, tables, memberships and bursts in line with the interfaces and owned IPs.
  private reconcile(): void {
    if (this.stopped) return;
    const usable = new Map(
      this.watcher
        .states()
        .filter((state) => state.usable)
        .map((state) => [state.name, state]),
    );
    for (const [name, port] of this.ports) {
      const state = usable.get(name);
      if (state && JSON.stringify(state) === JSON.stringify(port.state)) continue;
      this.closePort(port);
    }
    for (const [name, state] of usable) if (!this.ports.has(name)) this.addPort(state);
    const keys = new Set<string>();
    for (const [name, port] of this.ports) this.applyTo(name, port, keys);
    const { gained, lost } = diffKeys(this.keys, keys);
    this.keys = keys;
    this.announcer.lost(lost);
    this.announcer.gained(gained);
  }

  private addPort(state: InterfaceState): void {
    const port = InterfacePort.open(state, this.openPort(), (name, frame) => this.onFrame(name, frame));
    // Retried every counter sync: log a failure once, not every second.
    const errors = port.errors.join('; ');
    if (errors !== '' && this.loggedOpenErrors.get(state.name) !== errors) {
      this.options.logger.error(
        { code: ErrorCode.native, interface: state.name, error: errors },
        'cannot open packet socket',
      );
    }
    this.loggedOpenErrors.set(state.name, errors);
    this.ports.set(state.name, port);
  }

  // A socket that failed to open (a race with the interface, a transient error) is retried.
  private retryFailedPorts(): void {
    const failed = [...this.ports.values()].filter((port) => port.errors.length > 0);
    if (failed.length === 0) return;
    for (const port of failed) this.closePort(port);
    this.reconcile();
  }

  private closePort(port: InterfacePort): void {
    for (const socket of port.sockets.values()) this.syncSocket(socket);
    port.close();
    this.ports.delete(port.state.name);
  }

  private applyTo(name: string, port: InterfacePort, keys: Set<string>): void {
    const ipv4 = port.has('arp') ? addressesOn(this.owned, name, 4) : [];
    const ipv6 = port.has('ipv6') ? addressesOn(this.owned, name, 6) : [];
    try {
      port.apply(ipv4, ipv6);
      for (const address of [...ipv4, ...ipv6]) keys.add(announcementKey(name, address.ip));
    } catch (error) {
      this.options.logger.error({ interface: name, err: error }, 'cannot update the owned table');
    }
  }

  // One gratuitous round for one IP on one interface: ARP request + reply (G5) or an NA (G6).
  private sendRound(key: string): void {
    const { interfaceName, ip } = splitAnnouncementKey(key);
    const port = this.ports.get(interfaceName);
    const address = this.owned.get(ip);
    if (!port || !address) return;
    const frames =
      address.family === 4
        ? [ArpOperation.request, ArpOperation.reply].map((operation) =>
            gratuitousArpFrame(operation, port.mac, address.bytes),
          )
        : [unsolicitedAdvertisementFrame(port.mac, address.bytes)];
    const socket = port.sockets.get(address.family === 4 ? 'arp' : 'ipv6');
    for (const frame of frames) {
      try {
        if (!socket) throw new Error('no socket');
        socket.send(frame);
        this.metrics.gratuitous(ip, true);
      } catch (error) {
        this.metrics.gratuitous(ip, false);
        this.options.logger.warn(
          { ip, interface: interfaceName, err: error },
          'gratuitous announcement not sent',
        );
      }
    }
  }

  private onFrame(interfaceName: string, frame: Uint8Array): void {
    const port = this.ports.get(interfaceName);
    if (!port) return;
    const localMacs = new Set([...this.ports.values()].map((other) => other.macText()));
    const conflict = detectConflict(frame, port.responderTable(), localMacs);
    if (!conflict) return;
    this.metrics.conflict(conflict.ip);
    const reportKey = `${conflict.ip}|${conflict.mac}`;
    const nowMs = this.seams.now?.() ?? performance.now();
    const last = this.lastConflictReport.get(reportKey);
    if (last !== undefined && nowMs - last < CONFLICT_REPORT_INTERVAL_MS) return;
    this.lastConflictReport.set(reportKey, nowMs);
    // One line per conflict: the shell's onConflict logs it (with what it knows), else this does.
    if (this.options.onConflict) this.options.onConflict({ ...conflict, interfaceName });
    else
      this.options.logger.warn(
        { event: 'ipConflict', ip: conflict.ip, mac: conflict.mac, interface: interfaceName },
        'another MAC claims an IP we announce',
      );
  }

  private syncCounters(): void {
    for (const port of this.ports.values())
      for (const socket of port.sockets.values()) this.syncSocket(socket);
    if (!this.stopped) this.retryFailedPorts();
  }

  private syncSocket(socket: Parameters<Layer2Metrics['sync']>[0]): void {
    try {
      this.metrics.sync(socket);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'cannot read layer-2 counters');
    }
  }
}
