import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalIp,
  formatIPv6,
  icmpv6Checksum,
  parseArpPacket,
  parseEthernetFrame,
  parseIcmpv6Message,
  parseIPv6,
  parseIpv6Packet,
  parseNdpOptions,
  serializeArpPacket,
  serializeEthernetFrame,
  serializeIcmpv6Message,
  serializeIpv6Packet,
} from '../../../src/l2/codec/index.js';
import {
  ARPING_REQUEST,
  fromHex,
  KERNEL_ADVERTISEMENT,
  KERNEL_ARP_REPLY_HEADER,
  NDISC6_SOLICITATION,
} from './kernel-vectors.js';

const parsers = {
  ethernet: parseEthernetFrame,
  arp: parseArpPacket,
  ipv6: parseIpv6Packet,
  icmpv6: parseIcmpv6Message,
} as const;

describe('codecs never throw on wire bytes (STYLE codecs)', () => {
  it.each(Object.entries(parsers))('codec: %s parser returns a result for any bytes', (_name, parse) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const result = parse(bytes);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('codecs round-trip what they parse (mdlayher ndp fuzz property)', () => {
  it.each([
    {
      rule: 'codec: Ethernet serialize(parse(b)) = b',
      parse: parseEthernetFrame,
      serialize: serializeEthernetFrame,
    },
    {
      rule: 'codec: ICMPv6 serialize(parse(b)) = b',
      parse: parseIcmpv6Message,
      serialize: (message: Parameters<typeof serializeIcmpv6Message>[0]) => serializeIcmpv6Message(message),
    },
  ] as const)('$rule', ({ parse, serialize }) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const parsed = parse(bytes);
        if (parsed.ok) expect(serialize(parsed.value as never)).toEqual(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('codec: ARP serialize(parse(b)) = the declared prefix of b', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 80 }), (bytes) => {
        const parsed = parseArpPacket(bytes);
        if (!parsed.ok) return;
        const declared = 8 + 2 * ((bytes[4] ?? 0) + (bytes[5] ?? 0));
        expect(serializeArpPacket(parsed.value)).toEqual(bytes.slice(0, declared));
      }),
      { numRuns: 3000 },
    );
  });

  it('codec: IPv6 serialize(parse(b)) = header + declared payload of b', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 40, maxLength: 120 }), fc.nat(80), (bytes, payloadLength) => {
        const frame = bytes.slice();
        frame[0] = 0x60 | ((frame[0] ?? 0) & 0x0f);
        frame[4] = 0;
        frame[5] = Math.min(payloadLength, frame.length - 40);
        const parsed = parseIpv6Packet(frame);
        expect(parsed.ok).toBe(true);
        if (parsed.ok)
          expect(serializeIpv6Packet(parsed.value)).toEqual(frame.slice(0, 40 + (frame[5] ?? 0)));
      }),
      { numRuns: 3000 },
    );
  });

  it('codec: ICMPv6 NS/NA with random options round-trip through parse', () => {
    const option = fc.record({
      type: fc.integer({ min: 0, max: 255 }),
      units: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.array(option, { maxLength: 4 }),
        (isNa, body, options) => {
          const optionBytes = options.flatMap(({ type, units }) => [
            type,
            units,
            ...new Array<number>(units * 8 - 2).fill(units),
          ]);
          const bytes = Uint8Array.from([isNa ? 136 : 135, 0, 0x12, 0x34, ...body, ...optionBytes]);
          const parsed = parseIcmpv6Message(bytes);
          expect(parsed.ok).toBe(true);
          if (parsed.ok) expect(serializeIcmpv6Message(parsed.value)).toEqual(bytes);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('codecs against kernel-captured frames', () => {
  it.each([
    { rule: 'RFC 4443 §2.3: ndisc6 NS checksum verifies', frame: NDISC6_SOLICITATION },
    { rule: 'RFC 4443 §2.3: kernel NA checksum verifies', frame: KERNEL_ADVERTISEMENT },
  ])('$rule', ({ frame }) => {
    const ethernet = parseEthernetFrame(fromHex(frame));
    expect(ethernet.ok).toBe(true);
    if (!ethernet.ok) return;
    const ipv6 = parseIpv6Packet(ethernet.value.payload);
    expect(ipv6.ok).toBe(true);
    if (!ipv6.ok) return;
    expect(icmpv6Checksum(ipv6.value.source, ipv6.value.destination, ipv6.value.payload)).toBe(0);
    expect(serializeEthernetFrame({ ...ethernet.value, payload: serializeIpv6Packet(ipv6.value) })).toEqual(
      fromHex(frame),
    );
  });

  it('RFC 4861 §4.4: the kernel NA parses to S=1 O=1 R=0 with one TLLA option', () => {
    const ethernet = parseEthernetFrame(fromHex(KERNEL_ADVERTISEMENT));
    const ipv6 = ethernet.ok ? parseIpv6Packet(ethernet.value.payload) : undefined;
    const message = ipv6?.ok ? parseIcmpv6Message(ipv6.value.payload) : undefined;
    expect(message?.ok && message.value).toMatchObject({
      kind: 'neighborAdvertisement',
      router: false,
      solicited: true,
      override: true,
      checksum: 0xba8b,
      options: [{ type: 2, data: fromHex('020000000001') }],
    });
  });

  it('RFC 826: arping request parses, padding ignored, and the reply header matches the kernel layout', () => {
    const ethernet = parseEthernetFrame(fromHex(ARPING_REQUEST));
    const arp = ethernet.ok ? parseArpPacket(ethernet.value.payload) : undefined;
    expect(arp?.ok && arp.value.operation).toBe(1);
    expect(fromHex(KERNEL_ARP_REPLY_HEADER).length).toBe(42);
  });
});

describe('codec rejections name a reason and offset', () => {
  it.each([
    {
      rule: 'codec: Ethernet shorter than 14 bytes',
      result: parseEthernetFrame(new Uint8Array(13)),
      want: { reason: 'truncated', offset: 0 },
    },
    {
      rule: 'codec: ARP declared sizes beyond the buffer',
      result: parseArpPacket(fromHex('000108000604000102')),
      want: { reason: 'truncated', offset: 4 },
    },
    {
      rule: 'codec: IPv6 version 4',
      result: parseIpv6Packet(new Uint8Array(40).fill(0x45, 0, 1)),
      want: { reason: 'unsupported', offset: 0 },
    },
    {
      rule: 'codec: IPv6 payload length beyond the buffer',
      result: parseIpv6Packet(fromHex(`6000000000013aff${'00'.repeat(32)}`)),
      want: { reason: 'bad-length', offset: 4 },
    },
    {
      rule: 'RFC 4861 §4.6: option of length 0',
      result: parseNdpOptions(fromHex('0100020000000002'), 0),
      want: { reason: 'bad-length', offset: 1 },
    },
    {
      rule: 'RFC 4861 §4.6: option running past the end',
      result: parseNdpOptions(fromHex('0102020000000002'), 0),
      want: { reason: 'truncated', offset: 1 },
    },
    {
      rule: 'RFC 4861 §4.6: one dangling option byte',
      result: parseNdpOptions(fromHex('01'), 0),
      want: { reason: 'truncated', offset: 0 },
    },
    {
      rule: 'RFC 4861 §4.3: NS shorter than its fixed body',
      result: parseIcmpv6Message(fromHex('87000000')),
      want: { reason: 'truncated', offset: 4 },
    },
  ])('$rule', ({ result, want }) => {
    expect(result).toEqual({ ok: false, ...want });
  });
});

describe('address text (RFC 5952)', () => {
  it.each([
    {
      rule: 'RFC 5952 §4.2.1: longest zero run compressed',
      text: '2001:0db8:0001:0000:0000:0000:0000:0010',
      want: '2001:db8:1::10',
    },
    {
      rule: 'RFC 5952 §4.2.2: a single zero group is not compressed',
      text: '2001:db8:0:1:1:1:1:1',
      want: '2001:db8:0:1:1:1:1:1',
    },
    {
      rule: 'RFC 5952 §4.2.3: the first of equal runs is compressed',
      text: '2001:0:0:1:0:0:1:1',
      want: '2001::1:0:0:1:1',
    },
    { rule: 'RFC 5952 §4.3: lower case', text: '2001:DB8:1::A', want: '2001:db8:1::a' },
    { rule: 'RFC 4291 §2.2: dotted-quad tail', text: '::ffff:198.51.100.1', want: '::ffff:c633:6401' },
    { rule: 'RFC 4291: the unspecified address', text: '::', want: '::' },
  ])('$rule', ({ text, want }) => {
    expect(canonicalIp(text)?.text).toBe(want);
  });

  it.each(['1.2.3', '1.2.3.256', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'g::1', ''])(
    'address: %j is rejected',
    (text) => {
      expect(canonicalIp(text)).toBeUndefined();
    },
  );

  it('RFC 5952: format then parse is the identity on 16 random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        expect(parseIPv6(formatIPv6(bytes))).toEqual(bytes);
      }),
    );
  });
});
