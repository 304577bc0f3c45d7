// Issue 3 item 9: 10^5 random and mutated ARP/NDP frames on the wire cause no crash and no reply.
// The corpus is the differential test's, minus every frame the specification answers, so any
// ARP reply or NA from the speaker's MAC during the flood is a bug.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/l2/classify.js';
import { canUseNamespaces } from '../helpers/netns.js';
import { fuzzCorpus } from '../unit/l2/corpus.js';
import { TABLE, VIP4, VIP6 } from '../unit/l2/fixtures.js';
import {
  arpingMacs,
  capture,
  createL2Lab,
  injectFrames,
  type L2Lab,
  L2Speaker,
  removeL2Lab,
  SPEAKER_MAC,
  seriesValue,
} from './l2-lab.js';

const FRAMES = 100_000;

function unanswerableCorpus(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let seed = 1; frames.length < FRAMES; seed += 1) {
    for (const frame of fuzzCorpus(20_000, seed)) {
      if (frames.length >= FRAMES) break;
      if (
        classify(frame, TABLE, 'arp').verdict === 'drop' &&
        classify(frame, TABLE, 'ipv6').verdict === 'drop'
      ) {
        frames.push(frame);
      }
    }
  }
  return frames;
}

function totalDrops(metrics: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('ferrolb_layer2_drops_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe.skipIf(!canUseNamespaces())('layer-2 data plane under a fuzzed flood', () => {
  let lab: L2Lab;
  let speaker: L2Speaker;

  beforeAll(async () => {
    lab = createL2Lab('flb-l2fz');
    speaker = await L2Speaker.start(lab.speaker);
    await speaker.own([
      [VIP4, {}],
      [VIP6, {}],
    ]);
    // Let the gratuitous burst (5 s) end so that it cannot be mistaken for a reply.
    await new Promise((resolve) => setTimeout(resolve, 5500));
  });

  afterAll(async () => {
    await speaker?.stop();
    if (lab) removeL2Lab(lab);
  });

  it('issue 3: 10^5 unanswerable frames: no reply, no crash, drops counted, still answering', async () => {
    const frames = unanswerableCorpus();
    const before = totalDrops(await speaker.metrics());
    // The speaker kernel's own NAs (for its addresses, from its addresses) are not ferrolb's.
    const kernelAddresses = 'ip6 src 2001:db8:1::1 or ip6 src fe80::ff:fe00:1';
    // Corpus frames that claim a VIP from another MAC are answered with a gratuitous round to
    // broadcast / all-nodes (issue 12 #1: an owner re-asserts); only replies are counted here.
    const gratuitous = 'ether dst ff:ff:ff:ff:ff:ff or ether dst 33:33:00:00:00:01';
    const replies = await capture(
      lab.client,
      `ether src ${SPEAKER_MAC} and not (${gratuitous}) and (arp[6:2] == 2 or (icmp6 and ip6[40] == 136 and not (${kernelAddresses})))`,
      'in',
    );
    const sent = await injectFrames(lab.client, 'eth0', frames);
    expect(sent).toBe(String(FRAMES));
    expect(speaker.isAlive()).toBe(true);
    const metrics = await speaker.metrics();
    // Thousands of corpus frames are ARP/NS that pass the BPF filter and must be counted as drops.
    expect(totalDrops(metrics) - before).toBeGreaterThan(FRAMES / 10);
    expect(seriesValue(metrics, 'metallb_layer2_responses_sent', `ip="${VIP4}"`)).toBeUndefined();
    // Still answering afterwards; the two replies are also the proof that the capture sees replies.
    expect(arpingMacs(lab, VIP4)).toEqual([SPEAKER_MAC, SPEAKER_MAC]);
    const seen = await replies.stop();
    expect(seen.map((line) => line.replace(/^\S+ /, ''))).toEqual([
      expect.stringContaining(`Reply ${VIP4} is-at ${SPEAKER_MAC}`),
      expect.stringContaining(`Reply ${VIP4} is-at ${SPEAKER_MAC}`),
    ]);
  });
});
