// The responder's specification: what to answer and with which bytes. The C hot path in the addon
// (native/, src/l2/native.ts classifyFrame) implements exactly these rules; a differential test feeds
// both one fuzz corpus (test/unit/l2/differential.test.ts).
import {
  ALL_NODES_ADDRESS,
  ALL_NODES_MAC,
  ArpOperation,
  BROADCAST_MAC,
  bytesEqual,
  type EthernetFrame,
  EtherType,
  findOption,
  formatIPv4,
  formatIPv6,
  formatMac,
  icmpv6Checksum,
  isEthernetIPv4Arp,
  MAC_BYTES,
  multicastMac,
  NDP_HOP_LIMIT,
  NdpOptionType,
  NEXT_HEADER_ICMPV6,
  type NeighborSolicitation,
  parseArpPacket,
  parseEthernetFrame,
  parseIcmpv6Message,
  parseIpv6Packet,
  solicitedNodeAddress,
  UNSPECIFIED_ADDRESS,
} from './codec/index.js';
import { arpReplyFrame, neighborAdvertisementFrame, unsolicitedAdvertisementFrame } from './frames.js';

/** What one socket answers for: its interface's MAC and the IPs owned on that interface (canonical text). */
export interface ResponderTable {
  readonly mac: Uint8Array;
  readonly ipv4: ReadonlySet<string>;
  readonly ipv6: ReadonlySet<string>;
}

/** Which socket the frame came from: ETH_P_ARP or ETH_P_IPV6. */
export type ResponderProtocol = 'arp' | 'ipv6';

/** Why a frame is not answered; MetalLB's L9 names where they exist (ARPReply, MessageType, …). */
export type DropReason =
  | 'malformed'
  | 'etherType'
  | 'arpFormat'
  | 'arpReply'
  | 'ethernetDestination'
  | 'announceIP'
  | 'messageType'
  | 'hopLimit'
  | 'checksum'
  | 'ipDestination'
  | 'dadWithSourceLL'
  | 'sourceMac';

/** Answer with `reply` (a whole Ethernet frame) or drop for `reason`. */
export type Verdict =
  | { readonly verdict: 'answer'; readonly reply: Uint8Array }
  | { readonly verdict: 'drop'; readonly reason: DropReason };

const drop = (reason: DropReason): Verdict => ({ verdict: 'drop', reason });

/** Decides whether `frame` (from a socket of `protocol`) is answered and builds the reply. Never throws. */
export function classify(frame: Uint8Array, table: ResponderTable, protocol: ResponderProtocol): Verdict {
  const ethernet = parseEthernetFrame(frame);
  if (!ethernet.ok) return drop('malformed');
  if (protocol === 'arp') {
    return ethernet.value.etherType === EtherType.arp
      ? classifyArp(ethernet.value, table)
      : drop('etherType');
  }
  return ethernet.value.etherType === EtherType.ipv6 ? classifyNdp(ethernet.value, table) : drop('etherType');
}

/**
 * A requester's MAC must be a unicast station address (IEEE 802: I/G bit clear, not all zero): a
 * reply to a broadcast or multicast "requester" reaches every host on the segment, and a zero MAC
 * is no station (issue 12 #11).
 */
export function isUnicastMac(mac: Uint8Array): boolean {
  return mac.length === MAC_BYTES && ((mac[0] ?? 0) & 0x01) === 0 && mac.some((byte) => byte !== 0);
}

// MetalLB L10/L11 plus RFC 5227 probes: requests only, to broadcast or to us, for an owned target.
function classifyArp(ethernet: EthernetFrame, table: ResponderTable): Verdict {
  const parsed = parseArpPacket(ethernet.payload);
  if (!parsed.ok) return drop('malformed');
  const packet = parsed.value;
  if (!isEthernetIPv4Arp(packet)) return drop('arpFormat');
  if (packet.operation !== ArpOperation.request) return drop('arpReply');
  if (!isUnicastMac(ethernet.source) || !isUnicastMac(packet.senderHardwareAddress)) return drop('sourceMac');
  if (!bytesEqual(ethernet.destination, BROADCAST_MAC) && !bytesEqual(ethernet.destination, table.mac)) {
    return drop('ethernetDestination');
  }
  if (!table.ipv4.has(formatIPv4(packet.targetProtocolAddress))) return drop('announceIP');
  const reply = arpReplyFrame({
    mac: table.mac,
    ip: packet.targetProtocolAddress,
    requesterMac: packet.senderHardwareAddress,
    requesterIp: packet.senderProtocolAddress,
  });
  return { verdict: 'answer', reply };
}

interface Solicitation {
  readonly ethernet: EthernetFrame;
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
  readonly message: NeighborSolicitation;
}

// RFC 4861 §7.1.1 validity (hop limit, checksum, code, option lengths) before any ownership question.
function parseSolicitation(ethernet: EthernetFrame): Solicitation | DropReason {
  const ipv6 = parseIpv6Packet(ethernet.payload);
  if (!ipv6.ok) return 'malformed';
  const packet = ipv6.value;
  if (packet.nextHeader !== NEXT_HEADER_ICMPV6) return 'messageType';
  if (packet.hopLimit !== NDP_HOP_LIMIT) return 'hopLimit';
  const parsed = parseIcmpv6Message(packet.payload);
  if (!parsed.ok) return 'malformed';
  const message = parsed.value;
  if (message.kind !== 'neighborSolicitation' || message.code !== 0) return 'messageType';
  if (icmpv6Checksum(packet.source, packet.destination, packet.payload) !== 0) return 'checksum';
  return { ethernet, source: packet.source, destination: packet.destination, message };
}

function isSolicitationAddressedToUs(solicitation: Solicitation, mac: Uint8Array): DropReason | undefined {
  const target = solicitation.message.target;
  const group = solicitedNodeAddress(target);
  const ethernetDestination = solicitation.ethernet.destination;
  if (
    ![mac, multicastMac(group), ALL_NODES_MAC].some((allowed) => bytesEqual(ethernetDestination, allowed))
  ) {
    return 'ethernetDestination';
  }
  // Unicast to the target itself is neighbour unreachability detection (metallb#2920, Q4).
  if (![target, group, ALL_NODES_ADDRESS].some((allowed) => bytesEqual(solicitation.destination, allowed))) {
    return 'ipDestination';
  }
  return undefined;
}

function classifyNdp(ethernet: EthernetFrame, table: ResponderTable): Verdict {
  const solicitation = parseSolicitation(ethernet);
  if (typeof solicitation === 'string') return drop(solicitation);
  const { message, source } = solicitation;
  const sourceLinkLayer = findOption(message.options, NdpOptionType.sourceLinkLayerAddress);
  const linkLayerMac = sourceLinkLayer?.data.slice(0, MAC_BYTES);
  if (!isUnicastMac(ethernet.source) || (linkLayerMac && !isUnicastMac(linkLayerMac)))
    return drop('sourceMac');
  if (!table.ipv6.has(formatIPv6(message.target))) return drop('announceIP');
  const misaddressed = isSolicitationAddressedToUs(solicitation, table.mac);
  if (misaddressed) return drop(misaddressed);
  if (bytesEqual(source, UNSPECIFIED_ADDRESS)) {
    // A DAD probe for our VIP: defend it to all nodes, S=0 O=1 (RFC 4861 §7.2.4, Q7). RFC 4861
    // §7.1.1 forbids a source link-layer option on a probe.
    if (sourceLinkLayer) return drop('dadWithSourceLL');
    return { verdict: 'answer', reply: unsolicitedAdvertisementFrame(table.mac, message.target) };
  }
  const reply = neighborAdvertisementFrame({
    mac: table.mac,
    target: message.target,
    // Reply to the link-layer address the solicitor named, else to where the frame came from (Q6: O=1).
    destinationMac: linkLayerMac ?? ethernet.source,
    destinationIp: source,
    solicited: true,
  });
  return { verdict: 'answer', reply };
}

/** An address we announce claimed by another MAC. */
export interface Conflict {
  readonly ip: string;
  readonly mac: string;
}

/**
 * Whether `frame` claims one of our addresses from another MAC: an ARP request, reply or gratuitous
 * ARP whose sender IP is owned, or a valid NA for an owned target whose TLLA (else Ethernet source)
 * is not ours. `localMacs` are this host's other interfaces (several NICs on one segment, L18).
 */
export function detectConflict(
  frame: Uint8Array,
  table: ResponderTable,
  localMacs: ReadonlySet<string> = new Set(),
): Conflict | undefined {
  const ethernet = parseEthernetFrame(frame);
  if (!ethernet.ok) return undefined;
  const claim =
    ethernet.value.etherType === EtherType.arp
      ? arpClaim(ethernet.value, table)
      : advertisementClaim(ethernet.value, table);
  if (!claim) return undefined;
  const mac = claim.mac.slice(0, MAC_BYTES);
  if (bytesEqual(mac, table.mac)) return undefined;
  const macText = formatMac(mac);
  return localMacs.has(macText) ? undefined : { ip: claim.ip, mac: macText };
}

function arpClaim(
  ethernet: EthernetFrame,
  table: ResponderTable,
): { ip: string; mac: Uint8Array } | undefined {
  const parsed = parseArpPacket(ethernet.payload);
  if (!parsed.ok || !isEthernetIPv4Arp(parsed.value)) return undefined;
  const ip = formatIPv4(parsed.value.senderProtocolAddress);
  return table.ipv4.has(ip) ? { ip, mac: parsed.value.senderHardwareAddress } : undefined;
}

function advertisementClaim(
  ethernet: EthernetFrame,
  table: ResponderTable,
): { ip: string; mac: Uint8Array } | undefined {
  if (ethernet.etherType !== EtherType.ipv6) return undefined;
  const ipv6 = parseIpv6Packet(ethernet.payload);
  if (!ipv6.ok || ipv6.value.nextHeader !== NEXT_HEADER_ICMPV6 || ipv6.value.hopLimit !== NDP_HOP_LIMIT)
    return undefined;
  const parsed = parseIcmpv6Message(ipv6.value.payload);
  if (!parsed.ok || parsed.value.kind !== 'neighborAdvertisement') return undefined;
  if (icmpv6Checksum(ipv6.value.source, ipv6.value.destination, ipv6.value.payload) !== 0) return undefined;
  const ip = formatIPv6(parsed.value.target);
  if (!table.ipv6.has(ip)) return undefined;
  const targetLinkLayer = findOption(parsed.value.options, NdpOptionType.targetLinkLayerAddress);
  const mac = targetLinkLayer ? targetLinkLayer.data : ethernet.source;
  return { ip, mac };
}
