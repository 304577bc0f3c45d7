// One selected interface's sockets (I/O shell): an ARP socket if the interface does ARP, an IPv6
// socket if it does NDP, each with the owned table the addon's C threads answer from and, for
// IPv6, the solicited-node memberships of the owned addresses (L12, Q12).

import type { ResponderTable } from './classify.js';
import { formatMac, parseMac } from './codec/index.js';
import type { InterfaceState } from './interface-filter.js';
import type { FrameListener, OwnedTable, PacketCounters, PacketProtocol } from './native.js';
import { type OwnedAddress, solicitedNodeGroups } from './ownership.js';

/** What the data plane needs of a packet socket: src/l2/native.ts PacketSocket, or a fake in unit tests. */
export interface PacketPort {
  setOwned(table: OwnedTable): void;
  send(frame: Uint8Array): void;
  addMembership(mac: Uint8Array): void;
  dropMembership(mac: Uint8Array): void;
  counters(): PacketCounters;
  close(): void;
}

/** Opens a socket on `interfaceName`; throws (NativeError) when it cannot. */
export type OpenPort = (
  interfaceName: string,
  protocol: PacketProtocol,
  onFrame: FrameListener,
) => PacketPort;

function sameSet(left: ReadonlySet<string>, right: ReadonlySet<string>): boolean {
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/** The sockets and table of one interface. */
export class InterfacePort {
  readonly sockets = new Map<PacketProtocol, PacketPort>();
  readonly errors: string[] = [];
  private table: ResponderTable;
  private groups = new Map<string, Uint8Array>();
  private isPushed = false;

  private constructor(
    readonly state: InterfaceState,
    readonly mac: Uint8Array,
  ) {
    this.table = { mac, ipv4: new Set(), ipv6: new Set() };
  }

  /** Opens the sockets `state` calls for; a socket that fails to open is recorded in `errors`. */
  static open(state: InterfaceState, openPort: OpenPort, onFrame: FrameListener): InterfacePort {
    const port = new InterfacePort(state, parseMac(state.mac) ?? new Uint8Array(6));
    const wanted: PacketProtocol[] = [
      ...(state.arp ? ['arp' as const] : []),
      ...(state.ndp ? ['ipv6' as const] : []),
    ];
    for (const protocol of wanted) {
      try {
        port.sockets.set(protocol, openPort(state.name, protocol, onFrame));
      } catch (error) {
        port.errors.push(`${protocol}: ${(error as Error).message}`);
      }
    }
    return port;
  }

  /** The table the responder answers from (for conflict detection on this interface). */
  responderTable(): ResponderTable {
    return this.table;
  }

  /** Whether every socket this interface needs is open. */
  isHealthy(): boolean {
    return this.errors.length === 0 && this.sockets.size > 0;
  }

  /** Pushes the owned IPs allowed here into the addon and joins or leaves solicited-node groups. */
  apply(ipv4: readonly OwnedAddress[], ipv6: readonly OwnedAddress[]): void {
    const arp = this.sockets.get('arp');
    const ndp = this.sockets.get('ipv6');
    const owned = arp ? ipv4 : [];
    const ownedV6 = ndp ? ipv6 : [];
    const previous = this.table;
    this.table = {
      mac: this.mac,
      ipv4: new Set(owned.map((address) => address.ip)),
      ipv6: new Set(ownedV6.map((address) => address.ip)),
    };
    // The speaker reconciles often with nothing changed: skip the table swaps then.
    if (this.isPushed && sameSet(previous.ipv4, this.table.ipv4) && sameSet(previous.ipv6, this.table.ipv6))
      return;
    this.isPushed = true;
    arp?.setOwned({ mac: this.mac, ipv4: owned.map((address) => address.bytes), ipv6: [] });
    if (!ndp) return;
    // Join before the table lists the address, leave after it no longer does: no window in which
    // an owned address misses its multicast solicitations.
    const groups = solicitedNodeGroups(ownedV6);
    for (const [key, mac] of groups) if (!this.groups.has(key)) ndp.addMembership(mac);
    ndp.setOwned({ mac: this.mac, ipv4: [], ipv6: ownedV6.map((address) => address.bytes) });
    for (const [key, mac] of this.groups) if (!groups.has(key)) ndp.dropMembership(mac);
    this.groups = groups;
  }

  /** Whether `protocol`'s socket is open here. */
  has(protocol: PacketProtocol): boolean {
    return this.sockets.has(protocol);
  }

  /** The interface MAC as text. */
  macText(): string {
    return formatMac(this.mac);
  }

  /** Closes every socket (idempotent). */
  close(): void {
    for (const socket of this.sockets.values()) socket.close();
    this.sockets.clear();
  }
}
