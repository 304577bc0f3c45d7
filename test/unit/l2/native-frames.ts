// Hand-built ARP and NDP frames for the addon tests, written field by field from RFC 826 and
// RFC 4861 and independent of src/l2/codec, so the C hot path is checked against the RFCs and
// not against a second copy of itself.

/** Bytes from a MAC ("02:00:00:00:00:01"). */
export function mac(text: string): Uint8Array {
  return Uint8Array.from(text.split(':').map((part) => Number.parseInt(part, 16)));
}

/** Bytes from a dotted IPv4 address. */
export function ipv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

/** Bytes from an IPv6 address (with at most one "::"). */
export function ipv6(text: string): Uint8Array {
  const [head = '', tail] = text.split('::');
  const groups = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((group, index) => {
    bytes[2 * index] = group >> 8;
    bytes[2 * index + 1] = group & 0xff;
  });
  return bytes;
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((part) => Uint8Array.from(part));
  const result = new Uint8Array(arrays.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of arrays) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

const u16 = (value: number): number[] => [value >> 8, value & 0xff];

export const BROADCAST = mac('ff:ff:ff:ff:ff:ff');
export const ALL_NODES_MAC = mac('33:33:00:00:00:01');
export const ALL_NODES = ipv6('ff02::1');

/** An Ethernet + ARP frame (42 bytes, unpadded) with every field settable. */
export function arpFrame(fields: {
  destination: Uint8Array;
  source: Uint8Array;
  operation?: number;
  senderMac?: Uint8Array;
  senderIp: Uint8Array;
  targetMac?: Uint8Array;
  targetIp: Uint8Array;
  hardwareLength?: number;
}): Uint8Array {
  return concat(
    fields.destination,
    fields.source,
    u16(0x0806),
    u16(1),
    u16(0x0800),
    [fields.hardwareLength ?? 6, 4],
    u16(fields.operation ?? 1),
    fields.senderMac ?? fields.source,
    fields.senderIp,
    fields.targetMac ?? new Uint8Array(6),
    fields.targetIp,
  );
}

/** RFC 4443 §2.3 checksum over the IPv6 pseudo-header and `message`. */
export function icmpv6Checksum(source: Uint8Array, destination: Uint8Array, message: Uint8Array): number {
  const pseudo = concat(source, destination, [0, 0, ...u16(message.length)], [0, 0, 0, 58], message);
  let sum = 0;
  for (let index = 0; index < pseudo.length; index += 2) {
    sum += ((pseudo[index] ?? 0) << 8) | (pseudo[index + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An Ethernet + IPv6 + ICMPv6 NS frame; the checksum is correct unless `checksumDelta` is set. */
export function nsFrame(fields: {
  destinationMac: Uint8Array;
  sourceMac: Uint8Array;
  source: Uint8Array;
  destination: Uint8Array;
  target: Uint8Array;
  sourceLinkLayer?: Uint8Array;
  hopLimit?: number;
  type?: number;
  code?: number;
  nextHeader?: number;
  extraOptions?: number[];
  checksumDelta?: number;
}): Uint8Array {
  const options = concat(
    fields.sourceLinkLayer ? concat([1, 1], fields.sourceLinkLayer) : [],
    fields.extraOptions ?? [],
  );
  const message = concat([fields.type ?? 135, fields.code ?? 0, 0, 0, 0, 0, 0, 0], fields.target, options);
  const checksum =
    (icmpv6Checksum(fields.source, fields.destination, message) + (fields.checksumDelta ?? 0)) & 0xffff;
  message.set(u16(checksum), 2);
  return concat(
    fields.destinationMac,
    fields.sourceMac,
    u16(0x86dd),
    [0x60, 0, 0, 0],
    u16(message.length),
    [fields.nextHeader ?? 58, fields.hopLimit ?? 255],
    fields.source,
    fields.destination,
    message,
  );
}

/** The solicited-node group ff02::1:ffXX:XXXX of `address` (RFC 4291 §2.7.1). */
export function solicitedNode(address: Uint8Array): Uint8Array {
  return concat(ipv6('ff02::1:ff00:0').subarray(0, 13), address.subarray(13));
}

/** The Ethernet group 33:33 + the low 32 bits of an IPv6 multicast address (RFC 2464 §7). */
export function multicastMac(group: Uint8Array): Uint8Array {
  return concat([0x33, 0x33], group.subarray(12));
}
