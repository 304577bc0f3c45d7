// Issue 11 "readiness means serving" and issue 12 #2 "fail closed" (Kubernetes speaker): the pure
// reasons, the tracker's log and metrics, and the secret wait that keeps gossip from starting.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { registry } from '../../../src/metrics/registry.js';
import { waitForSecret } from '../../../src/speaker/gossip.js';
import { notReadyReasons } from '../../../src/speaker/readiness.js';
import { ReadinessTracker } from '../../../src/speaker/readiness-tracker.js';

function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('readiness (issue 11)', () => {
  it.each([
    { inputs: { secretRead: true, packetSockets: true, converged: true }, want: [] },
    { inputs: { secretRead: false, packetSockets: true, converged: true }, want: ['gossipSecretUnreadable'] },
    { inputs: { secretRead: true, packetSockets: false, converged: true }, want: ['noPacketSocket'] },
    { inputs: { secretRead: true, packetSockets: true, converged: false }, want: ['notConverged'] },
    {
      inputs: { secretRead: false, packetSockets: false, converged: false },
      want: ['gossipSecretUnreadable', 'noPacketSocket', 'notConverged'],
    },
  ])('not Ready for exactly the failing conditions: $want', ({ inputs, want }) => {
    expect(notReadyReasons(inputs)).toEqual(want);
  });

  it('the tracker logs each change once, naming the reasons, and exports them as metrics', async () => {
    const { logger, lines } = capturingLogger();
    const inputs = { secretRead: true, packetSockets: false, converged: true };
    const tracker = new ReadinessTracker(() => inputs, logger);
    expect(tracker.isReady()).toBe(false);
    expect(tracker.isReady()).toBe(false);
    expect(lines.map((line) => line.msg)).toEqual(['speaker not Ready: noPacketSocket']);
    let text = await registry.metrics();
    expect(text).toMatch(/ferrolb_speaker_ready 0/);
    expect(text).toMatch(/ferrolb_speaker_not_ready\{reason="noPacketSocket"\} 1/);
    expect(text).toMatch(/ferrolb_speaker_not_ready\{reason="gossipSecretUnreadable"\} 0/);
    inputs.packetSockets = true;
    expect(tracker.isReady()).toBe(true);
    expect(lines.at(-1)?.msg).toBe('speaker Ready');
    text = await registry.metrics();
    expect(text).toMatch(/ferrolb_speaker_ready 1/);
    expect(text).toMatch(/ferrolb_speaker_not_ready\{reason="noPacketSocket"\} 0/);
  });
});

describe('Kubernetes speaker gossip secret: fail closed (issue 12 #2)', () => {
  it('an unreadable configured secret is retried, with an error each time and secretRead false, until it can be read', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ferrolb-secret-'));
    const { logger, lines } = capturingLogger();
    const status = { secretRead: false };
    let resolved: Uint8Array | undefined;
    const waiting = waitForSecret(directory, { logger, status, retryMs: 20 }).then((secret) => {
      resolved = secret;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(resolved).toBeUndefined();
    expect(status.secretRead).toBe(false);
    const errors = lines.filter((line) => line.level === 50);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(String(errors[0]?.msg)).toContain('never plaintext');
    expect(String(errors[0]?.error)).toContain(join(directory, 'secretkey'));
    writeFileSync(join(directory, 'secretkey'), '');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(resolved).toBeUndefined();
    expect(String(lines.at(-1)?.error)).toContain('is empty');
    writeFileSync(join(directory, 'secretkey'), 'c2VjcmV0LWZvci10ZXN0cw');
    await waiting;
    expect(Buffer.from(resolved ?? []).toString()).toBe('c2VjcmV0LWZvci10ZXN0cw');
    expect(status.secretRead).toBe(true);
  });

  it('no secret configured: plaintext (undefined) at once', async () => {
    const { logger } = capturingLogger();
    const status = { secretRead: true };
    expect(await waitForSecret(undefined, { logger, status })).toBeUndefined();
    expect(status.secretRead).toBe(true);
  });
});
