import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { electOwner, hashOrder } from '../../../src/election/index.js';
import { baseInput } from './fixtures.js';

const nodeName = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
const nodeSet = fc.uniqueArray(nodeName, { minLength: 1, maxLength: 12 });
const ipv4 = fc.ipV4();
const ip = fc.oneof(ipv4, fc.ipV6());

function ownerOf(members: readonly string[], address: string): string | undefined {
  const nodes = members.map((name) => ({ name, labels: {} }));
  const result = electOwner(
    baseInput({ nodes, liveMembers: members, service: { key: 'd/s', ingressIPs: [address] } }),
  );
  return result.ok ? result.owner : undefined;
}

describe('election properties', () => {
  it('E8: the order does not depend on the input order', () => {
    fc.assert(
      fc.property(nodeSet, ip, fc.nat(), (nodes, address, seed) => {
        const shuffled = [...nodes].sort(
          (a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 17 + seed) % 5),
        );
        expect(hashOrder(shuffled, address)).toEqual(hashOrder(nodes, address));
        expect(ownerOf([...nodes].reverse(), address)).toBe(ownerOf(nodes, address));
      }),
    );
  });

  it('E11: removing a non-owner never moves an IP', () => {
    fc.assert(
      fc.property(nodeSet, ip, fc.nat(), (nodes, address, pick) => {
        const owner = ownerOf(nodes, address);
        const others = nodes.filter((node) => node !== owner);
        fc.pre(others.length > 0);
        const removed = others[pick % others.length];
        expect(
          ownerOf(
            nodes.filter((node) => node !== removed),
            address,
          ),
        ).toBe(owner);
      }),
    );
  });

  it('E11: adding a node moves an IP only to the new node', () => {
    fc.assert(
      fc.property(nodeSet, nodeName, ip, (nodes, added, address) => {
        fc.pre(!nodes.includes(added));
        const before = ownerOf(nodes, address);
        const after = ownerOf([...nodes, added], address);
        expect([before, added]).toContain(after);
        expect(after === added).toBe(hashOrder([...nodes, added], address)[0] === added);
      }),
    );
  });

  it('E8: owners spread across nodes for many IPs', () => {
    const members = ['node-a', 'node-b', 'node-c', 'node-d', 'node-e'];
    const counts = new Map<string, number>();
    for (let index = 0; index < 1000; index++) {
      const address = `198.51.${100 + (index >> 8)}.${index & 0xff}`;
      const owner = ownerOf(members, address) as string;
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    // Each node expects 200 of 1000; a uniform hash stays well within [120, 280] (> 6 sigma).
    expect([...counts.keys()].sort()).toEqual(members);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(120);
      expect(count).toBeLessThan(280);
    }
  });
});
