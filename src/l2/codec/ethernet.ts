// Ethernet II framing (IEEE 802.3 / RFC 894). AF_PACKET hands us frames without the FCS and,
// for VLAN sub-interfaces, with the 802.1Q tag already removed by the kernel.
import { ETHERNET_HEADER_BYTES, ETHERNET_MINIMUM_FRAME_BYTES, MAC_BYTES } from './constants.js';
import { failure, type Parsed, readUint16, requireLength, success, writeUint16 } from './parsed.js';

/** One Ethernet II frame; `payload` is everything after the EtherType, padding included. */
export interface EthernetFrame {
  /** Destination MAC (6 bytes). */
  readonly destination: Uint8Array;
  /** Source MAC (6 bytes). */
  readonly source: Uint8Array;
  /** EtherType (EtherType.arp, EtherType.ipv6, …). */
  readonly etherType: number;
  readonly payload: Uint8Array;
}

/** Parses an Ethernet II header; never throws. */
export function parseEthernetFrame(bytes: Uint8Array): Parsed<EthernetFrame> {
  if (bytes.length < ETHERNET_HEADER_BYTES) return failure('truncated', 0);
  return success({
    destination: bytes.slice(0, MAC_BYTES),
    source: bytes.slice(MAC_BYTES, 2 * MAC_BYTES),
    etherType: readUint16(bytes, 2 * MAC_BYTES),
    payload: bytes.slice(ETHERNET_HEADER_BYTES),
  });
}

/** Builds a frame, checking the MAC sizes and the EtherType range. */
export function makeEthernetFrame(frame: EthernetFrame): EthernetFrame {
  requireLength('Ethernet destination', frame.destination, MAC_BYTES);
  requireLength('Ethernet source', frame.source, MAC_BYTES);
  if (!Number.isInteger(frame.etherType) || frame.etherType < 0 || frame.etherType > 0xffff) {
    throw new TypeError(`Ethernet EtherType: ${frame.etherType} is not a 16-bit value`);
  }
  return frame;
}

/** The frame's bytes; with `padToMinimum`, zero-padded to 60 bytes as a NIC would (MetalLB L11). */
export function serializeEthernetFrame(frame: EthernetFrame, padToMinimum = false): Uint8Array {
  const length = ETHERNET_HEADER_BYTES + frame.payload.length;
  const bytes = new Uint8Array(padToMinimum ? Math.max(length, ETHERNET_MINIMUM_FRAME_BYTES) : length);
  bytes.set(frame.destination.subarray(0, MAC_BYTES), 0);
  bytes.set(frame.source.subarray(0, MAC_BYTES), MAC_BYTES);
  writeUint16(bytes, 2 * MAC_BYTES, frame.etherType);
  bytes.set(frame.payload, ETHERNET_HEADER_BYTES);
  return bytes;
}
