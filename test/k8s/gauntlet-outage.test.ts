// The outage oracle's pure parts must be able to fail (issue 12): ping lines parse, lost echoes
// become outages of the right length and phase, stalls without loss are not outages, the 16-bit
// sequence wraps, and captured gossip is read back from a pcap file byte for byte.
import { describe, expect, it } from 'vitest';
import { hashOrder } from '../../src/election/index.js';
import { forgedMemberPackets, udpDatagrams } from '../gauntlet/gossip-attacks.js';
import { OPEN_AFTER_MS, outageIn, parseReply, ReplyTrack, worstOutage } from '../gauntlet/outage.js';
import { trioServices } from '../gauntlet/outage-lab.js';

const T0 = 1_800_000_000_000;

/** A track fed replies `sequence -> at` (ms after T0). */
function track(replies: readonly [number, number][]): ReplyTrack {
  const built = new ReplyTrack();
  for (const [sequence, at] of replies) built.reply(T0 + at, sequence);
  return built;
}

/** Replies every 10 ms for sequences [first, last], starting at `at`. */
function steady(first: number, last: number, at: number): [number, number][] {
  return Array.from({ length: last - first + 1 }, (_, index) => [first + index, at + index * 10]);
}

describe('gauntlet outage oracle', () => {
  it('parses a ping -D reply line and ignores every other line', () => {
    expect(
      parseReply('[1796496894.029230] 64 bytes from 203.0.113.5: icmp_seq=1 ttl=64 time=0.535 ms'),
    ).toEqual({
      atMs: 1796496894029,
      sequence: 1,
    });
    expect(
      parseReply('[1796496894.063437] 64 bytes from 2001:db8:1::c:1: icmp_seq=7 ttl=64 time=0.1 ms'),
    ).toEqual({
      atMs: 1796496894063,
      sequence: 7,
    });
    expect(
      parseReply('[1796496894.1] From 198.51.100.100 icmp_seq=9 Destination Host Unreachable'),
    ).toBeUndefined();
    expect(parseReply('PING 203.0.113.5 (203.0.113.5) 56(84) bytes of data.')).toBeUndefined();
  });

  it.each([
    ['no loss', [...steady(1, 100, 0)], { longestMs: 0, lost: 0 }],
    [
      'a 2 s hole: 199 echoes lost',
      [...steady(1, 50, 0), ...steady(250, 300, 2490)],
      { longestMs: 2000, lost: 199 },
    ],
    [
      'a 1 s stall of ping with nothing lost is no outage',
      [...steady(1, 50, 0), ...steady(51, 60, 1490)],
      { longestMs: 0, lost: 0 },
    ],
    [
      'duplicates and late replies are ignored',
      [
        [1, 0],
        [2, 10],
        [2, 11],
        [1, 12],
        [3, 20],
      ],
      { longestMs: 0, lost: 0 },
    ],
    [
      'the 16-bit sequence wraps without a false outage',
      [
        [65_534, 0],
        [65_535, 10],
        [0, 20],
        [1, 30],
      ],
      { longestMs: 0, lost: 0 },
    ],
    [
      'a loss across the wrap counts',
      [
        [65_535, 0],
        [3, 40],
      ],
      { longestMs: 40, lost: 3 },
    ],
  ] as const)('%s', (_name, replies, expected) => {
    const fed = replies as [number, number][];
    // "Now" is just after the last reply: no open outage in these rows.
    const nowMs = T0 + Math.max(...fed.map(([, at]) => at)) + 10;
    const outage = outageIn('203.0.113.1', track(fed), { from: T0, to: T0 + 10_000, nowMs });
    expect({ longestMs: outage.longestMs, lost: outage.lost }).toEqual(expected);
  });

  it('a phase owns the outages that begin in it, not those that began before', () => {
    const holes = track([...steady(1, 100, 0), ...steady(300, 400, 2990), ...steady(500, 510, 4990)]);
    const window = (from: number, to: number) => ({ from: T0 + from, to: T0 + to, nowMs: T0 + 6_000 });
    expect(outageIn('ip', holes, window(0, 1_000)).longestMs).toBe(2_000); // 990 -> 2990
    expect(outageIn('ip', holes, window(1_500, 3_500)).longestMs).toBe(0);
    expect(outageIn('ip', holes, window(3_500, 6_000)).longestMs).toBe(1_000); // 3990 -> 4990
  });

  it('a silence shorter than OPEN_AFTER_MS is a busy machine, not an open outage', () => {
    const quiet = track(steady(1, 100, 0));
    const outage = outageIn('ip', quiet, { from: T0, to: T0 + 5_000, nowMs: T0 + 990 + OPEN_AFTER_MS });
    expect({ longestMs: outage.longestMs, lost: outage.lost }).toEqual({ longestMs: 0, lost: 0 });
  });

  it('an outage still open at the end of a phase counts up to now', () => {
    const open = track(steady(1, 100, 0));
    const outage = outageIn('ip', open, { from: T0, to: T0 + 5_000, nowMs: T0 + 4_990 });
    expect(outage.longestMs).toBe(4_000);
    expect(outage.lost).toBe(399);
  });

  it('the worst outage is the longest, then the one with most lost', () => {
    const a = { ip: 'a', longestMs: 20, lost: 1, at: 0 };
    const b = { ip: 'b', longestMs: 900, lost: 89, at: 0 };
    expect(worstOutage([a, b])?.ip).toBe('b');
    expect(worstOutage([])).toBeUndefined();
  });
});

/** A little-endian pcap file of Ethernet frames, each an IPv4/UDP datagram to `port`. */
function pcapOf(datagrams: readonly { address: number[]; port: number; payload: Buffer }[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65_535, 16);
  header.writeUInt32LE(1, 20);
  const records = datagrams.map(({ address, port, payload }, index) => {
    const ethernet = Buffer.alloc(14);
    ethernet.writeUInt16BE(0x0800, 12);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip[9] = 17;
    ip.writeUInt16BE(28 + payload.length, 2);
    Buffer.from([198, 51, 100, 100]).copy(ip, 12);
    Buffer.from(address).copy(ip, 16);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(40_000, 0);
    udp.writeUInt16BE(port, 2);
    udp.writeUInt16BE(8 + payload.length, 4);
    const frame = Buffer.concat([ethernet, ip, udp, payload]);
    const record = Buffer.alloc(16);
    record.writeUInt32LE(1_800_000_000 + index, 0);
    record.writeUInt32LE(250_000, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    return Buffer.concat([record, frame]);
  });
  return Buffer.concat([header, ...records]);
}

describe('gauntlet gossip attack tools', () => {
  it('reads captured gossip datagrams back from a pcap file, other ports left out', () => {
    const sealed = Buffer.from([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
      29,
    ]);
    const pcap = pcapOf([
      { address: [198, 51, 100, 11], port: 7946, payload: sealed },
      { address: [198, 51, 100, 12], port: 53, payload: Buffer.from('dns') },
      { address: [198, 51, 100, 13], port: 7946, payload: Buffer.alloc(0) },
    ]);
    const source = '198.51.100.100';
    expect(udpDatagrams(pcap, 7946)).toEqual([
      { source, address: '198.51.100.11', port: 7946, payload: sealed, atMs: 1_800_000_000_250 },
      { source, address: '198.51.100.13', port: 7946, payload: Buffer.alloc(0), atMs: 1_800_000_002_250 },
    ]);
    expect(() => udpDatagrams(Buffer.alloc(24, 0xff), 7946)).toThrow(/not a little-endian pcap/);
  });

  it('forged member packets are plaintext gossip with distinct alive records at lab addresses', () => {
    const packets = forgedMemberPackets({ packets: 150, perPacket: 2, port: 7946 });
    const records = packets.flatMap((packet) => {
      expect(packet[0]).toBe(0);
      const message = JSON.parse(packet.subarray(1).toString('utf8')) as {
        type: string;
        updates: { name: string; address: string; state: string }[];
      };
      expect(message.type).toBe('gossip');
      return message.updates;
    });
    expect(new Set(records.map((record) => record.name)).size).toBe(300);
    expect(
      records.every(
        (record) => record.state === 'alive' && /^198\.51\.100\.(1[2-9]\d|2[0-2]\d)$/.test(record.address),
      ),
    ).toBe(true);
  });
});

describe('gauntlet outage trio', () => {
  it.each([[['node-a', 'node-b', 'node-c']], [['node-x', 'node-y', 'node-z']]])(
    'every node of %j owns a VIP (E8 over each Service first IP), one of them dual-stack',
    (nodes) => {
      const services = trioServices(nodes);
      const owners = services.map((service) => hashOrder(nodes, service.ips[0] as string)[0]);
      expect(new Set(owners).size).toBe(nodes.length);
      expect(services.filter((service) => service.dualStack).map((service) => service.ips.length)).toEqual([
        2,
      ]);
    },
  );
});
