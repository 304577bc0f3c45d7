// Wire constants of the layer-2 protocols ferrolb speaks, once (STYLE.md: one module per family).

/** EtherTypes (IEEE 802 numbers, RFC 826 for ARP, RFC 2464 §3 for IPv6 over Ethernet). */
export const EtherType = {
  ipv4: 0x0800,
  arp: 0x0806,
  ipv6: 0x86dd,
} as const;

/** ARP hardware type for Ethernet (RFC 826, IANA "Hardware Types"). */
export const ARP_HARDWARE_ETHERNET = 1;

/** ARP operation codes (RFC 826). */
export const ArpOperation = {
  request: 1,
  reply: 2,
} as const;

/** ICMPv6 message types used for neighbour discovery (RFC 4861 §4.3, §4.4). */
export const Icmpv6Type = {
  neighborSolicitation: 135,
  neighborAdvertisement: 136,
} as const;

/** NDP option types (RFC 4861 §4.6). */
export const NdpOptionType = {
  sourceLinkLayerAddress: 1,
  targetLinkLayerAddress: 2,
} as const;

/** IPv6 next-header value of ICMPv6 (RFC 4443 §1). */
export const NEXT_HEADER_ICMPV6 = 58;

/** Hop limit every NDP message must carry, so it cannot have crossed a router (RFC 4861 §7.1.1). */
export const NDP_HOP_LIMIT = 255;

/** Ethernet header: destination, source, EtherType (no 802.1Q tag: the kernel strips it). */
export const ETHERNET_HEADER_BYTES = 14;
/** Shortest Ethernet frame without FCS; shorter ones are padded with zeros (IEEE 802.3, MetalLB L11). */
export const ETHERNET_MINIMUM_FRAME_BYTES = 60;
/** ARP fixed header: htype, ptype, hlen, plen, op (RFC 826). */
export const ARP_HEADER_BYTES = 8;
/** ARP body for Ethernet/IPv4: 2 × (6 + 4) address bytes after the header. */
export const ARP_ETHERNET_IPV4_BYTES = 28;
/** IPv6 fixed header (RFC 8200 §3). */
export const IPV6_HEADER_BYTES = 40;
/** ICMPv6 header: type, code, checksum (RFC 4443 §2.1). */
export const ICMPV6_HEADER_BYTES = 4;
/** NS and NA body before options: 4 reserved/flag bytes and the 16-byte target (RFC 4861 §4.3, §4.4). */
export const NDP_BODY_BYTES = 20;
/** NDP options are sized in units of 8 bytes (RFC 4861 §4.6). */
export const NDP_OPTION_UNIT_BYTES = 8;

/** MAC and IP sizes. */
export const MAC_BYTES = 6;
export const IPV4_BYTES = 4;
export const IPV6_BYTES = 16;

/** ff:ff:ff:ff:ff:ff. */
export const BROADCAST_MAC: Uint8Array = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
/** 33:33:00:00:00:01, the Ethernet address of ff02::1 (RFC 2464 §7). */
export const ALL_NODES_MAC: Uint8Array = new Uint8Array([0x33, 0x33, 0x00, 0x00, 0x00, 0x01]);
/** ff02::1, all nodes on the link (RFC 4291 §2.7.1). */
export const ALL_NODES_ADDRESS: Uint8Array = new Uint8Array([
  0xff,
  0x02,
  ...new Array<number>(13).fill(0),
  0x01,
]);
/** ::, the unspecified source of a DAD probe (RFC 4862 §5.4.2). */
export const UNSPECIFIED_ADDRESS: Uint8Array = new Uint8Array(IPV6_BYTES);
/** 0.0.0.0, the sender IP of an ARP probe (RFC 5227 §2.1.1). */
export const UNSPECIFIED_IPV4: Uint8Array = new Uint8Array(IPV4_BYTES);
