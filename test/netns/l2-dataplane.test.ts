// The layer-2 data plane end to end on a real kernel (issue 3 item 9): DataPlane in a speaker
// namespace, arping / ndisc6 / `ip neigh` / tcpdump in a client namespace as the oracle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsolicitedAdvertisementFrame } from '../../src/l2/frames.js';
import { canUseNamespaces, createNamespace, inNs, sweepNamespaces, tryInNs } from '../helpers/netns.js';
import { ipv6, mac } from '../unit/l2/fixtures.js';
import {
  arpingMacs,
  CLIENT_MAC,
  capture,
  createL2Lab,
  injectFrames,
  type L2Lab,
  L2Speaker,
  ndiscMac,
  neighbour,
  removeL2Lab,
  SPEAKER_MAC,
  seriesValue,
  waitFor,
} from './l2-lab.js';

const STALE_MAC = '02:00:00:00:00:99';

/** Whether this kernel can create 802.1Q interfaces (probed in a throw-away namespace). */
function vlanSupported(): boolean {
  const probe = 'flb-l2vlan-probe';
  try {
    createNamespace(probe);
    inNs(probe, 'ip', ['link', 'add', 'dummy0', 'type', 'dummy']);
    return (
      tryInNs(probe, 'ip', ['link', 'add', 'link', 'dummy0', 'name', 'v5', 'type', 'vlan', 'id', '5'])
        .status === 0
    );
  } catch {
    return false;
  } finally {
    sweepNamespaces(probe);
  }
}

async function waitForInterface(speaker: L2Speaker, name: string): Promise<void> {
  const seen = await waitFor(
    () =>
      speaker.events.find(
        (event) =>
          event.event === 'interfaces' &&
          (event.states as { name: string; usable: boolean }[]).some(
            (state) => state.name === name && state.usable,
          ),
      ),
    5000,
  );
  expect(seen, `${name} became usable`).toBeDefined();
}

describe.skipIf(!canUseNamespaces())('layer-2 data plane in network namespaces', () => {
  let lab: L2Lab;
  let speaker: L2Speaker;

  beforeAll(async () => {
    lab = createL2Lab('flb-l2dp');
    speaker = await L2Speaker.start(lab.speaker);
  });

  afterAll(async () => {
    await speaker?.stop();
    if (lab) removeL2Lab(lab);
  });

  it('L10: before any announcement nothing answers for the VIP (the kernel owns no VIP)', () => {
    expect(arpingMacs(lab, '203.0.113.10')).toEqual([]);
    expect(ndiscMac(lab, '2001:db8:1::10')).toBeUndefined();
  });

  it('L10/L11: arping gets our MAC for an owned IPv4 address; M5 counters follow', async () => {
    await speaker.own([['203.0.113.10', {}]]);
    expect(arpingMacs(lab, '203.0.113.10', { count: 3 })).toEqual([SPEAKER_MAC, SPEAKER_MAC, SPEAKER_MAC]);
    const metrics = await speaker.metrics();
    expect(
      seriesValue(metrics, 'metallb_layer2_requests_received', 'ip="203.0.113.10"'),
    ).toBeGreaterThanOrEqual(3);
    expect(seriesValue(metrics, 'metallb_layer2_responses_sent', 'ip="203.0.113.10"')).toBeGreaterThanOrEqual(
      3,
    );
    expect(
      seriesValue(metrics, 'metallb_layer2_gratuitous_sent', 'ip="203.0.113.10"'),
    ).toBeGreaterThanOrEqual(2);
  });

  it('L10: a unicast request to our MAC (cache refresh) is answered', () => {
    expect(arpingMacs(lab, '203.0.113.10', { extra: ['-t', SPEAKER_MAC] })).toEqual([
      SPEAKER_MAC,
      SPEAKER_MAC,
    ]);
  });

  it('L8: no answer for an IP we do not own', () => {
    expect(arpingMacs(lab, '203.0.113.11')).toEqual([]);
  });

  it('L12: ndisc6 (multicast NS) gets our MAC for an owned IPv6 address', async () => {
    await speaker.own([
      ['203.0.113.10', {}],
      ['2001:db8:1::10', {}],
    ]);
    expect(ndiscMac(lab, '2001:db8:1::10')).toBe(SPEAKER_MAC);
    expect(ndiscMac(lab, '2001:db8:1::11')).toBeUndefined();
  });

  it('Q4: a unicast NS to the VIP (kernel NUD probe, metallb#2920) is answered', async () => {
    // A STALE entry with our MAC: sending traffic moves it to DELAY, then PROBE, where the client's
    // kernel sends NS unicast to the VIP; only an answer makes it REACHABLE again.
    inNs(lab.client, 'sysctl', ['-qw', 'net.ipv6.neigh.eth0.delay_first_probe_time=1']);
    const probes = await capture(lab.client, `icmp6 and ether dst ${SPEAKER_MAC} and ip6[40] == 135`);
    inNs(lab.client, 'ip', [
      '-6',
      'neigh',
      'replace',
      '2001:db8:1::10',
      'lladdr',
      SPEAKER_MAC,
      'dev',
      'eth0',
      'nud',
      'stale',
    ]);
    tryInNs(lab.client, 'ping', ['-6', '-c', '1', '-W', '1', '2001:db8:1::10']);
    const reachable = await waitFor(() => {
      const entry = neighbour(lab, '2001:db8:1::10');
      return entry.state.includes('REACHABLE') ? entry : undefined;
    }, 8000);
    const unicastProbes = await probes.stop();
    expect(unicastProbes.some((line) => line.includes('neighbor solicitation, who has 2001:db8:1::10'))).toBe(
      true,
    );
    expect(reachable).toEqual({ mac: SPEAKER_MAC, state: 'REACHABLE' });
  });

  it('G5: a gratuitous ARP burst moves a STALE client entry to our MAC', async () => {
    inNs(lab.client, 'ip', [
      'neigh',
      'replace',
      '203.0.113.20',
      'lladdr',
      STALE_MAC,
      'dev',
      'eth0',
      'nud',
      'stale',
    ]);
    await speaker.own([['203.0.113.20', {}]]);
    const flipped = await waitFor(() => {
      const entry = neighbour(lab, '203.0.113.20');
      return entry.mac === SPEAKER_MAC ? entry : undefined;
    }, 3000);
    expect(flipped?.mac).toBe(SPEAKER_MAC);
  });

  it('G6: an unsolicited NA (O=1) moves a STALE IPv6 client entry to our MAC', async () => {
    inNs(lab.client, 'ip', [
      '-6',
      'neigh',
      'replace',
      '2001:db8:1::20',
      'lladdr',
      STALE_MAC,
      'dev',
      'eth0',
      'nud',
      'stale',
    ]);
    await speaker.own([['2001:db8:1::20', {}]]);
    const flipped = await waitFor(() => {
      const entry = neighbour(lab, '2001:db8:1::20');
      return entry.mac === SPEAKER_MAC ? entry : undefined;
    }, 3000);
    expect(flipped?.mac).toBe(SPEAKER_MAC);
  });

  it('G7/M5: after the IP is withdrawn nothing answers and its series are gone', async () => {
    await speaker.own([['203.0.113.30', {}]]);
    expect(arpingMacs(lab, '203.0.113.30')).toEqual([SPEAKER_MAC, SPEAKER_MAC]);
    await speaker.own([]);
    expect(arpingMacs(lab, '203.0.113.30')).toEqual([]);
    expect(ndiscMac(lab, '2001:db8:1::10')).toBeUndefined();
    const metrics = await speaker.metrics();
    expect(seriesValue(metrics, 'metallb_layer2_requests_received', 'ip="203.0.113.30"')).toBeUndefined();
  });

  it('conflict: a second namespace claiming the VIP with gratuitous ARP is reported', async () => {
    await speaker.own([['203.0.113.40', {}]]);
    tryInNs(lab.client, 'arping', [
      '-U',
      '-S',
      '203.0.113.40',
      '-i',
      'eth0',
      '-c',
      '2',
      '-w',
      '3',
      '203.0.113.40',
    ]);
    const found = await waitFor(
      () => speaker.events.find((event) => event.event === 'conflict' && event.ip === '203.0.113.40'),
      5000,
    );
    expect(found).toMatchObject({ ip: '203.0.113.40', mac: CLIENT_MAC, interfaceName: 'eth0' });
    const metrics = await speaker.metrics();
    expect(
      seriesValue(metrics, 'ferrolb_layer2_conflicts_total', 'ip="203.0.113.40"'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('conflict: a second namespace advertising our IPv6 VIP (unsolicited NA) is reported', async () => {
    await speaker.own([['2001:db8:1::40', {}]]);
    const claim = unsolicitedAdvertisementFrame(mac(CLIENT_MAC), ipv6('2001:db8:1::40'));
    expect(await injectFrames(lab.client, 'eth0', [claim])).toBe('1');
    const found = await waitFor(
      () => speaker.events.find((event) => event.event === 'conflict' && event.ip === '2001:db8:1::40'),
      5000,
    );
    expect(found).toMatchObject({ ip: '2001:db8:1::40', mac: CLIENT_MAC, interfaceName: 'eth0' });
  });

  it('L13/Q12: an interface added later is picked up; an announcement limited to it is not answered on eth0', async () => {
    inNs(lab.speaker, 'ip', [
      ...['link', 'add', 'eth1', 'address', '02:00:00:00:01:01', 'type', 'veth'],
      ...['peer', 'name', 'eth1', 'address', '02:00:00:00:01:02', 'netns', lab.client],
    ]);
    for (const ns of [lab.speaker, lab.client]) inNs(ns, 'ip', ['link', 'set', 'eth1', 'up']);
    // arping needs a source address on the client side; the speaker side stays address-less (L5).
    inNs(lab.client, 'ip', ['addr', 'add', '198.51.100.66/32', 'dev', 'eth1']);
    await waitForInterface(speaker, 'eth1');
    await speaker.own([['203.0.113.50', { interfaces: ['eth1'] }]]);
    expect(arpingMacs(lab, '203.0.113.50', { interfaceName: 'eth1' })).toEqual([
      '02:00:00:00:01:01',
      '02:00:00:00:01:01',
    ]);
    expect(arpingMacs(lab, '203.0.113.50', { interfaceName: 'eth0' })).toEqual([]);
  });

  // This machine's kernel (6.18 in a microVM) has no 802.1Q support: `ip link add … type vlan`
  // fails with "Unknown device type". The test runs wherever the kernel has it.
  it.skipIf(!vlanSupported())('L17: a VLAN sub-interface works (tagged frames, own socket)', async () => {
    for (const ns of [lab.speaker, lab.client]) {
      inNs(ns, 'ip', ['link', 'add', 'link', 'eth0', 'name', 'eth0.100', 'type', 'vlan', 'id', '100']);
      inNs(ns, 'ip', ['link', 'set', 'eth0.100', 'up']);
    }
    inNs(lab.client, 'ip', ['addr', 'add', '198.51.100.67/32', 'dev', 'eth0.100']);
    await waitForInterface(speaker, 'eth0.100');
    await speaker.own([['203.0.113.60', { interfaces: ['eth0.100'] }]]);
    expect(arpingMacs(lab, '203.0.113.60', { interfaceName: 'eth0.100' })).toEqual([
      SPEAKER_MAC,
      SPEAKER_MAC,
    ]);
    expect(arpingMacs(lab, '203.0.113.60', { interfaceName: 'eth0' })).toEqual([]);
  });

  it('L4/Q10: a link going down closes its sockets and stops counting as healthy; back up, it answers again', async () => {
    inNs(lab.speaker, 'ip', [
      ...['link', 'add', 'eth2', 'address', '02:00:00:00:02:01', 'type', 'veth'],
      ...['peer', 'name', 'eth2', 'address', '02:00:00:00:02:02', 'netns', lab.client],
    ]);
    for (const ns of [lab.speaker, lab.client]) inNs(ns, 'ip', ['link', 'set', 'eth2', 'up']);
    inNs(lab.client, 'ip', ['addr', 'add', '198.51.100.68/32', 'dev', 'eth2']);
    await waitForInterface(speaker, 'eth2');
    await speaker.own([['203.0.113.70', { interfaces: ['eth2'] }]]);
    expect(await speaker.request({ op: 'healthy', filter: ['eth2'] })).toBe(true);
    inNs(lab.speaker, 'ip', ['link', 'set', 'eth2', 'down']);
    const down = await waitFor(
      async () => ((await speaker.request({ op: 'healthy', filter: ['eth2'] })) ? undefined : true),
      5000,
    );
    expect(down).toBe(true);
    inNs(lab.speaker, 'ip', ['link', 'set', 'eth2', 'up']);
    const up = await waitFor(
      async () => ((await speaker.request({ op: 'healthy', filter: ['eth2'] })) ? true : undefined),
      5000,
    );
    expect(up).toBe(true);
    expect(arpingMacs(lab, '203.0.113.70', { interfaceName: 'eth2' })).toEqual([
      '02:00:00:00:02:01',
      '02:00:00:00:02:01',
    ]);
  });

  it('DESIGN negative: with ferrolb stopped nothing answers for the VIP', async () => {
    await speaker.own([
      ['203.0.113.10', {}],
      ['2001:db8:1::10', {}],
    ]);
    expect(arpingMacs(lab, '203.0.113.10')).toEqual([SPEAKER_MAC, SPEAKER_MAC]);
    expect(await speaker.stop()).toBe(0);
    expect(arpingMacs(lab, '203.0.113.10')).toEqual([]);
    expect(ndiscMac(lab, '2001:db8:1::10')).toBeUndefined();
  });
});

describe.skipIf(!canUseNamespaces())('layer-2 data plane with eth0 excluded (L1)', () => {
  let lab: L2Lab;
  let speaker: L2Speaker;

  beforeAll(async () => {
    lab = createL2Lab('flb-l2ex');
    speaker = await L2Speaker.start(lab.speaker, { exclude: ['^eth'] });
  });

  afterAll(async () => {
    await speaker?.stop();
    if (lab) removeL2Lab(lab);
  });

  it('L1: an owned IP is not answered on an excluded interface', async () => {
    await speaker.own([
      ['203.0.113.10', {}],
      ['2001:db8:1::10', {}],
    ]);
    expect(arpingMacs(lab, '203.0.113.10')).toEqual([]);
    expect(ndiscMac(lab, '2001:db8:1::10')).toBeUndefined();
    expect(await speaker.request({ op: 'healthy' })).toBe(false);
  });
});
