// The addon's C decision and reply builder, checked byte by byte against RFC 826 / RFC 4861 and
// MetalLB L10–L12 through classifyFrame (no socket, no root needed).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyFrame,
  dropReasons,
  nativeDropReasons,
  type OwnedTable,
  PacketSocket,
  PacketSocketError,
  setResponderPriority,
} from '../../../src/l2/native.js';
import {
  ALL_NODES,
  ALL_NODES_MAC,
  arpFrame,
  BROADCAST,
  icmpv6Checksum,
  ipv4,
  ipv6,
  mac,
  multicastMac,
  nsFrame,
  solicitedNode,
} from './native-frames.js';

const OUR_MAC = mac('02:00:00:00:00:01');
const CLIENT_MAC = mac('02:00:00:00:00:02');
const VIP4 = ipv4('203.0.113.7');
const VIP6 = ipv6('2001:db8:1::7');
const CLIENT4 = ipv4('198.51.100.2');
const CLIENT6 = ipv6('2001:db8:1::2');
const table: OwnedTable = {
  mac: OUR_MAC,
  ipv4: [ipv4('203.0.113.9'), VIP4, ipv4('203.0.113.1')],
  ipv6: [ipv6('2001:db8:1::9'), VIP6],
};

const request = (overrides: Partial<Parameters<typeof arpFrame>[0]> = {}) =>
  arpFrame({ destination: BROADCAST, source: CLIENT_MAC, senderIp: CLIENT4, targetIp: VIP4, ...overrides });
const solicitation = (overrides: Partial<Parameters<typeof nsFrame>[0]> = {}) =>
  nsFrame({
    destinationMac: multicastMac(solicitedNode(VIP6)),
    sourceMac: CLIENT_MAC,
    source: CLIENT6,
    destination: solicitedNode(VIP6),
    target: VIP6,
    sourceLinkLayer: CLIENT_MAC,
    ...overrides,
  });

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

// L11: Ethernet to the ARP sender MAC, op 2, (our MAC, VIP) -> (requester MAC, requester IP), 60 bytes.
function expectedArpReply(requesterMac: Uint8Array, requesterIp: Uint8Array): string {
  const reply = new Uint8Array(60);
  reply.set(requesterMac, 0);
  reply.set(OUR_MAC, 6);
  reply.set([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2], 12);
  reply.set(OUR_MAC, 22);
  reply.set(VIP4, 28);
  reply.set(requesterMac, 32);
  reply.set(requesterIp, 38);
  return hex(reply);
}

describe('classifyFrame: ARP', () => {
  it.each([
    { rule: 'L10: broadcast request for an owned IP is answered', frame: request(), requesterIp: CLIENT4 },
    {
      rule: 'L10: unicast request to our MAC (cache refresh) is answered',
      frame: request({ destination: OUR_MAC }),
      requesterIp: CLIENT4,
    },
    {
      rule: 'RFC 5227: a probe (sender IP 0.0.0.0) is answered with target IP 0.0.0.0',
      frame: request({ senderIp: ipv4('0.0.0.0') }),
      requesterIp: ipv4('0.0.0.0'),
    },
    {
      rule: 'L11: a padded 60-byte request is answered like a 42-byte one',
      frame: Uint8Array.from([...request(), ...new Uint8Array(18)]),
      requesterIp: CLIENT4,
    },
  ])('$rule', ({ frame, requesterIp }) => {
    const verdict = classifyFrame(frame, table, 'arp');
    expect(verdict.verdict === 'answer' ? hex(verdict.reply) : verdict).toBe(
      expectedArpReply(CLIENT_MAC, requesterIp),
    );
  });

  it('L11: the reply goes to the ARP sender hardware address, not the Ethernet source', () => {
    const other = mac('02:00:00:00:00:33');
    const verdict = classifyFrame(request({ senderMac: other }), table, 'arp');
    expect(verdict.verdict === 'answer' ? hex(verdict.reply) : verdict).toBe(
      expectedArpReply(other, CLIENT4),
    );
  });

  it.each([
    { rule: 'L10: ARP reply is not answered', frame: request({ operation: 2 }), reason: 'arpReply' },
    { rule: 'L10: unknown ARP op is not answered', frame: request({ operation: 9 }), reason: 'arpReply' },
    {
      rule: 'L10: unicast to another MAC is not for us',
      frame: request({ destination: CLIENT_MAC }),
      reason: 'ethernetDestination',
    },
    { rule: 'L8: target not owned', frame: request({ targetIp: ipv4('203.0.113.8') }), reason: 'announceIP' },
    {
      rule: 'RFC 826: hardware length 8 is not Ethernet',
      frame: request({ hardwareLength: 8 }),
      reason: 'malformed',
    },
    { rule: 'RFC 826: truncated request', frame: request().subarray(0, 41), reason: 'malformed' },
    { rule: 'RFC 826: shorter than Ethernet', frame: request().subarray(0, 13), reason: 'malformed' },
    { rule: 'socket protocol: an NS on the ARP socket', frame: solicitation(), reason: 'etherType' },
  ])('$rule', ({ frame, reason }) => {
    expect(classifyFrame(frame, table, 'arp')).toEqual({ verdict: 'drop', reason });
  });

  it('RFC 826: htype 6 (IEEE 802) with Ethernet sizes is arpFormat', () => {
    const frame = request();
    frame[15] = 6;
    expect(classifyFrame(frame, table, 'arp')).toEqual({ verdict: 'drop', reason: 'arpFormat' });
  });
});

interface ExpectedAdvertisement {
  destinationMac: Uint8Array;
  destination: Uint8Array;
  flags: number;
}

// RFC 4861 §4.4: IPv6 source = VIP, hop limit 255, type 136, flags, target, one TLLA (our MAC).
function expectedAdvertisement({ destinationMac, destination, flags }: ExpectedAdvertisement): string {
  const message = new Uint8Array(32);
  message.set([136, 0, 0, 0, flags], 0);
  message.set(VIP6, 8);
  message.set([2, 1, ...OUR_MAC], 24);
  const checksum = icmpv6Checksum(VIP6, destination, message);
  message.set([checksum >> 8, checksum & 0xff], 2);
  const header = [0x86, 0xdd, 0x60, 0, 0, 0, 0, 32, 58, 255];
  return hex(
    Uint8Array.from([...destinationMac, ...OUR_MAC, ...header, ...VIP6, ...destination, ...message]),
  );
}

describe('classifyFrame: NDP', () => {
  const toClient = { destinationMac: CLIENT_MAC, destination: CLIENT6, flags: 0x60 };
  it.each([
    { rule: 'L12: multicast NS answered unicast, S=1 O=1 (Q6)', frame: solicitation(), want: toClient },
    {
      rule: 'Q4: unicast NS to the VIP (NUD, metallb#2920) is answered',
      frame: solicitation({ destinationMac: OUR_MAC, destination: VIP6, sourceLinkLayer: undefined }),
      want: toClient,
    },
    {
      rule: 'Q6: the reply goes to the SLLA MAC when it differs from the Ethernet source',
      frame: solicitation({ sourceLinkLayer: mac('02:00:00:00:00:44') }),
      want: { ...toClient, destinationMac: mac('02:00:00:00:00:44') },
    },
    {
      rule: 'RFC 4861 §7.2.4: a DAD probe is defended to ff02::1 with S=0 O=1',
      frame: solicitation({ source: ipv6('::'), sourceLinkLayer: undefined }),
      want: { destinationMac: ALL_NODES_MAC, destination: ALL_NODES, flags: 0x20 },
    },
    {
      rule: 'RFC 4861 §4.6: unknown options are skipped',
      frame: solicitation({ extraOptions: [14, 1, 1, 2, 3, 4, 5, 6] }),
      want: toClient,
    },
  ])('$rule', ({ frame, want }) => {
    const verdict = classifyFrame(frame, table, 'ipv6');
    expect(verdict.verdict === 'answer' ? hex(verdict.reply) : verdict).toBe(expectedAdvertisement(want));
  });

  const truncatedPayload = solicitation();
  truncatedPayload[19] = 200; // payload length far past the frame's end
  it.each([
    { rule: 'RFC 4861 §7.1.1: hop limit 254', frame: solicitation({ hopLimit: 254 }), reason: 'hopLimit' },
    { rule: 'RFC 4861 §7.1.1: bad checksum', frame: solicitation({ checksumDelta: 1 }), reason: 'checksum' },
    {
      rule: 'RFC 4861 §7.1.1: option length 0',
      frame: solicitation({ extraOptions: [14, 0, 0, 0, 0, 0, 0, 0] }),
      reason: 'malformed',
    },
    { rule: 'RFC 4861 §7.1.1: code 1', frame: solicitation({ code: 1 }), reason: 'messageType' },
    { rule: 'L12: an NA is not a request', frame: solicitation({ type: 136 }), reason: 'messageType' },
    { rule: 'L12: a router solicitation', frame: solicitation({ type: 133 }), reason: 'messageType' },
    { rule: 'NS carry no extension headers', frame: solicitation({ nextHeader: 0 }), reason: 'messageType' },
    { rule: 'sizes: payload length past the frame', frame: truncatedPayload, reason: 'malformed' },
    { rule: 'sizes: cut inside the target', frame: solicitation().subarray(0, 70), reason: 'malformed' },
    {
      rule: 'L8: target not owned',
      frame: solicitation({ target: ipv6('2001:db8:1::8') }),
      reason: 'announceIP',
    },
    {
      rule: 'L12: Ethernet destination neither us nor the group',
      frame: solicitation({ destinationMac: CLIENT_MAC }),
      reason: 'ethernetDestination',
    },
    {
      rule: 'L12: IPv6 destination another group',
      frame: solicitation({ destination: ipv6('ff02::1:ff00:1') }),
      reason: 'ipDestination',
    },
    {
      rule: 'RFC 4861 §7.1.1: a DAD probe with an SLLA option',
      frame: solicitation({ source: ipv6('::') }),
      reason: 'dadWithSourceLL',
    },
    { rule: 'socket protocol: ARP on the IPv6 socket', frame: request(), reason: 'etherType' },
  ])('$rule', ({ frame, reason }) => {
    expect(classifyFrame(frame, table, 'ipv6')).toEqual({ verdict: 'drop', reason });
  });
});

describe('classifyFrame: robustness and tables', () => {
  it('every drop reason the addon reports is in the TypeScript union, in order', () => {
    expect(nativeDropReasons()).toEqual(dropReasons);
  });

  it('random bytes never throw and only well-formed replies come out', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 128 }),
        fc.constantFrom('arp', 'ipv6' as const),
        (bytes, protocol) => {
          const verdict = classifyFrame(bytes, table, protocol);
          if (verdict.verdict === 'drop') return dropReasons.includes(verdict.reason);
          return verdict.reply.length === (protocol === 'arp' ? 60 : 86);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('A lookup: every IP of a large unsorted table with duplicates is found', () => {
    const addresses = Array.from({ length: 500 }, (_, index) => ipv4(`203.0.113.${(index * 37) % 256}`));
    const large: OwnedTable = { mac: OUR_MAC, ipv4: addresses, ipv6: [] };
    for (const address of addresses) {
      expect(classifyFrame(request({ targetIp: address }), large, 'arp').verdict).toBe('answer');
    }
  });

  it.each([
    { rule: 'table.mac must be 6 bytes', bad: { ...table, mac: new Uint8Array(5) }, field: 'table.mac' },
    {
      rule: 'table.ipv4 entries must be 4 bytes',
      bad: { ...table, ipv4: [new Uint8Array(16)] },
      field: 'table.ipv4',
    },
    { rule: 'table.ipv6 must be an array', bad: { ...table, ipv6: 'x' }, field: 'table.ipv6' },
  ])('input validation: $rule', ({ bad, field }) => {
    expect(() => classifyFrame(request(), bad as unknown as OwnedTable, 'arp')).toThrow(field);
  });

  it('input validation: an unknown protocol is refused', () => {
    expect(() => classifyFrame(request(), table, 'ipx' as 'arp')).toThrow("'arp' or 'ipv6'");
  });

  it('errors: a missing interface is ENODEV naming the interface', () => {
    const error = (() => {
      try {
        PacketSocket.open('flbmissing0', 'arp');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(PacketSocketError);
    expect(error).toMatchObject({ errno: 'ENODEV', interfaceName: 'flbmissing0', code: 'FERROLB_NATIVE' });
    expect((error as Error).message).toContain('interface flbmissing0');
  });

  it.each([100, -1, 1.5])('input validation: responder priority %s is refused', (priority) => {
    expect(() => setResponderPriority(priority)).toThrow('priority must be an integer from 0 to 99');
  });

  it('input validation: an over-long interface name is refused before any syscall', () => {
    expect(() => PacketSocket.open('a-very-long-interface-name', 'arp')).toThrow('interfaceName');
  });
});
