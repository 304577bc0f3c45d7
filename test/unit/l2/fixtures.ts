// Request frames for the responder's tests, built field by field so each row can bend one field.

import type { ResponderTable } from '../../../src/l2/classify.js';
import {
  ArpOperation,
  BROADCAST_MAC,
  EtherType,
  icmpv6Checksum,
  makeLinkLayerOption,
  makeNeighborSolicitation,
  multicastMac,
  type NdpOption,
  NdpOptionType,
  parseIPv4,
  parseIPv6,
  parseMac,
  serializeArpPacket,
  serializeEthernetFrame,
  serializeIcmpv6Message,
  serializeIpv6Packet,
  solicitedNodeAddress,
} from '../../../src/l2/codec/index.js';

/** Bytes of a MAC/IP literal; throws on a typo so a fixture can never silently be wrong. */
export function mac(text: string): Uint8Array {
  const bytes = parseMac(text);
  if (!bytes) throw new Error(`bad MAC fixture ${text}`);
  return bytes;
}
export function ipv4(text: string): Uint8Array {
  const bytes = parseIPv4(text);
  if (!bytes) throw new Error(`bad IPv4 fixture ${text}`);
  return bytes;
}
export function ipv6(text: string): Uint8Array {
  const bytes = parseIPv6(text);
  if (!bytes) throw new Error(`bad IPv6 fixture ${text}`);
  return bytes;
}

export const OUR_MAC = '02:00:00:00:00:01';
export const CLIENT_MAC = '02:00:00:00:00:02';
export const OTHER_MAC = '02:00:00:00:00:03';
export const VIP4 = '203.0.113.10';
export const VIP6 = '2001:db8:1::10';
export const CLIENT4 = '198.51.100.2';
export const CLIENT6 = '2001:db8:1::2';

/** A table owning VIP4 and VIP6 on an interface with OUR_MAC. */
export const TABLE: ResponderTable = { mac: mac(OUR_MAC), ipv4: new Set([VIP4]), ipv6: new Set([VIP6]) };

/** An ARP frame; every field defaults to a broadcast request from the client for VIP4. */
export function arpFrame(fields: {
  ethernetDestination?: string;
  ethernetSource?: string;
  hardwareType?: number;
  protocolType?: number;
  operation?: number;
  senderMac?: string;
  senderIp?: string;
  targetMac?: string;
  targetIp?: string;
  etherType?: number;
}): Uint8Array {
  const payload = serializeArpPacket({
    hardwareType: fields.hardwareType ?? 1,
    protocolType: fields.protocolType ?? EtherType.ipv4,
    operation: fields.operation ?? ArpOperation.request,
    senderHardwareAddress: mac(fields.senderMac ?? CLIENT_MAC),
    senderProtocolAddress: ipv4(fields.senderIp ?? CLIENT4),
    targetHardwareAddress: mac(fields.targetMac ?? '00:00:00:00:00:00'),
    targetProtocolAddress: ipv4(fields.targetIp ?? VIP4),
  });
  return serializeEthernetFrame({
    destination: fields.ethernetDestination ? mac(fields.ethernetDestination) : BROADCAST_MAC,
    source: mac(fields.ethernetSource ?? CLIENT_MAC),
    etherType: fields.etherType ?? EtherType.arp,
    payload,
  });
}

/** NS fields; every field defaults to a multicast NS from the client for VIP6 with an SLLA option. */
export interface SolicitationFields {
  ethernetDestination?: string;
  ethernetSource?: string;
  source?: string;
  destination?: string;
  hopLimit?: number;
  code?: number;
  target?: string;
  options?: readonly NdpOption[];
  corruptChecksum?: boolean;
  type?: number;
}

/** The default SLLA option: the client's MAC. */
export const CLIENT_SOURCE_LINK_LAYER = makeLinkLayerOption(
  NdpOptionType.sourceLinkLayerAddress,
  mac(CLIENT_MAC),
);

/** A Neighbor Solicitation frame built from `fields`, with a valid checksum unless told otherwise. */
export function solicitationFrame(fields: SolicitationFields = {}): Uint8Array {
  const target = ipv6(fields.target ?? VIP6);
  const source = ipv6(fields.source ?? CLIENT6);
  const destination = fields.destination ? ipv6(fields.destination) : solicitedNodeAddress(target);
  const message = makeNeighborSolicitation({ target, options: [] });
  const body = serializeIcmpv6Message({ ...message, code: fields.code ?? 0 });
  // Options are written raw so that a row can carry one the constructor would refuse (length 0).
  const options = (fields.options ?? [CLIENT_SOURCE_LINK_LAYER]).flatMap((option) => [
    option.type,
    Math.floor((option.data.length + 2) / 8),
    ...option.data,
  ]);
  const icmp = Uint8Array.from([...body, ...options]);
  if (fields.type !== undefined) icmp[0] = fields.type;
  icmp.set([0, 0], 2);
  const checksum = icmpv6Checksum(source, destination, icmp);
  icmp.set([checksum >>> 8, checksum & 0xff], 2);
  if (fields.corruptChecksum) icmp[2] = (icmp[2] ?? 0) ^ 0xff;
  const packet = serializeIpv6Packet({
    trafficClass: 0,
    flowLabel: 0,
    nextHeader: 58,
    hopLimit: fields.hopLimit ?? 255,
    source,
    destination,
    payload: icmp,
  });
  return serializeEthernetFrame({
    destination: fields.ethernetDestination ? mac(fields.ethernetDestination) : multicastMac(destination),
    source: mac(fields.ethernetSource ?? CLIENT_MAC),
    etherType: EtherType.ipv6,
    payload: packet,
  });
}

/** Hex of bytes, for readable failures. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
