// IPv6 fixed header (RFC 8200 §3). Extension headers are not walked: neighbour discovery never
// uses them, so a next header other than ICMPv6 is simply not ours.
import { IPV6_BYTES, IPV6_HEADER_BYTES } from './constants.js';
import { failure, type Parsed, readUint16, requireLength, success, writeUint16 } from './parsed.js';

/** One IPv6 packet; `payload` holds exactly the declared payload length (trailing padding dropped). */
export interface Ipv6Packet {
  readonly trafficClass: number;
  /** 20-bit flow label. */
  readonly flowLabel: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  /** 16 bytes each. */
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
  readonly payload: Uint8Array;
}

/** Parses an IPv6 header; never throws. */
export function parseIpv6Packet(bytes: Uint8Array): Parsed<Ipv6Packet> {
  if (bytes.length < IPV6_HEADER_BYTES) return failure('truncated', 0);
  const first = bytes[0] ?? 0;
  if (first >>> 4 !== 6) return failure('unsupported', 0);
  const payloadLength = readUint16(bytes, 4);
  // A declared length is untrusted: more than the buffer holds is a lie, less is Ethernet padding.
  if (IPV6_HEADER_BYTES + payloadLength > bytes.length) return failure('bad-length', 4);
  return success({
    trafficClass: ((first & 0x0f) << 4) | ((bytes[1] ?? 0) >>> 4),
    flowLabel: (((bytes[1] ?? 0) & 0x0f) << 16) | readUint16(bytes, 2),
    nextHeader: bytes[6] ?? 0,
    hopLimit: bytes[7] ?? 0,
    source: bytes.slice(8, 8 + IPV6_BYTES),
    destination: bytes.slice(24, 24 + IPV6_BYTES),
    payload: bytes.slice(IPV6_HEADER_BYTES, IPV6_HEADER_BYTES + payloadLength),
  });
}

/** Builds a packet, checking address sizes and field ranges. */
export function makeIpv6Packet(packet: Ipv6Packet): Ipv6Packet {
  requireLength('IPv6 source', packet.source, IPV6_BYTES);
  requireLength('IPv6 destination', packet.destination, IPV6_BYTES);
  if (packet.payload.length > 0xffff)
    throw new TypeError('IPv6 payload: longer than 65535 bytes (no jumbograms)');
  for (const [name, value, limit] of [
    ['traffic class', packet.trafficClass, 0xff],
    ['flow label', packet.flowLabel, 0xfffff],
    ['next header', packet.nextHeader, 0xff],
    ['hop limit', packet.hopLimit, 0xff],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > limit)
      throw new TypeError(`IPv6 ${name}: ${value} out of range`);
  }
  return packet;
}

/** The packet's bytes; the payload length field is the payload's size. */
export function serializeIpv6Packet(packet: Ipv6Packet): Uint8Array {
  const bytes = new Uint8Array(IPV6_HEADER_BYTES + packet.payload.length);
  bytes[0] = 0x60 | ((packet.trafficClass >>> 4) & 0x0f);
  bytes[1] = ((packet.trafficClass & 0x0f) << 4) | ((packet.flowLabel >>> 16) & 0x0f);
  writeUint16(bytes, 2, packet.flowLabel & 0xffff);
  writeUint16(bytes, 4, packet.payload.length);
  bytes[6] = packet.nextHeader;
  bytes[7] = packet.hopLimit;
  bytes.set(packet.source.subarray(0, IPV6_BYTES), 8);
  bytes.set(packet.destination.subarray(0, IPV6_BYTES), 24);
  bytes.set(packet.payload, IPV6_HEADER_BYTES);
  return bytes;
}
