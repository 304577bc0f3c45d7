// ICMPv6 (RFC 4443) with neighbour solicitation and advertisement bodies (RFC 4861 §4.3, §4.4).
// Strict framing, lenient extensions: options are walked with length checks and unknown ones kept raw.
import {
  ICMPV6_HEADER_BYTES,
  Icmpv6Type,
  IPV6_BYTES,
  MAC_BYTES,
  NDP_BODY_BYTES,
  NDP_OPTION_UNIT_BYTES,
  NEXT_HEADER_ICMPV6,
} from './constants.js';
import {
  failure,
  type Parsed,
  readUint16,
  readUint32,
  requireLength,
  success,
  writeUint16,
  writeUint32,
} from './parsed.js';

/** One NDP option (RFC 4861 §4.6); `data` excludes the type and length bytes. */
export interface NdpOption {
  readonly type: number;
  readonly data: Uint8Array;
}

/** Neighbor Solicitation (RFC 4861 §4.3). */
export interface NeighborSolicitation {
  readonly kind: 'neighborSolicitation';
  readonly code: number;
  readonly checksum: number;
  /** 32 reserved bits, kept so a parsed message serializes back to the same bytes. */
  readonly reserved: number;
  readonly target: Uint8Array;
  readonly options: readonly NdpOption[];
}

/** Neighbor Advertisement (RFC 4861 §4.4). */
export interface NeighborAdvertisement {
  readonly kind: 'neighborAdvertisement';
  readonly code: number;
  readonly checksum: number;
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  /** The 29 reserved bits after R, S, O. */
  readonly reserved: number;
  readonly target: Uint8Array;
  readonly options: readonly NdpOption[];
}

/** Any other ICMPv6 message, body kept raw. */
export interface OtherIcmpv6Message {
  readonly kind: 'other';
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  readonly body: Uint8Array;
}

export type Icmpv6Message = NeighborSolicitation | NeighborAdvertisement | OtherIcmpv6Message;

/** Walks options from `offset`; a zero length or one running past the end rejects the message (RFC 4861 §4.6). */
export function parseNdpOptions(bytes: Uint8Array, offset: number): Parsed<NdpOption[]> {
  const options: NdpOption[] = [];
  let position = offset;
  while (position < bytes.length) {
    if (bytes.length - position < 2) return failure('truncated', position);
    const length = (bytes[position + 1] ?? 0) * NDP_OPTION_UNIT_BYTES;
    if (length === 0) return failure('bad-length', position + 1);
    if (position + length > bytes.length) return failure('truncated', position + 1);
    options.push({ type: bytes[position] ?? 0, data: bytes.slice(position + 2, position + length) });
    position += length;
  }
  return success(options);
}

function parseNdpBody(bytes: Uint8Array): Parsed<{ word: number; target: Uint8Array; options: NdpOption[] }> {
  if (bytes.length < ICMPV6_HEADER_BYTES + NDP_BODY_BYTES) return failure('truncated', ICMPV6_HEADER_BYTES);
  const options = parseNdpOptions(bytes, ICMPV6_HEADER_BYTES + NDP_BODY_BYTES);
  if (!options.ok) return options;
  const target = bytes.slice(ICMPV6_HEADER_BYTES + 4, ICMPV6_HEADER_BYTES + 4 + IPV6_BYTES);
  return success({ word: readUint32(bytes, ICMPV6_HEADER_BYTES), target, options: options.value });
}

/** Parses an ICMPv6 message (the IPv6 payload); never throws. The checksum is kept, not verified. */
export function parseIcmpv6Message(bytes: Uint8Array): Parsed<Icmpv6Message> {
  if (bytes.length < ICMPV6_HEADER_BYTES) return failure('truncated', 0);
  const type = bytes[0] ?? 0;
  const code = bytes[1] ?? 0;
  const checksum = readUint16(bytes, 2);
  if (type !== Icmpv6Type.neighborSolicitation && type !== Icmpv6Type.neighborAdvertisement) {
    return success({ kind: 'other', type, code, checksum, body: bytes.slice(ICMPV6_HEADER_BYTES) });
  }
  const body = parseNdpBody(bytes);
  if (!body.ok) return body;
  const { word, target, options } = body.value;
  if (type === Icmpv6Type.neighborSolicitation) {
    return success({ kind: 'neighborSolicitation', code, checksum, reserved: word, target, options });
  }
  return success({
    kind: 'neighborAdvertisement',
    code,
    checksum,
    router: (word & 0x80000000) !== 0,
    solicited: (word & 0x40000000) !== 0,
    override: (word & 0x20000000) !== 0,
    reserved: word & 0x1fffffff,
    target,
    options,
  });
}

/** The first option of `type`, if any. */
export function findOption(options: readonly NdpOption[], type: number): NdpOption | undefined {
  return options.find((option) => option.type === type);
}

/** A source or target link-layer address option (RFC 4861 §4.6.1) for an Ethernet MAC. */
export function makeLinkLayerOption(type: number, mac: Uint8Array): NdpOption {
  requireLength('NDP link-layer address', mac, MAC_BYTES);
  return { type, data: mac };
}

function checkNdpFields(name: string, target: Uint8Array, options: readonly NdpOption[]): void {
  requireLength(`${name} target`, target, IPV6_BYTES);
  for (const option of options) {
    const length = option.data.length + 2;
    if (length % NDP_OPTION_UNIT_BYTES !== 0 || length > 255 * NDP_OPTION_UNIT_BYTES) {
      throw new TypeError(`NDP option ${option.type}: ${length} bytes is not a multiple of 8 up to 2040`);
    }
  }
}

/** Builds a Neighbor Advertisement (checksum filled in by the serializer); throws TypeError on bad sizes. */
export function makeNeighborAdvertisement(fields: {
  router: boolean;
  solicited: boolean;
  override: boolean;
  target: Uint8Array;
  options: readonly NdpOption[];
}): NeighborAdvertisement {
  checkNdpFields('NA', fields.target, fields.options);
  return { kind: 'neighborAdvertisement', code: 0, checksum: 0, reserved: 0, ...fields };
}

/** Builds a Neighbor Solicitation (checksum filled in by the serializer); throws TypeError on bad sizes. */
export function makeNeighborSolicitation(fields: {
  target: Uint8Array;
  options: readonly NdpOption[];
}): NeighborSolicitation {
  checkNdpFields('NS', fields.target, fields.options);
  return { kind: 'neighborSolicitation', code: 0, checksum: 0, reserved: 0, ...fields };
}

function messageWord(message: NeighborSolicitation | NeighborAdvertisement): number {
  if (message.kind === 'neighborSolicitation') return message.reserved >>> 0;
  const flags = (message.router ? 0x80000000 : 0) + (message.solicited ? 0x40000000 : 0);
  return flags + (message.override ? 0x20000000 : 0) + (message.reserved & 0x1fffffff);
}

function serializeNdp(message: NeighborSolicitation | NeighborAdvertisement): Uint8Array {
  const optionBytes = message.options.reduce((sum, option) => sum + option.data.length + 2, 0);
  const bytes = new Uint8Array(ICMPV6_HEADER_BYTES + NDP_BODY_BYTES + optionBytes);
  bytes[0] =
    message.kind === 'neighborSolicitation'
      ? Icmpv6Type.neighborSolicitation
      : Icmpv6Type.neighborAdvertisement;
  writeUint32(bytes, ICMPV6_HEADER_BYTES, messageWord(message));
  bytes.set(message.target.subarray(0, IPV6_BYTES), ICMPV6_HEADER_BYTES + 4);
  let offset = ICMPV6_HEADER_BYTES + NDP_BODY_BYTES;
  for (const option of message.options) {
    bytes[offset] = option.type;
    bytes[offset + 1] = (option.data.length + 2) / NDP_OPTION_UNIT_BYTES;
    bytes.set(option.data, offset + 2);
    offset += option.data.length + 2;
  }
  return bytes;
}

/**
 * The message's bytes. With the IPv6 `pseudoHeader` addresses the checksum is computed
 * (RFC 4443 §2.3); without, the message's own checksum field is written as is.
 */
export function serializeIcmpv6Message(
  message: Icmpv6Message,
  pseudoHeader?: { source: Uint8Array; destination: Uint8Array },
): Uint8Array {
  let bytes: Uint8Array;
  if (message.kind === 'other') {
    bytes = new Uint8Array(ICMPV6_HEADER_BYTES + message.body.length);
    bytes[0] = message.type;
    bytes.set(message.body, ICMPV6_HEADER_BYTES);
  } else {
    bytes = serializeNdp(message);
  }
  bytes[1] = message.code;
  if (pseudoHeader)
    writeUint16(bytes, 2, icmpv6Checksum(pseudoHeader.source, pseudoHeader.destination, bytes));
  else writeUint16(bytes, 2, message.checksum);
  return bytes;
}

function sumWords(bytes: Uint8Array, start: number): number {
  let sum = start;
  for (let index = 0; index < bytes.length; index += 2)
    sum += ((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0);
  return sum;
}

/**
 * The RFC 1071 one's-complement checksum of `message` under the IPv6 pseudo-header (RFC 8200 §8.1),
 * taking the checksum field as it is: 0 when computed over a message whose checksum is valid, the
 * checksum to write when the field is zero.
 */
export function icmpv6Checksum(source: Uint8Array, destination: Uint8Array, message: Uint8Array): number {
  let sum = sumWords(source, 0);
  sum = sumWords(destination, sum);
  sum += Math.floor(message.length / 0x10000) + (message.length & 0xffff) + NEXT_HEADER_ICMPV6;
  sum = sumWords(message, sum);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}
