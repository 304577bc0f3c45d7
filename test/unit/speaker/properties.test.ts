import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXCLUDE_LB_LABEL } from '../../../src/config/annotations.js';
import type { ElectionNode } from '../../../src/election/index.js';
import { EMPTY_SPEAKER_STATE, reconcile } from '../../../src/speaker/index.js';
import { inputs, service } from './fixtures.js';

const nodeNames = ['node-a', 'node-b', 'node-c', 'node-d', 'node-e'];
const world = fc.record({
  excluded: fc.subarray(nodeNames),
  live: fc.subarray(nodeNames, { minLength: 1 }),
  endpointNodes: fc.subarray(nodeNames),
  local: fc.boolean(),
  lastOctets: fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 1, maxLength: 6 }),
});

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function viewOf(sample: World, nodeName: string) {
  const services = sample.lastOctets.map((octet) =>
    service({
      key: `default/s${octet}`,
      name: `s${octet}`,
      ingressIPs: [`10.0.0.${octet}`],
      externalTrafficPolicy: sample.local ? 'Local' : 'Cluster',
    }),
  );
  const endpoints = sample.endpointNodes.map((name) => ({ nodeName: name, ready: true }));
  return inputs({
    nodeName,
    services,
    endpoints: new Map(services.map((item) => [item.key, endpoints])),
    nodes: nodeNames.map((name): ElectionNode => {
      const labels: Record<string, string> = sample.excluded.includes(name) ? { [EXCLUDE_LB_LABEL]: '' } : {};
      return { name, labels };
    }),
    liveMembers: sample.live,
  });
}

describe('speaker properties', () => {
  it('E11: with one shared view, each IP is announced by at most one node, and by one when any node is eligible', () => {
    fc.assert(
      fc.property(world, (sample) => {
        const announcers = new Map<string, string[]>();
        for (const name of nodeNames) {
          for (const ip of reconcile(viewOf(sample, name), EMPTY_SPEAKER_STATE).announcements.keys()) {
            announcers.set(ip, [...(announcers.get(ip) ?? []), name]);
          }
        }
        const eligible = sample.live.filter(
          (name) =>
            !sample.excluded.includes(name) &&
            sample.endpointNodes.length > 0 &&
            (!sample.local || sample.endpointNodes.includes(name)),
        );
        for (const octet of sample.lastOctets) {
          const owners = announcers.get(`10.0.0.${octet}`) ?? [];
          expect(owners.length).toBe(eligible.length > 0 ? 1 : 0);
          if (owners[0]) expect(eligible).toContain(owners[0]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('E8: the result does not depend on the order of Services', () => {
    fc.assert(
      fc.property(world, fc.integer({ min: 0, max: 4 }), (sample, index) => {
        const view = viewOf(sample, nodeNames[index] ?? 'node-a');
        const reversed = { ...view, services: [...view.services].reverse() };
        const sorted = (map: ReadonlyMap<string, unknown>) => [...map].sort(([a], [b]) => (a < b ? -1 : 1));
        expect(sorted(reconcile(reversed, EMPTY_SPEAKER_STATE).announcements)).toEqual(
          sorted(reconcile(view, EMPTY_SPEAKER_STATE).announcements),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('metrics: across a change of world, only the new owner counts a failover, and only when the owner moved', () => {
    fc.assert(
      fc.property(world, world, (before, changed) => {
        const after = { ...changed, lastOctets: before.lastOctets };
        const announcer = (sample: World, ip: string) =>
          nodeNames.find((name) =>
            reconcile(viewOf(sample, name), EMPTY_SPEAKER_STATE).announcements.has(ip),
          );
        const counted = new Map<string, string[]>();
        for (const name of nodeNames) {
          const first = reconcile(viewOf(before, name), EMPTY_SPEAKER_STATE);
          for (const failover of reconcile(viewOf(after, name), first.state).failovers) {
            counted.set(failover.ip, [...(counted.get(failover.ip) ?? []), name]);
          }
        }
        for (const octet of before.lastOctets) {
          const ip = `10.0.0.${octet}`;
          const [previousOwner, owner] = [announcer(before, ip), announcer(after, ip)];
          const moved = previousOwner !== undefined && owner !== undefined && owner !== previousOwner;
          expect(counted.get(ip) ?? []).toEqual(moved ? [owner] : []);
        }
      }),
      { numRuns: 100 },
    );
  });
});
