import { describe, expect, it } from 'vitest';
import { classify, type ResponderProtocol } from '../../../src/l2/classify.js';
import { classifyFrame, type OwnedTable } from '../../../src/l2/native.js';
import { fuzzCorpus } from './corpus.js';
import { arpFrame, hex, ipv4, ipv6, mac, solicitationFrame, TABLE, VIP4, VIP6 } from './fixtures.js';

// DESIGN "Data plane": the C hot path must answer exactly what the TypeScript specification
// answers, byte for byte, on one shared corpus.
const NATIVE_TABLE: OwnedTable = { mac: TABLE.mac, ipv4: [ipv4(VIP4)], ipv6: [ipv6(VIP6)] };
const CORPUS_SIZE = 20_000;

function outcome(
  verdict: { verdict: 'answer'; reply: Uint8Array } | { verdict: 'drop'; reason: string },
): string {
  return verdict.verdict === 'answer' ? `answer ${hex(verdict.reply)}` : `drop ${verdict.reason}`;
}

describe('differential: C classifyFrame = TS classify', () => {
  const corpus = fuzzCorpus(CORPUS_SIZE, 0x5eed);

  it.each(['arp', 'ipv6'] as const)(
    'DESIGN data plane: identical verdicts and reply bytes on %s sockets',
    (protocol: ResponderProtocol) => {
      const mismatches: string[] = [];
      let answered = 0;
      for (const frame of corpus) {
        const specification = classify(frame, TABLE, protocol);
        const native = classifyFrame(frame, NATIVE_TABLE, protocol);
        if (specification.verdict === 'answer') answered += 1;
        const same =
          specification.verdict === native.verdict &&
          (specification.verdict !== 'answer' ||
            native.verdict !== 'answer' ||
            hex(specification.reply) === hex(native.reply));
        if (!same && mismatches.length < 5)
          mismatches.push(`${hex(frame)}: ts ${outcome(specification)} / c ${outcome(native)}`);
      }
      expect(mismatches).toEqual([]);
      // The corpus must exercise the answer path, or the comparison proves little.
      expect(answered).toBeGreaterThan(CORPUS_SIZE / 100);
    },
  );

  it.each(['arp', 'ipv6'] as const)(
    'DESIGN data plane: identical drop reasons on %s sockets',
    (protocol: ResponderProtocol) => {
      const mismatches: string[] = [];
      for (const frame of corpus) {
        const specification = classify(frame, TABLE, protocol);
        const native = classifyFrame(frame, NATIVE_TABLE, protocol);
        if (
          specification.verdict === 'drop' &&
          native.verdict === 'drop' &&
          specification.reason !== native.reason
        ) {
          if (mismatches.length < 5)
            mismatches.push(`${hex(frame)}: ts ${specification.reason} / c ${native.reason}`);
        }
      }
      expect(mismatches).toEqual([]);
    },
  );
});

describe('differential: named rows (issue 12 #11, sender MAC)', () => {
  it.each([
    {
      rule: 'issue 12 #11: ARP sender MAC broadcast',
      frame: arpFrame({ senderMac: 'ff:ff:ff:ff:ff:ff' }),
      protocol: 'arp',
    },
    {
      rule: 'issue 12 #11: ARP sender MAC multicast',
      frame: arpFrame({ senderMac: '01:00:5e:00:00:01' }),
      protocol: 'arp',
    },
    {
      rule: 'issue 12 #11: ARP sender MAC zero',
      frame: arpFrame({ senderMac: '00:00:00:00:00:00' }),
      protocol: 'arp',
    },
    {
      rule: 'issue 12 #11: ARP Ethernet source broadcast (sender field unicast)',
      frame: arpFrame({ ethernetSource: 'ff:ff:ff:ff:ff:ff' }),
      protocol: 'arp',
    },
    {
      rule: 'issue 12 #11: NS Ethernet source multicast',
      frame: solicitationFrame({ ethernetSource: '33:33:00:00:00:01' }),
      protocol: 'ipv6',
    },
    {
      rule: 'issue 12 #11: NS source link-layer option broadcast',
      frame: solicitationFrame({ options: [{ type: 1, data: mac('ff:ff:ff:ff:ff:ff') }] }),
      protocol: 'ipv6',
    },
    {
      rule: 'issue 12 #11: DAD probe from a zero Ethernet source',
      frame: solicitationFrame({ source: '::', options: [], ethernetSource: '00:00:00:00:00:00' }),
      protocol: 'ipv6',
    },
  ] as const)('$rule: both drop it as sourceMac', ({ frame, protocol }) => {
    expect(classify(frame, TABLE, protocol)).toEqual({ verdict: 'drop', reason: 'sourceMac' });
    expect(classifyFrame(frame, NATIVE_TABLE, protocol)).toEqual({ verdict: 'drop', reason: 'sourceMac' });
  });
});
