// Typed binding of the ferrolb_packet addon (native/): AF_PACKET sockets whose ARP / NS replies
// are built and sent by the addon's C threads (one per CPU) from an owned-address table
// (DESIGN "Data plane"), so no JS runs on the reply path; and rtnetlink (links, addresses, their
// change events, table local routes) so the daemons run no `ip` command (issue 11); and a source
// address socket filter for the gossip port (issue 12 #6). This file is the only importer of native/.
import { createRequire } from 'node:module';
import { ErrorCode, NativeError } from '../errors.js';
import type { NetlinkDump } from './link-dump.js';

/** Which frames a socket carries: ARP (EtherType 0x0806) or ICMPv6 NS/NA (0x86DD). */
export type PacketProtocol = 'arp' | 'ipv6';

/** Why the hot path did not answer a frame: the same names as src/l2/classify.ts DropReason (the specification). */
export const dropReasons = [
  'malformed',
  'etherType',
  'arpFormat',
  'arpReply',
  'ethernetDestination',
  'announceIP',
  'messageType',
  'hopLimit',
  'checksum',
  'ipDestination',
  'dadWithSourceLL',
  'sourceMac',
  // Not a classify verdict: an answer the socket's token bucket had no token for (issue 12 #11).
  'rateLimited',
] as const;
export type DropReason = (typeof dropReasons)[number];

/** What one socket answers for: its interface MAC and the owned IPs as raw bytes (4 or 16 each). */
export interface OwnedTable {
  readonly mac: Uint8Array;
  readonly ipv4: readonly Uint8Array[];
  readonly ipv6: readonly Uint8Array[];
}

/** The C hot path's decision for one frame; `reply` is the exact frame it would send. */
export type NativeVerdict =
  | { readonly verdict: 'answer'; readonly reply: Buffer }
  | { readonly verdict: 'drop'; readonly reason: DropReason };

/** Per owned IP (MetalLB M5): requests that passed every check, and replies the kernel accepted. */
export interface AddressCounters {
  readonly ip: string;
  readonly requestsReceived: number;
  readonly responsesSent: number;
}

/**
 * Reply latency from the kernel's receive timestamp to the reply's send returning (so it includes
 * the lane thread's wake-up), as per-bucket (not cumulative) counts.
 */
export interface LatencyHistogram {
  /** Upper bounds of all buckets but the last, in microseconds; counts has one more (+Inf). */
  readonly boundsMicros: readonly number[];
  readonly counts: readonly number[];
  readonly sumSeconds: number;
  readonly count: number;
}

/** Every counter of one socket; all are monotonic for the socket's lifetime. */
export interface PacketCounters {
  readonly addresses: readonly AddressCounters[];
  readonly drops: Readonly<Record<DropReason, number>>;
  readonly latency: LatencyHistogram;
  readonly framesReceived: number;
  readonly receiveErrors: number;
  readonly sendFailures: number;
  /** Frames claiming an owned address handed to onFrame (conflict detection). */
  readonly framesForwarded: number;
  /** Such frames dropped because the JS queue was full (a busy main thread under a flood). */
  readonly forwardDropped: number;
  /** Frames the kernel dropped before a C thread read them (PACKET_STATISTICS: receive buffer full). */
  readonly kernelDrops: number;
  /** Frames of devices stacked on this interface (VLAN, macvlan) that the kernel also delivered; ignored. */
  readonly otherInterface: number;
  /** Frames the kernel marked for another host: tagged for a VLAN without a device here (never answered). */
  readonly otherHost: number;
}

/** Called on the JS thread with frames that claim an owned address from another MAC. */
export type FrameListener = (interfaceName: string, frame: Buffer) => void;

type Handle = { readonly brand: 'ferrolb-packet-socket' };
type WatchHandle = { readonly brand: 'ferrolb-netlink-watch' };
type ProbeHandle = { readonly brand: 'ferrolb-gossip-probe' };

/** One route of table local as RTM_GETROUTE reports it (native/netlink_route.c). */
export interface LocalTableRoute {
  readonly destination: string;
  readonly family: 4 | 6;
  readonly prefixLength: number;
  /** rtm_protocol: 2 = kernel, 4 = static (ip route add), ferrolb's own number… */
  readonly protocol: number;
  /** rtm_type: 2 = local, 3 = broadcast. */
  readonly type: number;
  readonly interfaceIndex?: number;
}

interface Addon {
  openSocket(interfaceName: string, protocol: PacketProtocol, onFrame?: FrameListener): Handle;
  setOwned(handle: Handle, table: OwnedTable): void;
  send(handle: Handle, frame: Uint8Array): void;
  addMembership(handle: Handle, mac: Uint8Array): void;
  dropMembership(handle: Handle, mac: Uint8Array): void;
  counters(handle: Handle): PacketCounters;
  close(handle: Handle): void;
  classifyFrame(frame: Uint8Array, table: OwnedTable, protocol: PacketProtocol): NativeVerdict;
  setResponderPriority(priority: number): void;
  setReplyRateLimit(perSecond: number, burst: number): void;
  readonly dropReasons: readonly string[];
  readLinks(): NetlinkDump;
  watchLinks(onChange: () => void): WatchHandle;
  unwatchLinks(handle: WatchHandle): void;
  readRoutes(): LocalTableRoute[];
  addRoute(ip: string, protocol: number): void;
  deleteRoute(ip: string, protocol: number): boolean;
  setSourceFilter(fd: number, addresses: readonly Uint8Array[] | null): void;
  socketDrops(fd: number): number;
  readonly sourceFilterLimit: number;
  probeOpen(options: ProbeSocketOptions, onEvent: (event: ProbeEvent) => void): ProbeHandle;
  probeSend(handle: ProbeHandle, packet: Uint8Array, address: string, port: number): boolean;
  probeSetTargets(handle: ProbeHandle, targets: readonly ProbeTarget[]): void;
  probeSetAllowed(handle: ProbeHandle, allowed: readonly { name: string; address: string }[] | null): void;
  probeConfigure(handle: ProbeHandle, intervalMs: number, timeoutMs: number, reportAcks: boolean): void;
  probeInfo(handle: ProbeHandle): ProbeCounters;
  probeClose(handle: ProbeHandle): void;
}

/** Path of the built addon, relative to this file in src/l2 and in dist/l2 alike. */
const addonPath = '../../native/build/Release/ferrolb_packet.node';
let loaded: Addon | undefined;

function addon(): Addon {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)(addonPath) as Addon;
  } catch (error) {
    throw new NativeError(
      ErrorCode.native,
      `native addon ${addonPath} failed to load (build it with \`npm run install\`): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return loaded;
}

/** A NativeError with the errno name (EPERM, ENODEV…; ERR_INVALID_ARG_TYPE for bad arguments) and its interface. */
export class PacketSocketError extends NativeError {
  constructor(
    message: string,
    readonly errno: string,
    readonly interfaceName: string,
    options?: ErrorOptions,
  ) {
    super(ErrorCode.native, message, options);
  }
}

// Addon errors carry `code` (errno name or ERR_INVALID_ARG_TYPE); both become one error class.
function wrap<T>(interfaceName: string, operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    const failure = error as Error & { code?: string };
    throw new PacketSocketError(failure.message, failure.code ?? 'EUNKNOWN', interfaceName, { cause: error });
  }
}

/** One AF_PACKET socket on one interface; the addon's C threads answer on it from the owned table. */
export class PacketSocket {
  private isClosed = false;

  private constructor(
    readonly interfaceName: string,
    readonly protocol: PacketProtocol,
    private readonly handle: Handle,
  ) {}

  /**
   * Opens a socket (needs CAP_NET_RAW). Until setOwned is called nothing is answered. `onFrame`
   * receives frames claiming an owned address (ARP from another MAC, NA for an owned target); while
   * a socket with a listener is open it keeps the process alive, like a listening server.
   */
  static open(interfaceName: string, protocol: PacketProtocol, onFrame?: FrameListener): PacketSocket {
    const native = addon();
    const handle = wrap(interfaceName, () => native.openSocket(interfaceName, protocol, onFrame));
    return new PacketSocket(interfaceName, protocol, handle);
  }

  /** Replaces the owned table atomically; counters of IPs seen before are kept. */
  setOwned(table: OwnedTable): void {
    wrap(this.interfaceName, () => addon().setOwned(this.handle, table));
  }

  /** Sends one whole Ethernet frame (GARP, unsolicited NA); throws on any send error. */
  send(frame: Uint8Array): void {
    wrap(this.interfaceName, () => addon().send(this.handle, frame));
  }

  /** Joins a multicast MAC group (solicited-node 33:33:ff:xx:xx:xx for an owned IPv6 address). */
  addMembership(mac: Uint8Array): void {
    wrap(this.interfaceName, () => addon().addMembership(this.handle, mac));
  }

  /** Leaves a multicast MAC group joined with addMembership. */
  dropMembership(mac: Uint8Array): void {
    wrap(this.interfaceName, () => addon().dropMembership(this.handle, mac));
  }

  /** Counters and the reply-latency histogram kept by the C threads (still readable after close). */
  counters(): PacketCounters {
    return wrap(this.interfaceName, () => addon().counters(this.handle));
  }

  /** Whether close has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Closes the socket; idempotent. The C threads stop when the instance's last socket closes. */
  close(): void {
    this.isClosed = true;
    addon().close(this.handle);
  }
}

/**
 * Runs the C hot path's decision and reply builder on one frame without a socket: the
 * differential test holds it to src/l2/classify.ts (the specification).
 */
export function classifyFrame(frame: Uint8Array, table: OwnedTable, protocol: PacketProtocol): NativeVerdict {
  return wrap('(none)', () => addon().classifyFrame(frame, table, protocol));
}

/**
 * Runs this thread's (worker's) responder threads under SCHED_FIFO at `priority` (1–99), or the
 * fair class with the shortest slice (0, the default). On a heavily loaded host this keeps reply
 * latency near the kernel's (a woken thread otherwise waits for a CPU); it needs CAP_SYS_NICE
 * (EPERM otherwise), and a flood can then take up to the kernel's real-time share (95%) of a CPU.
 */
export function setResponderPriority(priority: number): void {
  wrap('(responder lanes)', () => addon().setResponderPriority(priority));
}

/**
 * Limits every socket's answers to `perSecond` (0: no limit) with bursts of `burst`; each socket
 * (interface and protocol) has its own bucket. Answers over the limit count as `rateLimited` drops.
 */
export function setReplyRateLimit(perSecond: number, burst: number): void {
  wrap('(responder lanes)', () => addon().setReplyRateLimit(perSecond, burst));
}

/** The drop reasons the loaded addon reports, for a test to pin against dropReasons. */
export function nativeDropReasons(): readonly string[] {
  return addon().dropReasons;
}

/** Links and addresses of this network namespace (one RTM_GETLINK and one RTM_GETADDR dump). */
export function readNetlinkDump(): NetlinkDump {
  return wrap('(all)', () => addon().readLinks());
}

/**
 * Calls `onChange` on this thread whenever the kernel reports a link or address change
 * (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR) or a missed notification; returns an
 * idempotent stop function. The subscription never keeps the process alive by itself.
 */
export function watchNetlink(onChange: () => void): () => void {
  const native = addon();
  const handle = wrap('(all)', () => native.watchLinks(onChange));
  return () => native.unwatchLinks(handle);
}

/** Every route of table local (both families), whoever owns it. */
export function readLocalTableRoutes(): LocalTableRoute[] {
  return wrap('lo', () => addon().readRoutes());
}

/**
 * Adds `local ip dev lo table local proto protocol` with NLM_F_CREATE | NLM_F_EXCL: a
 * PacketSocketError with errno EEXIST when table local already has a route for ip.
 */
export function addLocalTableRoute(ip: string, protocol: number): void {
  wrap('lo', () => addon().addRoute(ip, protocol));
}

/** Deletes the local route for ip only if it carries `protocol`; false when there was none. */
export function deleteLocalTableRoute(ip: string, protocol: number): boolean {
  return wrap('lo', () => addon().deleteRoute(ip, protocol));
}

/**
 * Classic BPF filter on a UDP socket: only datagrams from `addresses` (4 or 16 bytes each, at most
 * sourceFilterLimit()) reach it, the rest are dropped in the kernel; null or [] accepts all.
 */
export function setSourceFilter(fd: number, addresses: readonly Uint8Array[] | null): void {
  wrap('(gossip)', () => addon().setSourceFilter(fd, addresses));
}

/** Datagrams the kernel dropped on a socket (filter verdicts and a full receive buffer). */
export function socketDrops(fd: number): number {
  return wrap('(gossip)', () => addon().socketDrops(fd));
}

/** The most addresses setSourceFilter accepts (native/socket_filter.h). */
export function sourceFilterLimit(): number {
  return addon().sourceFilterLimit;
}

/** What the compact-probe thread needs (native/gossip_probe.h); `key` is the derived AES-256 key. */
export interface ProbeSocketOptions {
  readonly address: string;
  readonly port: number;
  readonly name: string;
  readonly key: Uint8Array | null;
  /** This life's epoch (wall-clock ms and 8 random bytes), as in every JSON packet. */
  readonly boot: number;
  readonly id: Uint8Array;
  /** A sender's epoch silent this long may be replaced by any other (freshness). */
  readonly silenceMs: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** A member the thread pings. */
export interface ProbeTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

/**
 * What the thread hands to JS: every datagram that is not a compact probe, a probe unanswered
 * after the timeout (`missed`) and its ack if it still comes before the round ends (`lateAck`),
 * acks while `reportAcks` is on, its own late timer, and a compact ping from a non-target.
 */
export type ProbeEvent =
  | { readonly kind: 'datagram'; readonly packet: Buffer; readonly address: string; readonly port: number }
  | { readonly kind: 'missed' | 'lateAck' | 'acked'; readonly name: string; readonly sequence: number }
  | { readonly kind: 'lateTick'; readonly lateMs: number }
  | { readonly kind: 'stranger'; readonly name: string; readonly address: string; readonly port: number };

/** Compact-probe packets only (the JSON ones are counted by the engine); fd is -1 once closed. */
export interface ProbeCounters {
  readonly fd: number;
  readonly port: number;
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  readonly drops: Readonly<Record<string, number>>;
}

/**
 * The gossip UDP socket, owned by a C thread that runs the compact probes (issue 14: no JS wakes
 * for a healthy member's probe). Every other datagram reaches `onEvent` unchanged.
 */
export class ProbeSocket {
  // No closed flag here: the addon's handle knows it, and every call on a closed one does nothing.
  private constructor(private readonly handle: ProbeHandle) {}

  /** Binds the socket and starts the thread; throws (code EADDRINUSE etc.) if the bind fails. */
  static open(options: ProbeSocketOptions, onEvent: (event: ProbeEvent) => void): ProbeSocket {
    return new ProbeSocket(wrap('(gossip)', () => addon().probeOpen(options, onEvent)));
  }

  /** Sends one datagram; false when the kernel refused it (gossip treats loss as loss). */
  send(packet: Uint8Array, address: string, port: number): boolean {
    return addon().probeSend(this.handle, packet, address, port);
  }

  setTargets(targets: readonly ProbeTarget[]): void {
    wrap('(gossip)', () => addon().probeSetTargets(this.handle, targets));
  }

  /** Who may send compact probes, by name and address; null admits any (keyed: any key holder). */
  setAllowed(allowed: readonly { name: string; address: string }[] | null): void {
    wrap('(gossip)', () => addon().probeSetAllowed(this.handle, allowed));
  }

  /** The probe round and ack timeout (Lifeguard-scaled), and whether acks are reported. */
  configure(intervalMs: number, timeoutMs: number, reportAcks: boolean): void {
    addon().probeConfigure(this.handle, intervalMs, timeoutMs, reportAcks);
  }

  counters(): ProbeCounters {
    return addon().probeInfo(this.handle);
  }

  /** Stops the thread and closes the socket; idempotent. */
  close(): void {
    addon().probeClose(this.handle);
  }
}
