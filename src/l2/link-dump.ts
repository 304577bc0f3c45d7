// Turns the addon's rtnetlink dump (RTM_GETLINK + RTM_GETADDR, native/netlink_binding.c) into the
// LinkInfo the interface selection reads. Pure: the numbers are the kernel's UAPI values
// (linux/if.h IFF_*, linux/if_link.h IF_OPER_*, linux/rtnetlink.h RT_SCOPE_*).
import { formatMac } from './codec/index.js';
import type { LinkAddress, LinkInfo } from './interface-filter.js';

/** One RTM_NEWLINK message as the addon reports it. */
export interface NetlinkLink {
  readonly index: number;
  readonly name: string;
  /** ifi_flags: IFF_* bits, IFF_LOWER_UP included. */
  readonly flags: number;
  /** ifi_type: ARPHRD_* (1 = Ethernet, 772 = loopback). */
  readonly type: number;
  /** IFLA_ADDRESS, absent on links without a hardware address. */
  readonly mac?: Uint8Array;
  /** IFLA_OPERSTATE (RFC 2863 numbering). */
  readonly operstate?: number;
  readonly carrier?: number;
  /** IFLA_MASTER: ifindex of the bond, bridge or VRF. */
  readonly master?: number;
  /** IFLA_INFO_KIND: bridge, bond, vlan, veth, … */
  readonly kind?: string;
}

/** One RTM_NEWADDR message as the addon reports it (IFA_LOCAL, else IFA_ADDRESS). */
export interface NetlinkAddress {
  readonly index: number;
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLength: number;
  /** ifa_scope: RT_SCOPE_* */
  readonly scope: number;
  readonly flags: number;
}

/** The addon's readLinks() result. */
export interface NetlinkDump {
  readonly links: readonly NetlinkLink[];
  readonly addresses: readonly NetlinkAddress[];
}

// linux/if.h, in iproute2's print order; IFF_RUNNING is left out as iproute2 leaves it out.
const FLAG_NAMES: readonly (readonly [number, string])[] = [
  [0x8, 'LOOPBACK'],
  [0x2, 'BROADCAST'],
  [0x10, 'POINTOPOINT'],
  [0x1000, 'MULTICAST'],
  [0x80, 'NOARP'],
  [0x200, 'ALLMULTI'],
  [0x100, 'PROMISC'],
  [0x20, 'NOTRAILERS'],
  [0x1, 'UP'],
  [0x10000, 'LOWER_UP'],
  [0x20000, 'DORMANT'],
  [0x40000, 'ECHO'],
  [0x400, 'MASTER'],
  [0x800, 'SLAVE'],
  [0x8000, 'DYNAMIC'],
];

// linux/if_link.h IF_OPER_* (RFC 2863).
const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'] as const;

/** RT_SCOPE_* values by name (linux/rtnetlink.h). */
export const SCOPES = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 } as const;

/** IFF_* bit names of `flags`, as iproute2 prints them. */
export function flagNames(flags: number): string[] {
  return FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

function scopeName(scope: number): LinkAddress['scope'] {
  const entry = Object.entries(SCOPES).find(([, value]) => value === scope);
  return entry ? (entry[0] as keyof typeof SCOPES) : scope;
}

/** Every link of the dump with its flags, master name and addresses, in the kernel's order. */
export function linksFromDump(dump: NetlinkDump): LinkInfo[] {
  const names = new Map(dump.links.map((link) => [link.index, link.name]));
  const addresses = new Map<number, LinkAddress[]>();
  for (const entry of dump.addresses) {
    const { family, address, prefixLength } = entry;
    const list = addresses.get(entry.index) ?? [];
    list.push({ family, address, prefixLength, scope: scopeName(entry.scope) });
    addresses.set(entry.index, list);
  }
  return dump.links.map((link) => {
    const own = addresses.get(link.index) ?? [];
    const operstate = link.operstate === undefined ? undefined : (OPERSTATES[link.operstate] ?? 'UNKNOWN');
    return {
      name: link.name,
      index: link.index,
      mac: link.mac ? formatMac(link.mac) : '',
      flags: flagNames(link.flags),
      ...(link.master !== undefined && link.master !== 0
        ? { master: names.get(link.master) ?? `if${link.master}` }
        : {}),
      ...(operstate ? { operstate } : {}),
      ...(link.kind ? { kind: link.kind } : {}),
      hasIPv6LinkLocal: own.some((address) => address.family === 6 && address.scope === 'link'),
      addresses: own,
    };
  });
}

/** Every address configured on this host (any interface, any scope), as written by inet_ntop. */
export function hostAddresses(dump: NetlinkDump): string[] {
  return dump.addresses.map((entry) => entry.address);
}
