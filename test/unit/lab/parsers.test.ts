// The lab's and bench/failover's readers of tool output: the failover figures are only as good
// as these parsers, so they are pinned on real output lines of ping, tcpdump and the speaker log.
import { describe, expect, it } from 'vitest';
import { countLost, firstGratuitousMs, takeOverFromLog } from '../../../bench/failover/trial.js';
import { firstReplyAfter, parsePingSummary } from '../../helpers/lab-probes.js';

const PING = [
  'PING 203.0.113.10 (203.0.113.10) 56(84) bytes of data.',
  '[1795626300.100000] 64 bytes from 203.0.113.10: icmp_seq=1 ttl=64 time=0.071 ms',
  '[1795626300.110000] 64 bytes from 203.0.113.10: icmp_seq=2 ttl=64 time=0.065 ms',
  '[1795626300.650000] 64 bytes from 203.0.113.10: icmp_seq=55 ttl=64 time=0.080 ms',
  '[1795626300.660000] 64 bytes from 203.0.113.10: icmp_seq=56 ttl=64 time=0.080 ms',
];
const MAC = '86:82:fc:65:7a:44';
const TCPDUMP = [
  `1795626300.300000 aa:bb:cc:dd:ee:ff > ${MAC}, ethertype ARP (0x0806), length 42: Reply 203.0.113.10 is-at aa:bb:cc:dd:ee:ff, length 28`,
  `1795626300.400000 ${MAC} > 0a:0b:0c:0d:0e:0f, ethertype ARP (0x0806), length 42: Reply 203.0.113.10 is-at ${MAC}, length 28`,
  `1795626300.640000 ${MAC} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 203.0.113.10 tell 203.0.113.10, length 28`,
];

describe('lab output parsers', () => {
  it.each([
    {
      rule: 'issue 5 item 3: ping summary counts',
      output: '500 packets transmitted, 498 received, 0.4% packet loss',
      want: { transmitted: 500, received: 498 },
    },
    {
      rule: 'issue 5 item 3: no summary is undefined',
      output: 'ping: connect: Network is unreachable',
      want: undefined,
    },
  ])('$rule', ({ output, want }) => {
    expect(parsePingSummary(output)).toEqual(want);
  });

  it('issue 5 item 7: first reply after the cut skips replies already in flight and counts the gap', () => {
    expect(firstReplyAfter(PING, 1795626300110)).toEqual({ atMs: 1795626300650, lost: 52 });
    expect(firstReplyAfter(PING, 1795626300700)).toBeUndefined();
  });

  it('issue 5 item 7: a gratuitous ARP is a broadcast from the new owner naming the VIP; unicast replies are not', () => {
    expect(firstGratuitousMs(TCPDUMP, MAC, '203.0.113.10', 1795626300000)).toBe(1795626300640);
    expect(firstGratuitousMs(TCPDUMP, MAC, '203.0.113.11', 1795626300000)).toBeUndefined();
    expect(firstGratuitousMs(TCPDUMP, MAC, '203.0.113.10', 1795626300700)).toBeUndefined();
  });

  it('issue 5 item 3: lost pings are the sequence numbers missing between the first and last reply', () => {
    expect(countLost(PING)).toBe(52);
    expect(countLost(PING.slice(0, 3))).toBe(0);
  });

  it('issue 5 item 7: the new owner’s log gives suspect, dead and announcing times after the kill', () => {
    const log = [
      { ts: new Date(1000).toISOString(), msg: 'gossip member state changed', member: 'node-c', to: 'alive' },
      {
        ts: new Date(2150).toISOString(),
        msg: 'gossip member state changed',
        member: 'node-c',
        to: 'suspect',
      },
      { ts: new Date(2450).toISOString(), msg: 'gossip member state changed', member: 'node-c', to: 'dead' },
      { ts: new Date(2457).toISOString(), msg: 'announcing IP', ip: '203.0.113.11' },
      { ts: new Date(2458).toISOString(), msg: 'announcing IP', ip: '203.0.113.10' },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    expect(takeOverFromLog(log, { sinceMs: 2000, owner: 'node-c', ip: '203.0.113.10' })).toEqual({
      suspectMs: 150,
      deadMs: 450,
      announcingMs: 458,
    });
  });
});
