// `ferrolb speaker` with its real data plane, one per node namespace of the lab, against the real
// API server (harness/speaker-lab.ts): who answers the VIP, the hand-over on SIGTERM, conflict
// Events, and silence once every speaker is stopped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeringMacs } from '../helpers/lab-probes.js';
import { SPEAKER_LAB_NAMESPACE, SPEAKER_LAB_VIP, SpeakerLab } from './harness/speaker-lab.js';
import { eventually } from './harness/waiting.js';

const VIP = SPEAKER_LAB_VIP;
let speakerLab: SpeakerLab;

beforeAll(async () => {
  speakerLab = await SpeakerLab.start({ prefix: 'flbspk', nodeCount: 3 });
});

afterAll(async () => {
  await speakerLab?.stop();
});

describe('ferrolb speaker in a network-namespace lab', () => {
  it('L10/R4: the elected node answers ARP for the VIP with its eth0 MAC, and no other node does', async () => {
    const owner = await speakerLab.ownerAnswering(() => true);
    const statuses = await speakerLab.user.l2StatusesFor(SPEAKER_LAB_NAMESPACE, 'web');
    // R4: the owning speaker's pod owns the object, so deleting that pod garbage-collects it.
    expect(
      statuses.map((item) =>
        item.metadata.ownerReferences?.map((reference) => [reference.kind, reference.name]),
      ),
    ).toEqual([[['Pod', `speaker-${owner.name}`]]]);
  });

  it('ML7/issue 5: SIGTERM of the owner hands over: another node answers and holds the ServiceL2Status', async () => {
    const before = await speakerLab.ownerAnswering(() => true);
    expect(await speakerLab.stopSpeaker(before.name)).toBe(0);
    const after = await speakerLab.ownerAnswering((node) => node !== before.name);
    expect(after.mac).not.toBe(before.mac);
  });

  it('DESIGN conflict detection: a host claiming the VIP with another MAC raises a Warning Event on the Service', async () => {
    const owner = await speakerLab.ownerAnswering(() => true);
    // The client squats on the VIP: gratuitous ARP with the VIP as sender and the client's own MAC.
    await eventually(
      'ipConflict Event',
      async () => {
        speakerLab.lab.inClient('arping', ['-i', 'eth0', '-U', '-S', VIP, '-c', '1', '-w', '1', VIP]);
        const events = await speakerLab.user.serviceEvents(SPEAKER_LAB_NAMESPACE, 'web');
        const found = events.find((event) => event.reason === 'ipConflict');
        return found ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, context: () => speakerLab.logs() },
    ).then((event) => {
      expect(event.type).toBe('Warning');
      expect(event.source?.host).toBe(owner.name);
      expect(event.message).toContain(`claims IP "${VIP}" on interface "eth0"`);
    });
  });

  it('DESIGN real parts: with every speaker stopped nothing answers for the VIP (the kernel never does)', async () => {
    for (const name of speakerLab.speakerNodes()) expect(await speakerLab.stopSpeaker(name)).toBe(0);
    expect(answeringMacs(speakerLab.lab, VIP, 2)).toEqual([]);
  });
});
