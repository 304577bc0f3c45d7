// ARP (RFC 826). The parser accepts any hardware/protocol sizes the sender declares, after checking
// them against the buffer (mdlayher/arp: fuzzing found length fields that disagree with the packet).
import {
  ARP_HARDWARE_ETHERNET,
  ARP_HEADER_BYTES,
  ArpOperation,
  BROADCAST_MAC,
  EtherType,
  IPV4_BYTES,
  MAC_BYTES,
} from './constants.js';
import { failure, type Parsed, readUint16, requireLength, success, writeUint16 } from './parsed.js';

/** One ARP packet (RFC 826 field names in full words). */
export interface ArpPacket {
  /** ar$hrd: 1 for Ethernet. */
  readonly hardwareType: number;
  /** ar$pro: an EtherType, 0x0800 for IPv4. */
  readonly protocolType: number;
  /** ar$op: 1 request, 2 reply. */
  readonly operation: number;
  /** ar$sha, ar$spa, ar$tha, ar$tpa; their lengths give ar$hln and ar$pln. */
  readonly senderHardwareAddress: Uint8Array;
  readonly senderProtocolAddress: Uint8Array;
  readonly targetHardwareAddress: Uint8Array;
  readonly targetProtocolAddress: Uint8Array;
}

/** Parses an ARP packet, trailing bytes (Ethernet padding) ignored; never throws. */
export function parseArpPacket(bytes: Uint8Array): Parsed<ArpPacket> {
  if (bytes.length < ARP_HEADER_BYTES) return failure('truncated', 0);
  const hardwareLength = bytes[4] ?? 0;
  const protocolLength = bytes[5] ?? 0;
  // The sender declares these sizes: check them against the buffer before slicing anything.
  if (bytes.length < ARP_HEADER_BYTES + 2 * (hardwareLength + protocolLength)) return failure('truncated', 4);
  let offset = ARP_HEADER_BYTES;
  const take = (length: number): Uint8Array => {
    const field = bytes.slice(offset, offset + length);
    offset += length;
    return field;
  };
  return success({
    hardwareType: readUint16(bytes, 0),
    protocolType: readUint16(bytes, 2),
    operation: readUint16(bytes, 6),
    senderHardwareAddress: take(hardwareLength),
    senderProtocolAddress: take(protocolLength),
    targetHardwareAddress: take(hardwareLength),
    targetProtocolAddress: take(protocolLength),
  });
}

/** Whether a parsed packet is Ethernet/IPv4 ARP (htype 1, ptype 0x0800, hlen 6, plen 4). */
export function isEthernetIPv4Arp(packet: ArpPacket): boolean {
  return (
    packet.hardwareType === ARP_HARDWARE_ETHERNET &&
    packet.protocolType === EtherType.ipv4 &&
    packet.senderHardwareAddress.length === MAC_BYTES &&
    packet.senderProtocolAddress.length === IPV4_BYTES
  );
}

/** Builds an Ethernet/IPv4 ARP packet; throws TypeError on wrong address sizes (a bug, not wire input). */
export function makeArpPacket(fields: {
  operation: number;
  senderMac: Uint8Array;
  senderIp: Uint8Array;
  targetMac: Uint8Array;
  targetIp: Uint8Array;
}): ArpPacket {
  requireLength('ARP sender MAC', fields.senderMac, MAC_BYTES);
  requireLength('ARP sender IP', fields.senderIp, IPV4_BYTES);
  requireLength('ARP target MAC', fields.targetMac, MAC_BYTES);
  requireLength('ARP target IP', fields.targetIp, IPV4_BYTES);
  if (fields.operation !== ArpOperation.request && fields.operation !== ArpOperation.reply) {
    throw new TypeError(`ARP operation: ${fields.operation} is neither request (1) nor reply (2)`);
  }
  return {
    hardwareType: ARP_HARDWARE_ETHERNET,
    protocolType: EtherType.ipv4,
    operation: fields.operation,
    senderHardwareAddress: fields.senderMac,
    senderProtocolAddress: fields.senderIp,
    targetHardwareAddress: fields.targetMac,
    targetProtocolAddress: fields.targetIp,
  };
}

/** A gratuitous ARP of `operation` for `ip` from `mac`: sender IP = target IP, target MAC broadcast (G5). */
export function makeGratuitousArp(operation: number, mac: Uint8Array, ip: Uint8Array): ArpPacket {
  return makeArpPacket({ operation, senderMac: mac, senderIp: ip, targetMac: BROADCAST_MAC, targetIp: ip });
}

/** The packet's bytes; never fails (sizes are taken from the address fields). */
export function serializeArpPacket(packet: ArpPacket): Uint8Array {
  const hardwareLength = packet.senderHardwareAddress.length;
  const protocolLength = packet.senderProtocolAddress.length;
  const bytes = new Uint8Array(ARP_HEADER_BYTES + 2 * (hardwareLength + protocolLength));
  writeUint16(bytes, 0, packet.hardwareType);
  writeUint16(bytes, 2, packet.protocolType);
  bytes[4] = hardwareLength;
  bytes[5] = protocolLength;
  writeUint16(bytes, 6, packet.operation);
  let offset = ARP_HEADER_BYTES;
  for (const field of [
    packet.senderHardwareAddress,
    packet.senderProtocolAddress,
    packet.targetHardwareAddress.subarray(0, hardwareLength),
    packet.targetProtocolAddress.subarray(0, protocolLength),
  ]) {
    bytes.set(field, offset);
    offset += field.length;
  }
  return bytes;
}
