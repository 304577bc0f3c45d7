// Whole frames ferrolb sends: solicited replies (built by classify) and gratuitous announcements
// (sent by the announcer). Pure: bytes in, bytes out.
import {
  ALL_NODES_ADDRESS,
  ALL_NODES_MAC,
  ArpOperation,
  BROADCAST_MAC,
  EtherType,
  makeArpPacket,
  makeEthernetFrame,
  makeGratuitousArp,
  makeIpv6Packet,
  makeLinkLayerOption,
  makeNeighborAdvertisement,
  NDP_HOP_LIMIT,
  NdpOptionType,
  NEXT_HEADER_ICMPV6,
  serializeArpPacket,
  serializeEthernetFrame,
  serializeIcmpv6Message,
  serializeIpv6Packet,
} from './codec/index.js';

/** ARP reply to a request (MetalLB L11): Ethernet to the requester's ARP sender MAC, padded to 60 bytes. */
export function arpReplyFrame(fields: {
  mac: Uint8Array;
  ip: Uint8Array;
  requesterMac: Uint8Array;
  requesterIp: Uint8Array;
}): Uint8Array {
  const packet = makeArpPacket({
    operation: ArpOperation.reply,
    senderMac: fields.mac,
    senderIp: fields.ip,
    targetMac: fields.requesterMac,
    targetIp: fields.requesterIp,
  });
  const frame = makeEthernetFrame({
    destination: fields.requesterMac,
    source: fields.mac,
    etherType: EtherType.arp,
    payload: serializeArpPacket(packet),
  });
  return serializeEthernetFrame(frame, true);
}

/** Gratuitous ARP of `operation` (G5: a request then a reply), broadcast, padded to 60 bytes. */
export function gratuitousArpFrame(operation: number, mac: Uint8Array, ip: Uint8Array): Uint8Array {
  const frame = makeEthernetFrame({
    destination: BROADCAST_MAC,
    source: mac,
    etherType: EtherType.arp,
    payload: serializeArpPacket(makeGratuitousArp(operation, mac, ip)),
  });
  return serializeEthernetFrame(frame, true);
}

/**
 * Neighbor Advertisement for `target` from `mac`: IPv6 source = the target itself (so ndisc6 and
 * routers accept it), hop limit 255, one Target Link-Layer Address option (RFC 4861 §7.2.4).
 */
export function neighborAdvertisementFrame(fields: {
  mac: Uint8Array;
  target: Uint8Array;
  destinationMac: Uint8Array;
  destinationIp: Uint8Array;
  solicited: boolean;
}): Uint8Array {
  const message = makeNeighborAdvertisement({
    router: false,
    solicited: fields.solicited,
    override: true,
    target: fields.target,
    options: [makeLinkLayerOption(NdpOptionType.targetLinkLayerAddress, fields.mac)],
  });
  const pseudoHeader = { source: fields.target, destination: fields.destinationIp };
  const packet = makeIpv6Packet({
    trafficClass: 0,
    flowLabel: 0,
    nextHeader: NEXT_HEADER_ICMPV6,
    hopLimit: NDP_HOP_LIMIT,
    source: fields.target,
    destination: fields.destinationIp,
    payload: serializeIcmpv6Message(message, pseudoHeader),
  });
  const frame = makeEthernetFrame({
    destination: fields.destinationMac,
    source: fields.mac,
    etherType: EtherType.ipv6,
    payload: serializeIpv6Packet(packet),
  });
  return serializeEthernetFrame(frame);
}

/** Unsolicited NA to ff02::1 with S=0 O=1 (G6; also the DAD defence of RFC 4861 §7.2.4). */
export function unsolicitedAdvertisementFrame(mac: Uint8Array, target: Uint8Array): Uint8Array {
  return neighborAdvertisementFrame({
    mac,
    target,
    destinationMac: ALL_NODES_MAC,
    destinationIp: ALL_NODES_ADDRESS,
    solicited: false,
  });
}
