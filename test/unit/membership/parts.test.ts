import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BroadcastQueue, retransmitLimit } from '../../../src/membership/broadcasts.js';
import { deriveKey, openPacket, sealPacket } from '../../../src/membership/crypto.js';
import { DEFAULT_TIMINGS } from '../../../src/membership/defaults.js';
import { decodeMessage, encodeMessage, type Message } from '../../../src/membership/messages.js';
import { LocalHealth, suspicionTimeoutMs } from '../../../src/membership/suspicion.js';
import type { MemberRecord } from '../../../src/membership/types.js';

const key = deriveKey(new TextEncoder().encode('0123456789abcdefghijkl'));
const otherKey = deriveKey(new TextEncoder().encode('another secret'));
const payload = Buffer.from('{"hello":"world"}');

describe('packet envelope (AES-256-GCM, HKDF-SHA256)', () => {
  it.each([
    {
      rule: 'DESIGN: a keyed packet opens with the same key',
      packet: () => sealPacket(payload, key),
      open: key,
      want: { ok: true },
    },
    {
      rule: 'DESIGN: a wrong key fails authentication',
      packet: () => sealPacket(payload, key),
      open: otherKey,
      want: { ok: false, reason: 'authentication' },
    },
    {
      rule: 'DESIGN: a flipped ciphertext bit fails authentication',
      packet: () => flip(sealPacket(payload, key), 20),
      open: key,
      want: { ok: false, reason: 'authentication' },
    },
    {
      rule: 'DESIGN: a flipped version byte is not accepted',
      packet: () => flip(sealPacket(payload, key), 0),
      open: key,
      want: { ok: false },
    },
    {
      rule: 'DESIGN: a truncated packet is malformed',
      packet: () => sealPacket(payload, key).subarray(0, 20),
      open: key,
      want: { ok: false, reason: 'malformed' },
    },
    {
      rule: 'ML5: a keyed node refuses plaintext',
      packet: () => sealPacket(payload, undefined),
      open: key,
      want: { ok: false, reason: 'plaintext' },
    },
    {
      rule: 'ML5: a plaintext node cannot read encrypted packets',
      packet: () => sealPacket(payload, key),
      open: undefined,
      want: { ok: false, reason: 'encrypted' },
    },
    {
      rule: 'ML5: plaintext opens without a key',
      packet: () => sealPacket(payload, undefined),
      open: undefined,
      want: { ok: true },
    },
    {
      rule: 'DESIGN: an empty datagram is malformed',
      packet: () => Buffer.alloc(0),
      open: key,
      want: { ok: false, reason: 'malformed' },
    },
  ])('$rule', ({ packet, open, want }) => {
    const opened = openPacket(packet(), open);
    expect(opened).toMatchObject(want);
    if (opened.ok) expect(opened.payload.equals(payload)).toBe(true);
  });

  it('DESIGN: every packet gets a fresh nonce, so equal payloads never produce equal bytes', () => {
    expect(sealPacket(payload, key).equals(sealPacket(payload, key))).toBe(false);
  });

  it('DESIGN: nonces never repeat, also across refills of the random pool', () => {
    const nonces = new Set(
      Array.from({ length: 1_000 }, () => sealPacket(payload, key).subarray(1, 13).toString('hex')),
    );
    expect(nonces.size).toBe(1_000);
  });

  it('DESIGN: the key depends on every secret byte', () => {
    expect(deriveKey(Buffer.from('secret-a')).equals(deriveKey(Buffer.from('secret-b')))).toBe(false);
    expect(deriveKey(Buffer.from('secret-a'))).toHaveLength(32);
  });

  it('DESIGN: opening random bytes never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, keyed) => {
        // First byte 0 (version 1) or 2 (version 2) is plaintext: the only packets a keyless node opens.
        expect(openPacket(bytes, keyed ? key : undefined).ok).toBe(
          (bytes[0] === 0 || bytes[0] === 2) && !keyed,
        );
      }),
    );
  });
});

const member: MemberRecord = {
  name: 'node-a',
  address: '198.51.100.1',
  port: 7946,
  state: 'alive',
  incarnation: 2,
  metadata: { interfaces: { eth0: true } },
};

describe('messages', () => {
  it.each<{ rule: string; message: Message }>([
    {
      rule: 'SWIM: ping round-trips',
      message: { type: 'ping', sequence: 1, from: 'a', target: 'b', updates: [member] },
    },
    { rule: 'SWIM: ack round-trips', message: { type: 'ack', sequence: 1, from: 'b', updates: [] } },
    { rule: 'Lifeguard: nack round-trips', message: { type: 'nack', sequence: 1, from: 'b', updates: [] } },
    {
      rule: 'SWIM: ping request round-trips',
      message: {
        type: 'pingRequest',
        sequence: 9,
        from: 'a',
        target: 'c',
        address: '2001:db8:1::3',
        port: 7946,
        updates: [],
      },
    },
    {
      rule: 'SWIM: gossip round-trips',
      message: {
        type: 'gossip',
        from: 'a',
        updates: [member, { ...member, name: 'x', state: 'suspect', suspectedBy: 'a' }],
      },
    },
    { rule: 'DESIGN: sync round-trips', message: { type: 'sync', from: 'a', join: true, updates: [member] } },
  ])('$rule', ({ message }) => {
    expect(decodeMessage(encodeMessage(message))).toEqual(message);
  });

  it.each([
    { rule: 'DESIGN: not JSON', text: '{"type":' },
    { rule: 'DESIGN: unknown type', text: '{"type":"hello","from":"a","updates":[]}' },
    { rule: 'DESIGN: missing sequence', text: '{"type":"ping","from":"a","target":"b","updates":[]}' },
    {
      rule: 'DESIGN: a record with a bad address',
      text: JSON.stringify({ type: 'gossip', from: 'a', updates: [{ ...member, address: 'nowhere' }] }),
    },
    {
      rule: 'DESIGN: a record with an unknown state',
      text: JSON.stringify({ type: 'gossip', from: 'a', updates: [{ ...member, state: 'zombie' }] }),
    },
    {
      rule: 'DESIGN: a record with a negative incarnation',
      text: JSON.stringify({ type: 'gossip', from: 'a', updates: [{ ...member, incarnation: -1 }] }),
    },
    {
      rule: 'DESIGN: a port out of range',
      text: JSON.stringify({
        type: 'pingRequest',
        sequence: 1,
        from: 'a',
        target: 'b',
        address: '10.0.0.1',
        port: 70000,
        updates: [],
      }),
    },
    { rule: 'DESIGN: an array instead of an object', text: '[1,2,3]' },
  ])('$rule is rejected', ({ text }) => {
    expect(decodeMessage(Buffer.from(text))).toBeUndefined();
  });

  it('DESIGN: decoding random bytes never throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void decodeMessage(bytes)));
    fc.assert(fc.property(fc.json(), (text) => void decodeMessage(Buffer.from(text))));
  });
});

describe('broadcast queue and timeouts', () => {
  it('SWIM λ·log n: each update is sent at most the retransmit limit, least-sent first', () => {
    const queue = new BroadcastQueue();
    queue.enqueue({ ...member, name: 'a' });
    queue.enqueue({ ...member, name: 'b' });
    const limit = retransmitLimit(DEFAULT_TIMINGS.retransmitMultiplier, 5);
    expect(limit).toBe(4);
    const sent: string[] = [];
    for (let round = 0; round < 10; round++) sent.push(...queue.take(10_000, limit).map((r) => r.name));
    expect(sent.filter((n) => n === 'a')).toHaveLength(4);
    expect(sent.filter((n) => n === 'b')).toHaveLength(4);
    expect(queue.size).toBe(0);
  });

  it('SWIM: a newer record about a member replaces the queued one and respects the byte budget', () => {
    const queue = new BroadcastQueue();
    queue.enqueue({ ...member, incarnation: 1 });
    queue.enqueue({ ...member, incarnation: 2 });
    expect(queue.take(5, 4)).toEqual([]);
    expect(queue.take(10_000, 4)).toEqual([{ ...member, incarnation: 2 }]);
  });

  it.each([
    {
      rule: 'Lifeguard: 3 members, no confirmations needed: the minimum',
      members: 3,
      confirmations: 0,
      health: 0,
      timings: DEFAULT_TIMINGS,
      want: 300,
    },
    {
      rule: 'Lifeguard: the minimum grows with log10 n',
      members: 100,
      confirmations: 0,
      health: 0,
      timings: DEFAULT_TIMINGS,
      want: 600,
    },
    {
      rule: 'Lifeguard: local health stretches the timeout',
      members: 3,
      confirmations: 0,
      health: 2,
      timings: DEFAULT_TIMINGS,
      want: 900,
    },
    {
      rule: 'Lifeguard: awaiting confirmations starts at the maximum',
      members: 10,
      confirmations: 0,
      health: 0,
      timings: { ...DEFAULT_TIMINGS, suspicionConfirmations: 2 },
      want: 600,
    },
    {
      rule: 'Lifeguard: all expected confirmations bring the minimum',
      members: 10,
      confirmations: 2,
      health: 0,
      timings: { ...DEFAULT_TIMINGS, suspicionConfirmations: 2 },
      want: 300,
    },
    {
      rule: 'Lifeguard: too few members to confirm: the minimum',
      members: 3,
      confirmations: 0,
      health: 0,
      timings: { ...DEFAULT_TIMINGS, suspicionConfirmations: 2 },
      want: 300,
    },
  ])('$rule', ({ members, confirmations, health, timings, want }) => {
    expect(suspicionTimeoutMs({ memberCount: members, confirmations, localHealth: health, timings })).toBe(
      want,
    );
  });

  it('Lifeguard: local health is clamped to 0..max and scales durations', () => {
    const health = new LocalHealth(3);
    health.apply(-1);
    expect(health.score).toBe(0);
    health.apply(10);
    expect(health.score).toBe(3);
    expect(health.scale(100)).toBe(400);
  });
});

function flip(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 1;
  return copy;
}
