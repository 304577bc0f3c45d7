import { describe, expect, it } from 'vitest';
import { classify, type ResponderTable } from '../../../src/l2/classify.js';
import {
  ALL_NODES_ADDRESS,
  ALL_NODES_MAC,
  makeLinkLayerOption,
  NdpOptionType,
  parseEthernetFrame,
  parseIcmpv6Message,
  parseIpv6Packet,
} from '../../../src/l2/codec/index.js';
import {
  arpFrame,
  CLIENT_MAC,
  CLIENT6,
  hex,
  ipv6,
  mac,
  OTHER_MAC,
  OUR_MAC,
  solicitationFrame,
  TABLE,
  VIP6,
} from './fixtures.js';
import {
  ARPING_REQUEST,
  fromHex,
  KERNEL_ADVERTISEMENT,
  KERNEL_ARP_REPLY_HEADER,
  NDISC6_SOLICITATION,
} from './kernel-vectors.js';

/** MetalLB L11: the reply to the default request, one wire field per line, padded to 60 bytes. */
const EXPECTED_ARP_REPLY = [
  '020000000002', // Ethernet destination: the request's ARP sender MAC
  '020000000001', // Ethernet source: our MAC
  '0806', // EtherType ARP
  '0001', // hardware type Ethernet
  '0800', // protocol type IPv4
  '06', // hardware length
  '04', // protocol length
  '0002', // operation reply
  '020000000001', // sender MAC: ours
  'cb00710a', // sender IP: the VIP 203.0.113.10
  '020000000002', // target MAC: the requester
  'c6336402', // target IP: the requester 198.51.100.2
  '00'.repeat(18), // padding to 60 bytes
].join('');

describe('classify ARP (MetalLB L10/L11, RFC 5227)', () => {
  it.each([
    {
      rule: 'L10: broadcast request for an owned IP is answered',
      frame: arpFrame({}),
      want: EXPECTED_ARP_REPLY,
    },
    {
      rule: 'L10: unicast request to our MAC (cache refresh) is answered',
      frame: arpFrame({ ethernetDestination: OUR_MAC }),
      want: EXPECTED_ARP_REPLY,
    },
    {
      rule: 'L11: reply goes to the ARP sender MAC, not the Ethernet source',
      frame: arpFrame({ ethernetSource: OTHER_MAC }),
      want: EXPECTED_ARP_REPLY,
    },
    {
      rule: 'RFC 5227 §2.1.1: a probe (sender IP 0.0.0.0) is answered to 0.0.0.0',
      frame: arpFrame({ senderIp: '0.0.0.0' }),
      want: EXPECTED_ARP_REPLY.replace('c6336402', '00000000'),
    },
  ])('$rule', ({ frame, want }) => {
    const verdict = classify(frame, TABLE, 'arp');
    expect(verdict.verdict === 'answer' && hex(verdict.reply)).toBe(want);
  });

  it('L11: the reply to a captured arping request matches the kernel reply byte for byte (plus padding)', () => {
    const table: ResponderTable = { mac: mac(OUR_MAC), ipv4: new Set(['198.51.100.1']), ipv6: new Set() };
    const verdict = classify(fromHex(ARPING_REQUEST), table, 'arp');
    expect(verdict.verdict === 'answer' && hex(verdict.reply)).toBe(
      KERNEL_ARP_REPLY_HEADER + '00'.repeat(18),
    );
  });

  it.each([
    {
      rule: 'L10: unicast to another MAC is dropped',
      frame: arpFrame({ ethernetDestination: OTHER_MAC }),
      reason: 'ethernetDestination',
    },
    { rule: 'L9 ARPReply: a reply is not answered', frame: arpFrame({ operation: 2 }), reason: 'arpReply' },
    {
      rule: 'L9 ARPReply: an unknown opcode is not answered',
      frame: arpFrame({ operation: 3 }),
      reason: 'arpReply',
    },
    {
      rule: 'L8 AnnounceIP: a non-owned target is not answered',
      frame: arpFrame({ targetIp: '203.0.113.11' }),
      reason: 'announceIP',
    },
    {
      rule: 'RFC 826: hardware type other than Ethernet',
      frame: arpFrame({ hardwareType: 6 }),
      reason: 'arpFormat',
    },
    {
      rule: 'RFC 826: protocol type other than IPv4',
      frame: arpFrame({ protocolType: 0x86dd }),
      reason: 'arpFormat',
    },
    { rule: 'codec: truncated ARP body', frame: arpFrame({}).slice(0, 41), reason: 'malformed' },
    { rule: 'codec: shorter than an Ethernet header', frame: new Uint8Array(10), reason: 'malformed' },
    { rule: 'socket: an IPv6 frame on the ARP socket', frame: solicitationFrame(), reason: 'etherType' },
  ])('$rule', ({ frame, reason }) => {
    expect(classify(frame, TABLE, 'arp')).toEqual({ verdict: 'drop', reason });
  });
});

function advertisementOf(reply: Uint8Array) {
  const ethernet = parseEthernetFrame(reply);
  if (!ethernet.ok) throw new Error('reply is not Ethernet');
  const packet = parseIpv6Packet(ethernet.value.payload);
  if (!packet.ok) throw new Error('reply is not IPv6');
  const message = parseIcmpv6Message(packet.value.payload);
  if (!message.ok || message.value.kind !== 'neighborAdvertisement') throw new Error('reply is not an NA');
  return { ethernet: ethernet.value, packet: packet.value, message: message.value };
}

describe('classify NDP (RFC 4861, MetalLB L12, Q4/Q6/Q7)', () => {
  it('Q6: the NA to a captured ndisc6 NS is byte-identical to the kernel NA (S=1 O=1, source = VIP)', () => {
    const table: ResponderTable = { mac: mac(OUR_MAC), ipv4: new Set(), ipv6: new Set(['2001:db8:1::10']) };
    const verdict = classify(fromHex(NDISC6_SOLICITATION), table, 'ipv6');
    expect(verdict.verdict === 'answer' && hex(verdict.reply)).toBe(KERNEL_ADVERTISEMENT);
  });

  it.each([
    {
      rule: 'L12: multicast NS to the solicited-node group is answered',
      frame: solicitationFrame(),
      ethernet: CLIENT_MAC,
      ip: CLIENT6,
    },
    {
      rule: 'Q4: unicast NS to the VIP (NUD, metallb#2920) is answered',
      frame: solicitationFrame({ ethernetDestination: OUR_MAC, destination: VIP6 }),
      ethernet: CLIENT_MAC,
      ip: CLIENT6,
    },
    {
      rule: 'RFC 4861 §7.2.3: NS to ff02::1 is answered',
      frame: solicitationFrame({ ethernetDestination: '33:33:00:00:00:01', destination: 'ff02::1' }),
      ethernet: CLIENT_MAC,
      ip: CLIENT6,
    },
    {
      rule: 'RFC 4861 §7.2.4: without SLLA the NA goes to the Ethernet source',
      frame: solicitationFrame({ options: [], ethernetSource: OTHER_MAC }),
      ethernet: OTHER_MAC,
      ip: CLIENT6,
    },
    {
      rule: 'RFC 4861 §7.2.4: the SLLA option wins over the Ethernet source',
      frame: solicitationFrame({ ethernetSource: OTHER_MAC }),
      ethernet: CLIENT_MAC,
      ip: CLIENT6,
    },
    {
      rule: 'RFC 4861 §4.6: unknown options are skipped, not rejected',
      frame: solicitationFrame({
        options: [{ type: 99, data: new Uint8Array(14) }, makeLinkLayerOption(1, mac(CLIENT_MAC))],
      }),
      ethernet: CLIENT_MAC,
      ip: CLIENT6,
    },
  ])('$rule', ({ frame, ethernet, ip }) => {
    const verdict = classify(frame, TABLE, 'ipv6');
    if (verdict.verdict !== 'answer') throw new Error(`dropped: ${verdict.reason}`);
    const reply = advertisementOf(verdict.reply);
    expect(reply.ethernet.destination).toEqual(mac(ethernet));
    expect(reply.ethernet.source).toEqual(mac(OUR_MAC));
    expect(reply.packet).toMatchObject({ source: ipv6(VIP6), destination: ipv6(ip), hopLimit: 255 });
    expect(reply.message).toMatchObject({
      router: false,
      solicited: true,
      override: true,
      target: ipv6(VIP6),
    });
    expect(reply.message.options).toEqual([
      { type: NdpOptionType.targetLinkLayerAddress, data: mac(OUR_MAC) },
    ]);
  });

  it('Q7: a DAD probe for the VIP is defended with an NA to ff02::1, S=0 O=1 (RFC 4861 §7.2.4)', () => {
    const verdict = classify(solicitationFrame({ source: '::', options: [] }), TABLE, 'ipv6');
    if (verdict.verdict !== 'answer') throw new Error(`dropped: ${verdict.reason}`);
    const reply = advertisementOf(verdict.reply);
    expect(reply.ethernet.destination).toEqual(ALL_NODES_MAC);
    expect(reply.packet).toMatchObject({ source: ipv6(VIP6), destination: ALL_NODES_ADDRESS, hopLimit: 255 });
    expect(reply.message).toMatchObject({ solicited: false, override: true, router: false });
  });

  const badOption = { type: 1, data: new Uint8Array(0) };
  // The first 16 ICMPv6 bytes of an NS, with the IPv6 payload length saying 16.
  const shortSolicitation = () => {
    const frame = solicitationFrame().slice(0, 14 + 40 + 16);
    frame.set([0, 16], 18);
    return frame;
  };
  it.each([
    {
      rule: 'RFC 4861 §7.1.1: hop limit 254 is dropped',
      frame: solicitationFrame({ hopLimit: 254 }),
      reason: 'hopLimit',
    },
    {
      rule: 'RFC 4861 §7.1.1: a bad checksum is dropped',
      frame: solicitationFrame({ corruptChecksum: true }),
      reason: 'checksum',
    },
    {
      rule: 'RFC 4861 §7.1.1: code 1 is dropped',
      frame: solicitationFrame({ code: 1 }),
      reason: 'messageType',
    },
    {
      rule: 'L9 MessageType: an NA is not answered',
      frame: solicitationFrame({ type: 136 }),
      reason: 'messageType',
    },
    {
      rule: 'L9 AnnounceIP: a non-owned target is dropped',
      frame: solicitationFrame({ target: '2001:db8:1::11' }),
      reason: 'announceIP',
    },
    {
      rule: 'L9 EthernetDestination: another solicited-node MAC is dropped',
      frame: solicitationFrame({ ethernetDestination: '33:33:ff:00:00:11' }),
      reason: 'ethernetDestination',
    },
    {
      rule: 'L9 EthernetDestination: another unicast MAC is dropped',
      frame: solicitationFrame({ ethernetDestination: OTHER_MAC, destination: VIP6 }),
      reason: 'ethernetDestination',
    },
    {
      rule: 'RFC 4861 §7.1.1: an IPv6 destination that is neither the target nor its group is dropped',
      frame: solicitationFrame({ ethernetDestination: OUR_MAC, destination: '2001:db8:1::99' }),
      reason: 'ipDestination',
    },
    {
      rule: 'RFC 4861 §7.1.1: a DAD probe with an SLLA option is dropped',
      frame: solicitationFrame({ source: '::' }),
      reason: 'dadWithSourceLL',
    },
    {
      rule: 'RFC 4861 §4.6: an option of length 0 is dropped',
      frame: solicitationFrame({ options: [badOption] }),
      reason: 'malformed',
    },
    { rule: 'codec: IPv6 header cut short', frame: solicitationFrame().slice(0, 50), reason: 'malformed' },
    {
      rule: 'RFC 4861 §4.3: NS body cut short (honest IPv6 length)',
      frame: shortSolicitation(),
      reason: 'malformed',
    },
    { rule: 'socket: an ARP frame on the IPv6 socket', frame: arpFrame({}), reason: 'etherType' },
  ])('$rule', ({ frame, reason }) => {
    expect(classify(frame, TABLE, 'ipv6')).toEqual({ verdict: 'drop', reason });
  });
});
