// The layer-2 data plane the speaker and standalone mode drive (issue 3): follows interfaces,
// keeps one InterfacePort per usable interface, pushes the owned tables into the addon (whose C
// thread answers ARP/NDP), announces gained IPs, turns C counters into metrics and watches for
// conflicts. All of it is I/O wiring; every decision lives in a pure module.

import { EventEmitter } from 'node:events';
import { HANDOVER_SETTLE_MS, LAYER2_PORT_RETRY_INTERVAL_MS } from '../config/defaults.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { beforeScrape } from '../metrics/registry.js';
import { Announcer, DEFAULT_TIMING } from './announcer.js';
import { ClaimWatch } from './claims.js';
import { detectConflict } from './classify.js';
import { sendGratuitousRound } from './gratuitous.js';
import { DEFAULT_EXCLUDED_INTERFACES, type InterfaceState } from './interface-filter.js';
import { InterfaceWatcher, type LinkReader } from './interfaces.js';
import { Layer2Metrics } from './layer2-metrics.js';
import { PacketSocket } from './native.js';
import {
  addressesOn,
  announcementKey,
  canonicalOwned,
  diffKeys,
  type OwnedAddress,
  splitAnnouncementKey,
} from './ownership.js';
import { InterfacePort, type OpenPort } from './port.js';
import { applyResponderSettings } from './responder-settings.js';

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
  /** Answers per second and burst of each socket (issue 12 #11); default LAYER2_REPLY_*; perSecond 0 = no limit. */
  replyRateLimit?: { readonly perSecond: number; readonly burst: number };
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
  readonly setReplyRateLimit?: (perSecond: number, burst: number) => void;
}

/** The layer-2 data plane of one node. */
export class DataPlane extends EventEmitter<{ interfaces: [] }> {
  private readonly ports = new Map<string, InterfacePort>();
  private readonly metrics = new Layer2Metrics();
  private readonly claims = new ClaimWatch();
  private readonly loggedOpenErrors = new Map<string, string>();
  private owned = new Map<string, OwnedAddress>();
  private keys = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private stopSyncOnScrape: (() => void) | undefined;
  private stopped = false;
  private handingOver = false;
  /** Until then (monotonic ms) the election may be moving IPs: claims are a hand-over. */
  private handOverUntilMs = Number.NEGATIVE_INFINITY;
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
      onPause: (lateMs) => this.reassert('paused', { lateMs }),
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
    applyResponderSettings(options, seams, options.logger);
    watcher.on('change', () => {
      plane.reconcile();
      plane.emit('interfaces');
    });
    plane.reconcile();
    plane.stopSyncOnScrape = beforeScrape(() => plane.syncCounters());
    return plane;
  }

  /** Replaces the owned IPs: gained ones are answered and announced, lost ones dropped (G7). */
  setAnnouncements(owned: ReadonlyMap<string, Announcement>): void {
    if (this.stopped) return;
    const { addresses, invalid } = canonicalOwned(owned);
    for (const ip of invalid) this.options.logger.error({ ip }, 'not an IP address; not announced');
    const lost = [...this.owned.keys()].filter((ip) => !addresses.has(ip));
    // Counters are copied at scrape time: take in what a lost IP counted, or the next scrape would
    // bring back the series just deleted (M5).
    if (lost.length > 0) this.syncCounters();
    for (const ip of lost) this.metrics.forget(ip);
    this.owned = addresses;
    this.reconcile();
  }

  /**
   * Hand-over (issue 5 item 3): stops gratuitous announcements but keeps answering requests, so
   * the next owner's announcements are the last word while this node still serves stragglers.
   */
  stopAnnouncing(): void {
    this.handingOver = true;
    this.announcer.stop();
  }

  /**
   * The election is moving IPs (a member left, died, returned or joined; this node gained or lost
   * an IP): for HANDOVER_SETTLE_MS, another speaker answering for our IPs — the old owner inside its
   * grace period, a peer not yet re-elected — is a hand-over, not a conflict (issue 12 #12).
   */
  expectHandOver(): void {
    this.handOverUntilMs = this.now() + HANDOVER_SETTLE_MS;
  }

  /**
   * DESIGN "Ownership is re-asserted": announces owned IPs again (all, or `only` these) with a
   * full burst, because this node may not have been the last to announce them: it was paused,
   * refuted its own death, saw a peer return or another MAC claim its IP.
   */
  reassert(reason: string, details: { only?: readonly string[]; lateMs?: number } = {}): void {
    if (this.stopped || this.handingOver) return;
    const { only } = details;
    const keys = [...this.keys].filter((key) => !only || only.includes(splitAnnouncementKey(key).ip));
    if (keys.length === 0) return;
    const ips = [...new Set(keys.map((key) => splitAnnouncementKey(key).ip))];
    this.options.logger.info(
      { ips, reason, ...details },
      'announcing owned IPs again (ownership re-asserted)',
    );
    this.announcer.reassert(keys);
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
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.stopSyncOnScrape?.();
    this.syncCounters();
    for (const port of this.ports.values()) port.close();
    this.ports.clear();
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
    this.claims.lost(lost.map((key) => splitAnnouncementKey(key).ip));
    this.armPortRetry();
  }

  // A timer only while a socket failed to open: a standing one woke an idle speaker every second.
  private armPortRetry(): void {
    const failed = [...this.ports.values()].some((port) => port.errors.length > 0);
    if (failed && !this.retryTimer) {
      this.retryTimer = setInterval(() => this.retryFailedPorts(), LAYER2_PORT_RETRY_INTERVAL_MS);
      this.retryTimer.unref();
    } else if (!failed && this.retryTimer) {
      clearInterval(this.retryTimer);
      this.retryTimer = undefined;
    }
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
    if (this.stopped) return;
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
    if (port && address)
      sendGratuitousRound(port, address, { metrics: this.metrics, logger: this.options.logger });
  }

  // DESIGN "Conflict detection": a claim by another MAC is re-asserted (the election decides who
  // owns an IP, never a standing conflict); only a claim outside any hand-over is a conflict.
  private onFrame(interfaceName: string, frame: Uint8Array): void {
    const port = this.ports.get(interfaceName);
    if (!port) return;
    const localMacs = new Set([...this.ports.values()].map((other) => other.macText()));
    const claim = detectConflict(frame, port.responderTable(), localMacs);
    if (!claim) return;
    const nowMs = this.now();
    const decision = this.claims.decide(claim, {
      nowMs,
      handingOver: this.handingOver,
      settling: nowMs < this.handOverUntilMs,
    });
    const fields = { ip: claim.ip, mac: claim.mac, interface: interfaceName };
    if (decision.kind === 'conflict') this.metrics.conflict(claim.ip);
    if (decision.report && decision.kind === 'handover') {
      this.options.logger.info(fields, 'another speaker answers for an IP we announce while ownership moves');
    } else if (decision.report) {
      // One line per conflict: the shell's onConflict logs it (with what it knows), else this does.
      if (this.options.onConflict) this.options.onConflict({ ...claim, interfaceName });
      else
        this.options.logger.warn({ event: 'ipConflict', ...fields }, 'another MAC claims an IP we announce');
    }
    const key = announcementKey(interfaceName, claim.ip);
    if (!decision.reassert || !this.keys.has(key)) return;
    this.options.logger.debug(fields, 'answering a claim with one gratuitous round');
    this.sendRound(key);
  }

  private now(): number {
    return this.seams.now?.() ?? performance.now();
  }

  private syncCounters(): void {
    for (const port of this.ports.values())
      for (const socket of port.sockets.values()) this.syncSocket(socket);
  }

  private syncSocket(socket: Parameters<Layer2Metrics['sync']>[0]): void {
    try {
      this.metrics.sync(socket);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'cannot read layer-2 counters');
    }
  }
}
