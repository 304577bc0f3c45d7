// The AF_PACKET addon on a real kernel, protocol behaviour: a speaker namespace running
// PacketSocket (test/netns/native-speaker.ts) and a client namespace on a veth pair, with arping,
// ndisc6, tcpdump, `ip neigh` and `ip maddr` as the oracle (lab: test/netns/native-lab.ts).
import { cpus } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseNamespaces, inNs, sweepNamespaces, tryInNs } from '../helpers/netns.js';
import { arpFrame, BROADCAST, ipv4, ipv6, mac, nsFrame } from '../unit/l2/native-frames.js';
import {
  arpingMacs,
  CLIENT,
  CLIENT_MAC,
  capture,
  ndiscMac,
  neighbour,
  SPEAKER,
  SPEAKER_MAC,
  setUpNamespaces,
  VIP4,
  VIP6,
  VIP6_HEX,
  waitFor,
} from './native-lab.js';
import { NativeSpeaker } from './native-speaker-client.js';

const ownedBoth = { mac: SPEAKER_MAC, ipv4: [VIP4], ipv6: [VIP6_HEX] };

describe.skipIf(!canUseNamespaces())('native AF_PACKET addon in network namespaces', () => {
  let speaker: NativeSpeaker;

  beforeAll(async () => {
    setUpNamespaces();
    speaker = NativeSpeaker.start(SPEAKER);
    await speaker.ok({ op: 'open', name: 'arp', interfaceName: 'eth0', protocol: 'arp' });
    await speaker.ok({ op: 'open', name: 'ipv6', interfaceName: 'eth0', protocol: 'ipv6' });
    await speaker.ok({ op: 'setOwned', name: 'arp', ...ownedBoth });
    await speaker.ok({ op: 'setOwned', name: 'ipv6', ...ownedBoth });
  });

  afterAll(async () => {
    await speaker?.stop();
    sweepNamespaces('flb-nat');
  });

  it('DESIGN data plane: arping gets our MAC while the JS main thread is blocked', async () => {
    const blocked = speaker.ok({ op: 'block', durationMs: 4000 });
    await speaker.waitForEvent((event) => event.event === 'blocking', 5000);
    const arpingStartMs = Date.now();
    const answer = arpingMacs(VIP4);
    const arpingEndMs = Date.now();
    const { startedAtMs, endedAtMs } = (await blocked) as { startedAtMs: number; endedAtMs: number };
    expect(answer).toEqual({ status: 0, macs: [SPEAKER_MAC, SPEAKER_MAC] });
    // Both replies arrived while the child's main thread was spinning: no JS ran for them.
    expect(arpingStartMs).toBeGreaterThanOrEqual(startedAtMs);
    expect(arpingEndMs).toBeLessThanOrEqual(endedAtMs);
  });

  it('L8: no answer for an IP we do not own', () => {
    expect(arpingMacs('203.0.113.8', [], 1).macs).toEqual([]);
    expect(ndiscMac('2001:db8:1::8')).toBeUndefined();
  });

  it('L10: a unicast ARP request to our MAC (cache refresh) is answered', async () => {
    const seen = await capture(`arp and ether dst ${SPEAKER_MAC}`, 1);
    expect(arpingMacs(VIP4, ['-t', SPEAKER_MAC]).macs).toContain(SPEAKER_MAC);
    expect(await seen.done).toContain(`> ${SPEAKER_MAC}`);
  });

  // The responder runs one lane per CPU behind a PACKET_FANOUT_CPU group: a request is handled by
  // the lane of the CPU that received it (on a veth, the sender's CPU). A lane that did not run, or
  // sockets that were not grouped, would show as a CPU whose requests go unanswered or twice answered.
  it('lanes: requests sent from every CPU are answered exactly once, ARP and NS', () => {
    const onCpu = (cpu: number, command: readonly string[]) =>
      tryInNs(CLIENT, 'taskset', ['-c', String(cpu), ...command]).output;
    for (let cpu = 0; cpu < cpus().length; cpu++) {
      const arping = onCpu(cpu, ['arping', '-i', 'eth0', '-c', '5', '-W', '0.05', '-w', '3', VIP4]);
      const replies = arping.split('\n').filter((line) => line.includes('bytes from'));
      expect(
        replies.map((line) => line.includes(SPEAKER_MAC)),
        `arping from CPU ${cpu}`,
      ).toEqual(Array(5).fill(true));
      const ndisc = onCpu(cpu, ['ndisc6', '-1', '-n', '-r', '2', '-w', '1000', VIP6, 'eth0']);
      expect(ndisc.toLowerCase(), `ndisc6 from CPU ${cpu}`).toContain(SPEAKER_MAC);
    }
  });

  it('L12: ndisc6 (multicast NS) gets our MAC, and the NA comes from the VIP', async () => {
    const seen = await capture(`icmp6 and ip6[40] == 136 and src host ${VIP6}`, 1);
    expect(ndiscMac(VIP6)).toBe(SPEAKER_MAC);
    // ndisc6 solicits from its link-local address; the NA answers it from the VIP.
    expect(await seen.done).toContain(`${VIP6} > fe80::`);
  });

  it('Q4 (metallb#2920): the kernel NUD probe, a unicast NS to the VIP, is answered', async () => {
    inNs(CLIENT, 'sysctl', ['-qw', 'net.ipv6.neigh.eth0.delay_first_probe_time=1']);
    inNs(CLIENT, 'ip', [
      '-6',
      'neigh',
      'replace',
      VIP6,
      'lladdr',
      SPEAKER_MAC,
      'dev',
      'eth0',
      'nud',
      'stale',
    ]);
    const probe = await capture(
      `icmp6 and ip6[40] == 135 and dst host ${VIP6} and ether dst ${SPEAKER_MAC}`,
      1,
    );
    // Any packet to a STALE entry starts NUD: DELAY, then a unicast NS in PROBE (RFC 4861 §7.3.3).
    tryInNs(CLIENT, 'ping', ['-6', '-c', '1', '-W', '1', VIP6]);
    expect(await probe.done).toContain(`> ${VIP6}`);
    const reachable = await waitFor(() => (neighbour(VIP6).state === 'REACHABLE' ? true : undefined), 8000);
    expect(reachable).toBe(true);
    expect(neighbour(VIP6).mac).toBe(SPEAKER_MAC);
  });

  it('L11: the client kernel learns our MAC for the VIP from the addon’s reply', async () => {
    inNs(CLIENT, 'ip', ['neigh', 'flush', 'to', VIP4, 'dev', 'eth0']);
    tryInNs(CLIENT, 'ping', ['-c', '1', '-W', '1', VIP4]);
    const entry = await waitFor(() => {
      const current = neighbour(VIP4);
      return current.mac ? current : undefined;
    }, 5000);
    expect(entry?.mac).toBe(SPEAKER_MAC);
    expect(entry?.state).not.toMatch(/FAILED|INCOMPLETE/);
  });

  it('send(): a gratuitous ARP reply sent from JS is seen by tcpdump in the other namespace', async () => {
    const seen = await capture(`arp and ether src ${SPEAKER_MAC} and ether dst ff:ff:ff:ff:ff:ff`, 1);
    const frame = arpFrame({
      destination: BROADCAST,
      source: mac(SPEAKER_MAC),
      operation: 2,
      senderIp: ipv4(VIP4),
      targetMac: BROADCAST,
      targetIp: ipv4(VIP4),
    });
    await speaker.ok({ op: 'send', name: 'arp', frameHex: Buffer.from(frame).toString('hex') });
    expect(await seen.done).toContain(`Reply ${VIP4} is-at ${SPEAKER_MAC}`);
  });

  it('conflict detection: a gratuitous ARP from another MAC for an owned IP reaches JS', async () => {
    const forwarded = speaker.waitForEvent(
      (event) => event.event === 'frame' && String(event.frameHex).startsWith('ffffffffffff'),
      8000,
    );
    // -S: arping's -U alone keeps its own sender IP; a gratuitous ARP names the VIP as sender.
    tryInNs(CLIENT, 'arping', ['-i', 'eth0', '-U', '-S', VIP4, '-c', '1', '-w', '1', VIP4]);
    const event = await forwarded;
    expect(event.interfaceName).toBe('eth0');
    expect(String(event.frameHex).slice(12, 24)).toBe(CLIENT_MAC.replaceAll(':', ''));
  });

  it('conflict detection: an NA for an owned target reaches JS, one for another target does not', async () => {
    const advertisement = (target: string) =>
      nsFrame({
        destinationMac: mac('33:33:00:00:00:01'),
        sourceMac: mac(CLIENT_MAC),
        source: ipv6(target),
        destination: ipv6('ff02::1'),
        target: ipv6(target),
        type: 136,
        sourceLinkLayer: mac(CLIENT_MAC), // option type 1 here; only the target matters for forwarding
      });
    const before = (await speaker.counters('ipv6')).framesForwarded;
    const forwarded = speaker.waitForEvent(
      (event) => event.event === 'frame' && String(event.frameHex).startsWith('333300000001'),
      8000,
    );
    // Injected with Python's AF_PACKET socket (python3 is already required by node-gyp).
    for (const target of ['2001:db8:1::8', VIP6]) {
      const frameHex = Buffer.from(advertisement(target)).toString('hex');
      const inject = `import socket; s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('eth0', 0)); s.send(bytes.fromhex('${frameHex}'))`;
      inNs(CLIENT, 'python3', ['-c', inject]);
    }
    expect(String((await forwarded).frameHex)).toContain(VIP6_HEX);
    expect((await speaker.counters('ipv6')).framesForwarded - before).toBe(1);
  });

  it('membership: addMembership / dropMembership change the interface’s multicast list', async () => {
    const group = '33:33:ff:00:00:07';
    const listed = () => inNs(SPEAKER, 'ip', ['maddr', 'show', 'dev', 'eth0']).includes(group);
    expect(listed()).toBe(false);
    await speaker.ok({ op: 'join', name: 'ipv6', mac: group });
    expect(listed()).toBe(true);
    await speaker.ok({ op: 'leave', name: 'ipv6', mac: group });
    expect(listed()).toBe(false);
  });

  it('L10: frames of a device stacked on our interface (macvlan, VLAN) are not ours to answer', async () => {
    const stacked = '02:00:00:00:01:03';
    inNs(SPEAKER, 'ip', [
      'link',
      'add',
      'link',
      'eth0',
      'name',
      'mv0',
      'address',
      stacked,
      'type',
      'macvlan',
    ]);
    inNs(SPEAKER, 'ip', ['link', 'set', 'mv0', 'up']);
    const before = await speaker.counters('arp');
    // The kernel also hands eth0's socket what mv0 receives; the addon must tell them apart.
    expect(arpingMacs(VIP4, ['-t', stacked], 1).macs).toEqual([]);
    const after = await speaker.counters('arp');
    inNs(SPEAKER, 'ip', ['link', 'del', 'mv0']);
    expect(after.otherInterface - before.otherInterface).toBeGreaterThanOrEqual(1);
    expect(after.drops.ethernetDestination - before.drops.ethernetDestination).toBe(0);
  });

  // A trunk port carries VLANs this node has no device for. The kernel strips the tag, finds no
  // eth0.100 and marks the frame for another host; its own ARP ignores such frames, and so must we,
  // or an untagged reply on eth0 would leak the VIP into the wrong VLAN. (Runs without 802.1Q
  // support: the tag is parsed by the core, not by the vlan module.)
  it('L17: a VLAN-tagged request for a VLAN we have no device for is not answered', async () => {
    const tagged = (frame: Uint8Array) =>
      Buffer.concat([frame.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00, 0x64]), frame.subarray(12)]);
    const request = tagged(
      arpFrame({
        destination: BROADCAST,
        source: mac(CLIENT_MAC),
        senderIp: ipv4('198.51.100.2'),
        targetIp: ipv4(VIP4),
      }),
    );
    const solicitation = tagged(
      nsFrame({
        destinationMac: mac('33:33:ff:00:00:07'),
        sourceMac: mac(CLIENT_MAC),
        source: ipv6('2001:db8:1::2'),
        destination: ipv6('ff02::1:ff00:7'),
        target: ipv6(VIP6),
        sourceLinkLayer: mac(CLIENT_MAC),
      }),
    );
    const before = { arp: await speaker.counters('arp'), ipv6: await speaker.counters('ipv6') };
    const replies = await capture(
      `ether src ${SPEAKER_MAC} and (arp or (icmp6 and ip6[40] == 136))`,
      1,
      2000,
    );
    const frames = [request, solicitation].map((frame) => `bytes.fromhex('${frame.toString('hex')}')`);
    const inject = `import socket; s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('eth0', 0)); [s.send(f) for f in [${frames.join(', ')}] * 3]`;
    inNs(CLIENT, 'python3', ['-c', inject]);
    expect(await replies.done).not.toContain(SPEAKER_MAC);
    const after = { arp: await speaker.counters('arp'), ipv6: await speaker.counters('ipv6') };
    for (const protocol of ['arp', 'ipv6'] as const) {
      expect(after[protocol].otherHost - before[protocol].otherHost, protocol).toBe(3);
    }
  });

  it('M5: counters count requests and replies per owned IP, with a latency for each reply', async () => {
    const before = await speaker.counters('arp');
    expect(arpingMacs(VIP4, [], 3).macs).toHaveLength(3);
    const after = await speaker.counters('arp');
    const of = (counters: typeof before) => counters.addresses.find((entry) => entry.ip === VIP4);
    expect((of(after)?.requestsReceived ?? 0) - (of(before)?.requestsReceived ?? 0)).toBe(3);
    expect((of(after)?.responsesSent ?? 0) - (of(before)?.responsesSent ?? 0)).toBe(3);
    expect(after.latency.count - before.latency.count).toBe(3);
    expect(after.latency.counts.reduce((sum, count) => sum + count, 0)).toBe(after.latency.count);
    expect(after.sendFailures).toBe(0);
    expect(after.kernelDrops).toBe(0);
  });

  it('negative: after setOwned with an empty table nothing is answered, and counters are kept', async () => {
    const empty = { mac: SPEAKER_MAC, ipv4: [], ipv6: [] };
    await speaker.ok({ op: 'setOwned', name: 'arp', ...empty });
    await speaker.ok({ op: 'setOwned', name: 'ipv6', ...empty });
    expect(arpingMacs(VIP4, [], 1).macs).toEqual([]);
    expect(ndiscMac(VIP6)).toBeUndefined();
    const counters = await speaker.counters('arp');
    expect(counters.addresses.find((entry) => entry.ip === VIP4)?.requestsReceived).toBeGreaterThan(0);
    expect(counters.drops.announceIP).toBeGreaterThan(0);
    await speaker.ok({ op: 'setOwned', name: 'arp', ...ownedBoth });
    expect(arpingMacs(VIP4, [], 1).macs).toEqual([SPEAKER_MAC]);
  });

  it.each([
    { rule: 'issue 12 #11: broadcast sender MAC', forged: 'ff:ff:ff:ff:ff:ff' },
    { rule: 'issue 12 #11: multicast sender MAC', forged: '01:00:5e:00:00:01' },
    { rule: 'issue 12 #11: zero sender MAC', forged: '00:00:00:00:00:00' },
  ])(
    '$rule: arping with a forged sender gets no reply (tcpdump), counted as sourceMac',
    async ({ forged }) => {
      const before = await speaker.counters('arp');
      const requests = await capture(`arp and ether src ${forged}`, 2);
      const replies = await capture(`arp and ether src ${SPEAKER_MAC}`, 1, 3000);
      arpingMacs(VIP4, ['-s', forged], 2);
      expect(await requests.done, 'arping did send the forged requests').toContain(forged);
      expect(await replies.done).not.toContain(SPEAKER_MAC);
      const after = await speaker.counters('arp');
      expect(after.drops.sourceMac - before.drops.sourceMac).toBe(2);
      expect(arpingMacs(VIP4, [], 1).macs, 'an ordinary request is still answered').toEqual([SPEAKER_MAC]);
    },
  );

  it('issue 12 #11: a burst beyond the token bucket is partly answered and the rest counted as rateLimited', async () => {
    await speaker.ok({ op: 'rateLimit', perSecond: 20, burst: 10 });
    try {
      const before = await speaker.counters('arp');
      const answered = arpingMacs(VIP4, ['-W', '0.002'], 100).macs.length;
      const after = await speaker.counters('arp');
      const limited = after.drops.rateLimited - before.drops.rateLimited;
      const of = (counters: typeof before) => counters.addresses.find((entry) => entry.ip === VIP4);
      const sent = (of(after)?.responsesSent ?? 0) - (of(before)?.responsesSent ?? 0);
      expect(answered, 'at least the burst is answered').toBeGreaterThanOrEqual(10);
      expect(answered, 'far from all 100').toBeLessThan(60);
      expect(sent).toBe(answered);
      expect(limited + sent, 'every request either answered or counted').toBe(100);
    } finally {
      await speaker.ok({ op: 'rateLimit', perSecond: 0, burst: 1 });
    }
    expect(arpingMacs(VIP4, [], 1).macs, 'no limit again').toEqual([SPEAKER_MAC]);
  });
});
