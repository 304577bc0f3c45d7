// Issue 12 finding 12 on the real API server: an ordinary fail-back (the owner's speaker restarts
// and takes its IP back from the node that stood in) raises no Warning ipConflict Event, as
// MetalLB never raises one; the hand-over before it raises none either. The positive case (a
// host squatting on the VIP does raise it) is in speaker-lab.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPEAKER_LAB_NAMESPACE, SpeakerLab } from './harness/speaker-lab.js';

let speakerLab: SpeakerLab;

beforeAll(async () => {
  speakerLab = await SpeakerLab.start({ prefix: 'flbfbk', nodeCount: 3 });
});

afterAll(async () => {
  await speakerLab?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The last gratuitous round of either node (4.4 s, G2) and the Event recorder's write. */
const SETTLED_MS = 8000;

describe('issue 12 #12: fail-back without a false conflict', () => {
  it('E8/ML7: SIGTERM of the owner, then its restart: the IP goes back to it and no ipConflict Event is written', async () => {
    const owner = await speakerLab.ownerAnswering(() => true);
    expect(await speakerLab.stopSpeaker(owner.name), 'graceful exit').toBe(0);
    await speakerLab.ownerAnswering((node) => node !== owner.name);
    speakerLab.restartSpeaker(owner.name);
    // E8: the election is deterministic, so the restarted node is elected again.
    await speakerLab.ownerAnswering((node) => node === owner.name);
    await sleep(SETTLED_MS);
    const events = await speakerLab.user.serviceEvents(SPEAKER_LAB_NAMESPACE, 'web');
    const conflicts = events.filter((event) => event.reason === 'ipConflict');
    expect(
      conflicts.map((event) => `${event.source?.host}: ${event.message} (count ${event.count})`),
      speakerLab.logs(),
    ).toEqual([]);
  });
});
