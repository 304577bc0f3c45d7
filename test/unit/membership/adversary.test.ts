// Issue 12 findings 3, 6, 7 and 8 on virtual time: replayed packets, floods, forged incarnations
// and forged members. Each test reproduces the reported attack against the engine.
import { describe, expect, it } from 'vitest';
import { deriveKey, sealPacket } from '../../../src/membership/crypto.js';
import { encodeMessage, type Message } from '../../../src/membership/messages.js';
import { SimulatedNetwork, simulatedAddress } from '../../../src/membership/simulation.js';
import type { MemberRecord } from '../../../src/membership/types.js';

const key = deriveKey(new TextEncoder().encode('shared secret for adversary tests'));
const NAMES = ['node-0', 'node-1', 'node-2'];

function cluster(options: { key?: Buffer; allowList?: boolean; maxMembers?: number } = {}): SimulatedNetwork {
  const network = new SimulatedNetwork();
  const allowedMembers = new Map(NAMES.map((name, index) => [name, simulatedAddress(index)]));
  for (const name of NAMES) {
    network.add(name, {
      seeds: ['node-0'],
      ...(options.key ? { key: options.key } : {}),
      ...(options.allowList ? { allowedMembers } : {}),
      ...(options.maxMembers === undefined ? {} : { maxMembers: options.maxMembers }),
    });
  }
  expect(network.runUntil(() => network.allSeeAlive(NAMES), 10_000, 20)).toBeDefined();
  return network;
}

/** A plaintext packet as an attacker without a key writes it (version 1: no freshness fields). */
function forged(message: Message): Buffer {
  return sealPacket(encodeMessage(message), undefined, 1);
}

const alive = (name: string, address: string, incarnation = 0): MemberRecord => ({
  name,
  address,
  port: 7946,
  state: 'alive',
  incarnation,
  metadata: {},
});

describe('issue 12 finding 3: keyed gossip refuses replayed packets', () => {
  it('captured `left` packets of an earlier life, replayed after the member restarted, do not remove it', () => {
    const network = cluster({ key });
    const captured: Buffer[] = [];
    network.tap = (from, _to, packet) => {
      if (from === 'node-2') captured.push(packet);
    };
    void network.nodes.get('node-2')?.engine.leave(1_000);
    network.clock.advance(200);
    network.tap = () => {};
    expect(captured.length).toBeGreaterThan(0);
    // Long enough for every peer to forget the departed member (deadRetentionMs), then a restart.
    network.clock.advance(70_000);
    network.add('node-2', { seeds: ['node-0'], key });
    expect(network.runUntil(() => network.allSeeAlive(NAMES), 10_000, 20)).toBeDefined();
    const seenBefore = NAMES.map((name) => network.nodes.get(name)?.changes.length ?? 0);
    for (const packet of captured) {
      network.inject('node-0', packet, simulatedAddress(2));
      network.inject('node-1', packet, simulatedAddress(2));
    }
    network.clock.advance(2_000);
    expect(network.allSeeAlive(NAMES)).toBe(true);
    // Not even for a moment: a member seen `left` loses its IPs at once (the 8 s outage).
    for (const [index, name] of NAMES.entries()) {
      const states = (network.nodes.get(name)?.changes ?? [])
        .slice(seenBefore[index])
        .map((members) => members.find((member) => member.name === 'node-2')?.state);
      expect(states, name).not.toContain('left');
    }
    const drops = network.nodes.get('node-0')?.engine.stats().dropsByReason ?? {};
    expect(drops.stale).toBeGreaterThan(0);
  });

  it('a packet replayed within the same life is dropped as replayed and changes nothing', () => {
    const network = cluster({ key });
    const captured: Buffer[] = [];
    network.tap = (from, to, packet) => {
      if (from === 'node-1' && to === simulatedAddress(0)) captured.push(packet);
    };
    network.clock.advance(300);
    network.tap = () => {};
    for (const packet of captured) network.inject('node-0', packet, simulatedAddress(1));
    expect(network.nodes.get('node-0')?.engine.stats().dropsByReason.replayed).toBe(captured.length);
    expect(network.allSeeAlive(NAMES)).toBe(true);
  });

  it('a previous-version (unauthenticated-freshness) packet is refused by a keyed node', () => {
    const network = cluster({ key });
    const old = sealPacket(encodeMessage({ type: 'gossip', from: 'node-1', updates: [] }), key, 1);
    network.inject('node-0', old, simulatedAddress(1));
    expect(network.nodes.get('node-0')?.engine.stats().dropsByReason.previousVersion).toBe(1);
  });
});

describe('issue 12 finding 3: acks match (target, sequence), sequences are random', () => {
  it('guessed acks from someone else do not keep a crashed member alive', () => {
    const network = cluster();
    network.nodes.get('node-2')?.engine.stop();
    const ack = (sequence: number): Buffer => forged({ type: 'ack', sequence, from: 'node-1', updates: [] });
    const tookMs = network.runUntil(
      () => {
        // Sequential numbers are easy to guess: answer every recent one as another member.
        for (let sequence = 0; sequence < 200; sequence++)
          network.inject('node-0', ack(sequence), simulatedAddress(1));
        return network.stateOf('node-0', 'node-2') === 'dead';
      },
      5_000,
      10,
    );
    expect(tookMs).toBeLessThan(1_500);
  });
});

describe('events for re-announcing (DESIGN "Ownership is re-asserted")', () => {
  it('a node that refutes a suspicion emits refuted; a member back from dead emits memberReturned', () => {
    const network = cluster({ key });
    network.blocked = (from, to) => from === 'node-2' || to === 'node-2';
    expect(network.runUntil(() => network.stateOf('node-0', 'node-2') === 'dead', 5_000, 5)).toBeDefined();
    network.blocked = () => false;
    expect(network.runUntil(() => network.allSeeAlive(NAMES), 10_000, 20)).toBeDefined();
    expect(network.nodes.get('node-2')?.events.some((event) => event.type === 'refuted')).toBe(true);
    expect(network.nodes.get('node-0')?.events).toContainEqual({
      type: 'memberReturned',
      member: 'node-2',
      from: 'dead',
    });
  });
});

describe('DESIGN rolling update: the previous wire version', () => {
  it('without a secret, a node answers a version-1 sender in version 1 (the previous release understands it)', () => {
    const network = cluster();
    const replies: Buffer[] = [];
    network.tap = (from, to, packet) => {
      if (from === 'node-0' && to === '10.77.0.1') replies.push(packet);
    };
    const ping = forged({ type: 'ping', sequence: 7, from: 'old-node', target: 'node-0', updates: [] });
    network.inject('node-0', ping, '10.77.0.1');
    network.clock.advance(10);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.map((packet) => packet[0])).toEqual(replies.map(() => 0));
    const ack = replies
      .map((packet) => JSON.parse(packet.subarray(1).toString()))
      .find((m) => m.type === 'ack');
    expect(ack).toMatchObject({ type: 'ack', sequence: 7, from: 'node-0' });
    expect(ack).not.toHaveProperty('v');
  });
});

describe('issue 12 finding 7: incarnations are capped', () => {
  it('a forged accusation at 2^53-1 is ignored; one at the highest accepted value is still refuted', () => {
    const network = cluster();
    const accuse = (incarnation: number): Buffer =>
      forged({
        type: 'gossip',
        from: 'attacker',
        updates: [{ ...alive('node-2', simulatedAddress(2), incarnation), state: 'suspect' }],
      });
    network.inject('node-1', accuse(Number.MAX_SAFE_INTEGER));
    network.clock.advance(2_000);
    const incarnations = () =>
      NAMES.map((name) =>
        network.nodes
          .get(name)
          ?.engine.members()
          .find((m) => m.name === 'node-2'),
      );
    for (const member of incarnations()) {
      expect(member?.state).toBe('alive');
      expect(member?.incarnation).toBeLessThan(2 ** 32);
    }
    network.inject('node-1', accuse(2 ** 32 - 2));
    network.clock.advance(2_000);
    for (const member of incarnations()) {
      expect(member?.state).toBe('alive');
      expect(member?.incarnation).toBe(2 ** 32 - 1);
      expect(Number.isSafeInteger(member?.incarnation)).toBe(true);
    }
  });
});

describe('issue 12 findings 6 and 8: forged members and floods stay bounded', () => {
  const forgeMembers = (network: SimulatedNetwork, count: number): void => {
    for (let index = 0; index < count; index += 20) {
      const updates = Array.from({ length: 20 }, (_, offset) => {
        const n = index + offset;
        return alive(`forged-${n}`, `10.66.${n >> 8}.${n & 0xff}`);
      });
      for (const target of NAMES)
        network.inject(target, forged({ type: 'gossip', from: `forged-${index}`, updates }));
    }
  };

  it('with the configured members as allow-list, 2,000 forged members never enter, get no packet, and a real death is still found fast', () => {
    const network = cluster({ allowList: true });
    let sentToForged = 0;
    network.tap = (_from, to) => {
      if (to.startsWith('10.66.') || to === '10.9.9.9') sentToForged += 1;
    };
    forgeMembers(network, 2_000);
    network.clock.advance(1_000);
    for (const name of NAMES) expect(network.nodes.get(name)?.engine.members()).toHaveLength(3);
    expect(sentToForged).toBe(0);
    expect(network.nodes.get('node-0')?.engine.stats().dropsByReason.unknownSender).toBe(100);
    network.nodes.get('node-2')?.engine.stop();
    const tookMs = network.runUntil(
      () => ['node-0', 'node-1'].every((name) => network.stateOf(name, 'node-2') === 'dead'),
      5_000,
      1,
    );
    expect(tookMs).toBeLessThan(1_000);
  });

  it('without an allow-list the table stops at its bound and unknown senders get no full state', () => {
    const network = cluster({ maxMembers: 50 });
    let bytesToForged = 0;
    network.tap = (_from, to, packet) => {
      if (to === '10.9.9.9') bytesToForged += packet.byteLength;
    };
    forgeMembers(network, 2_000);
    network.clock.advance(100);
    for (const name of NAMES)
      expect(network.nodes.get(name)?.engine.members().length).toBeLessThanOrEqual(51);
    // At most one small introduction per node and unknown name: never the full state of 50 members.
    expect(bytesToForged).toBeLessThan(NAMES.length * 100 * 400);
  });

  it('a garbage flood from one address is rate limited before decryption and causes no suspicion', () => {
    const network = cluster({ key });
    for (let round = 0; round < 10; round++) {
      for (let index = 0; index < 5_000; index++)
        network.inject('node-1', Buffer.from([3, 1, 2, 3, index & 0xff]));
      network.clock.advance(100);
    }
    const drops = network.nodes.get('node-1')?.engine.stats().dropsByReason ?? {};
    expect(drops.rateLimited).toBeGreaterThan(40_000);
    expect((drops.rateLimited ?? 0) + (drops.malformed ?? 0)).toBe(50_000);
    for (const observer of NAMES) {
      for (const member of NAMES) expect(network.stateOf(observer, member)).toBe('alive');
    }
  });
});
