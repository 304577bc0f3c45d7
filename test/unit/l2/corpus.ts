// A deterministic fuzz corpus of ARP and NDP frames: random bytes plus valid requests mutated one
// field or byte at a time (with the checksum repaired in half of the NDP cases, so mutations reach
// the checks behind it). Shared by the differential test and the netns wire-fuzz test.
import { icmpv6Checksum } from '../../../src/l2/codec/index.js';
import { arpFrame, CLIENT_MAC, mac, OTHER_MAC, OUR_MAC, solicitationFrame, VIP4, VIP6 } from './fixtures.js';

/** xorshift32: a seeded generator so every run and every failure is reproducible. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

/** Sender MACs a requester must never have (issue 12 #11): broadcast, multicast, zero. */
export const HOSTILE_MACS = [
  'ff:ff:ff:ff:ff:ff',
  '01:00:5e:00:00:01',
  '33:33:00:00:00:01',
  '00:00:00:00:00:00',
];

type Random = () => number;

/** The client's MAC, one time in twenty a hostile one. */
const sometimesHostile = (random: Random): string =>
  random() < 0.05 ? pick(random, HOSTILE_MACS) : CLIENT_MAC;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const integer = (random: Random, limit: number): number => Math.floor(random() * limit);

function baseArp(random: Random): Uint8Array {
  return arpFrame({
    ethernetDestination: pick(random, ['ff:ff:ff:ff:ff:ff', OUR_MAC, OTHER_MAC]),
    operation: pick(random, [1, 1, 1, 2, 3, 0]),
    senderIp: pick(random, ['198.51.100.2', '0.0.0.0', VIP4]),
    targetIp: pick(random, [VIP4, VIP4, '203.0.113.11', '0.0.0.0']),
    senderMac: random() < 0.05 ? pick(random, HOSTILE_MACS) : pick(random, [CLIENT_MAC, OTHER_MAC, OUR_MAC]),
    ethernetSource: sometimesHostile(random),
    hardwareType: pick(random, [1, 1, 1, 6]),
    protocolType: pick(random, [0x0800, 0x0800, 0x86dd]),
  });
}

function baseSolicitation(random: Random): Uint8Array {
  const target = pick(random, [VIP6, VIP6, '2001:db8:1::11']);
  const unicast = random() < 0.3;
  const option = pick(random, [
    [{ type: 1, data: Uint8Array.from([2, 0, 0, 0, 0, 2]) }],
    [],
    [
      { type: 99, data: new Uint8Array(6) },
      { type: 1, data: Uint8Array.from([2, 0, 0, 0, 0, 3]) },
    ],
    [{ type: 1, data: new Uint8Array(14).fill(7) }],
    [{ type: 1, data: mac(pick(random, HOSTILE_MACS)) }],
  ]);
  return solicitationFrame({
    target,
    source: pick(random, ['2001:db8:1::2', '::', 'fe80::2']),
    ethernetSource: sometimesHostile(random),
    ...(unicast
      ? {
          destination: pick(random, [VIP6, 'ff02::1', '2001:db8:1::99']),
          ethernetDestination: pick(random, [OUR_MAC, '33:33:00:00:00:01']),
        }
      : {}),
    hopLimit: pick(random, [255, 255, 255, 254, 1]),
    options: option,
    code: pick(random, [0, 0, 0, 1]),
    type: pick(random, [135, 135, 135, 136]),
  });
}

// Recomputes the ICMPv6 checksum when the frame still looks like Ethernet + IPv6 + ICMPv6.
function repairChecksum(frame: Uint8Array): void {
  if (frame.length < 14 + 40 + 4 || frame[12] !== 0x86 || frame[13] !== 0xdd) return;
  const payloadLength = ((frame[18] ?? 0) << 8) | (frame[19] ?? 0);
  if (14 + 40 + payloadLength > frame.length || payloadLength < 4) return;
  const message = frame.slice(54, 54 + payloadLength);
  message.set([0, 0], 2);
  const checksum = icmpv6Checksum(frame.slice(22, 38), frame.slice(38, 54), message);
  frame.set([checksum >>> 8, checksum & 0xff], 56);
}

function mutate(random: Random, base: Uint8Array): Uint8Array {
  const kind = integer(random, 5);
  if (kind === 0) return base.slice(0, integer(random, base.length + 1));
  if (kind === 1)
    return Uint8Array.from([
      ...base,
      ...Array.from({ length: integer(random, 40) }, () => integer(random, 256)),
    ]);
  const frame = base.slice();
  const flips = 1 + integer(random, 3);
  for (let flip = 0; flip < flips; flip += 1) {
    const index = integer(random, frame.length);
    frame[index] =
      kind === 2 ? integer(random, 256) : pick(random, [0, 1, 2, 0xff, 0x80, (frame[index] ?? 0) ^ 1]);
  }
  if (random() < 0.5) repairChecksum(frame);
  return frame;
}

/** `count` frames of both protocols: 10% random bytes, 20% valid requests, 70% mutated requests. */
export function fuzzCorpus(count: number, seed: number): Uint8Array[] {
  const random = randomSource(seed);
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index += 1) {
    const roll = random();
    if (roll < 0.1) {
      frames.push(Uint8Array.from({ length: integer(random, 120) }, () => integer(random, 256)));
      continue;
    }
    const base = random() < 0.5 ? baseArp(random) : baseSolicitation(random);
    frames.push(roll < 0.3 ? base : mutate(random, base));
  }
  return frames;
}
