// Issue 12 #2 and issue 11 against the real API server: a speaker whose configured gossip secret
// cannot be read stays out of gossip and the election (it answers for no IP, however its hash
// ranks), is not Ready and says why; once the secret appears it joins and serves.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeringMacs } from '../helpers/lab-probes.js';
import { tryInNs } from '../helpers/netns.js';
import { SPEAKER_LAB_METRICS_PORT, SPEAKER_LAB_VIP, SpeakerLab } from './harness/speaker-lab.js';
import { eventually } from './harness/waiting.js';

let speakerLab: SpeakerLab;

beforeAll(async () => {
  speakerLab = await SpeakerLab.start({ prefix: 'flbsec', nodeCount: 3 });
});

afterAll(async () => {
  await speakerLab?.stop();
});

function http(node: string, path: string): { status: number; output: string } {
  const namespace = speakerLab.lab.node(node).namespace;
  return tryInNs(namespace, 'curl', [
    '-s',
    '-m',
    '2',
    '-w',
    '\\n%{http_code}',
    `http://127.0.0.1:${SPEAKER_LAB_METRICS_PORT}${path}`,
  ]);
}

describe('Kubernetes speaker with an unreadable gossip secret (fail closed)', () => {
  it('claims no IP, is not Ready with the reason in log and metrics, and joins once the secret can be read', async () => {
    const owner = await speakerLab.ownerAnswering(() => true);
    expect(await speakerLab.stopSpeaker(owner.name)).toBe(0);
    const others = await speakerLab.ownerAnswering((node) => node !== owner.name);
    // The hash still ranks this node first: with plaintext fallback it would elect itself alone.
    const secretDirectory = mkdtempSync(join(tmpdir(), 'ferrolb-missing-secret-'));
    speakerLab.restartSpeaker(owner.name, secretDirectory);
    await eventually(
      'the restarted speaker to open its data plane',
      async () => (speakerLab.log(owner.name).includes('data plane started') ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 200, context: () => speakerLab.logs() },
    );
    // Past the start-up wait for peers (SPEAKER_JOIN_WAIT_MS), when a lonely speaker would elect.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    for (let round = 0; round < 5; round++) {
      expect(answeringMacs(speakerLab.lab, SPEAKER_LAB_VIP, 2)).toEqual([others.mac.toLowerCase()]);
      expect(http(owner.name, '/readyz').output).toMatch(/503$/);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(http(owner.name, '/metrics').output).toMatch(
      /ferrolb_speaker_not_ready\{reason="gossipSecretUnreadable"\} 1/,
    );
    expect(speakerLab.log(owner.name)).toContain('gossip secret configured but unreadable');
    expect(speakerLab.log(owner.name)).not.toContain('UNENCRYPTED');
    writeFileSync(join(secretDirectory, 'secretkey'), 'c2VjcmV0LWZvci10ZXN0cw');
    const back = await speakerLab.ownerAnswering((node) => node === owner.name);
    expect(back.name).toBe(owner.name);
    await eventually(
      'Ready',
      async () => (http(owner.name, '/readyz').output.endsWith('200') ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 500,
      },
    );
  });
});
