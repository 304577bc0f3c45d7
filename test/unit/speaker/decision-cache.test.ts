// Issue 14: the speaker remembers each Service's outcome while nothing it depends on changed.
// The property: a run of reconciles with the cache gives exactly what the same run without it
// gives (announcements, withdrawals, Events, statuses, failovers), and the metric series it leaves
// set are exactly the announced ones (M4/Q16), though a kept Service's series are not set again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ElectionEndpoint, ElectionNode } from '../../../src/election/index.js';
import { DecisionCache } from '../../../src/speaker/decision-cache.js';
import {
  EMPTY_SPEAKER_STATE,
  reconcile,
  type SpeakerInputs,
  type SpeakerService,
  type SpeakerState,
} from '../../../src/speaker/index.js';
import type { Reconciliation } from '../../../src/speaker/types.js';
import { inputs, service } from './fixtures.js';

const nodeNames = ['node-a', 'node-b', 'node-c', 'node-d'];
const NODES: ElectionNode[] = nodeNames.map((name) => ({ name, labels: {} }));

const serviceSpec = fc.record({
  octets: fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { minLength: 0, maxLength: 2 }),
  endpointNodes: fc.subarray(nodeNames),
  local: fc.boolean(),
});
type ServiceSpec = typeof serviceSpec extends fc.Arbitrary<infer T> ? T : never;

const worldSpec = fc.record({
  live: fc.subarray(nodeNames, { minLength: 1 }),
  services: fc.array(serviceSpec, { minLength: 1, maxLength: 5 }),
});
type WorldSpec = typeof worldSpec extends fc.Arbitrary<infer T> ? T : never;

/** A step changes one thing, as a watch event does: membership, or one Service. */
const change = fc.oneof(
  fc.record({ kind: fc.constant('live' as const), live: fc.subarray(nodeNames, { minLength: 1 }) }),
  fc.record({ kind: fc.constant('service' as const), index: fc.nat(4), spec: serviceSpec }),
  fc.record({ kind: fc.constant('delete' as const), index: fc.nat(4) }),
  fc.constant({ kind: 'repeat' as const }),
);
type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

function applyChange(world: WorldSpec, step: Change): WorldSpec {
  if (step.kind === 'live') return { ...world, live: step.live };
  if (step.kind === 'repeat') return world;
  const index = step.index % world.services.length;
  const services =
    step.kind === 'delete'
      ? world.services.filter((_, at) => at !== index)
      : world.services.map((spec, at) => (at === index ? step.spec : spec));
  return { ...world, services: services.length > 0 ? services : world.services };
}

/**
 * The speaker's readers return one object per unchanged API object; interning by content does the
 * same here, so an unchanged Service or endpoint list is the same object in the next step.
 */
class Interner {
  private readonly services = new Map<string, SpeakerService>();
  private readonly endpoints = new Map<string, ElectionEndpoint[]>();

  view(world: WorldSpec, nodeName: string): SpeakerInputs {
    const services = world.services.map((spec, index) => this.service(spec, index));
    return inputs({
      nodeName,
      services,
      endpoints: new Map(world.services.map((spec, index) => [`default/s${index}`, this.endpointsOf(spec)])),
      nodes: NODES,
      liveMembers: [...world.live],
    });
  }

  private service(spec: ServiceSpec, index: number): SpeakerService {
    const key = JSON.stringify([index, spec.octets, spec.local]);
    const known = this.services.get(key);
    if (known) return known;
    const made = service({
      key: `default/s${index}`,
      name: `s${index}`,
      uid: `uid-s${index}`,
      ingressIPs: spec.octets.map((octet) => `10.0.0.${octet}`),
      externalTrafficPolicy: spec.local ? 'Local' : 'Cluster',
    });
    this.services.set(key, made);
    return made;
  }

  private endpointsOf(spec: ServiceSpec): ElectionEndpoint[] {
    const key = JSON.stringify(spec.endpointNodes);
    const known = this.endpoints.get(key);
    if (known) return known;
    const made = spec.endpointNodes.map((name) => ({ nodeName: name, ready: true }));
    this.endpoints.set(key, made);
    return made;
  }
}

function observable(result: Reconciliation) {
  return {
    announcements: [...result.announcements],
    withdrawals: result.withdrawals,
    events: result.events,
    statuses: result.statuses,
    failovers: result.failovers,
    outcomes: [...result.outcomes],
  };
}

/** The announced series as a gauge holds them after a run's removals and sets. */
function applySeries(gauge: Map<string, string>, result: Reconciliation): void {
  const key = (series: { service: string; ip: string }) => `${series.service}|${series.ip}`;
  for (const series of result.staleSeries) gauge.delete(key(series));
  for (const series of result.series) gauge.set(key(series), series.node);
}

function announcedSeries(state: SpeakerState): string[] {
  return [...state.services].flatMap(([service, announced]) => announced.ips.map((ip) => `${service}|${ip}`));
}

describe('DecisionCache (issue 14: a burst does not decide every Service again)', () => {
  it('reconciles with the cache exactly as without it, and leaves exactly the announced series set (M4, Q16)', () => {
    fc.assert(
      fc.property(
        worldSpec,
        fc.array(change, { maxLength: 8 }),
        fc.constantFrom(...nodeNames),
        (start, changes, nodeName) => {
          const interner = new Interner();
          const cache = new DecisionCache();
          const gauge = new Map<string, string>();
          let cached: SpeakerState = EMPTY_SPEAKER_STATE;
          let plain: SpeakerState = EMPTY_SPEAKER_STATE;
          let world = start;
          for (const step of [{ kind: 'repeat' as const }, ...changes]) {
            world = applyChange(world, step);
            const view = interner.view(world, nodeName);
            const withCache = reconcile(view, cached, cache);
            const without = reconcile(view, plain);
            expect(observable(withCache)).toEqual(observable(without));
            applySeries(gauge, withCache);
            expect([...gauge.keys()].sort()).toEqual(announcedSeries(withCache.state).sort());
            cached = withCache.state;
            plain = without.state;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a repeated reconcile keeps each announced state and sets no series again', () => {
    const cache = new DecisionCache();
    const view = inputs();
    const first = reconcile(view, EMPTY_SPEAKER_STATE, cache);
    const second = reconcile({ ...view, services: [...view.services] }, first.state, cache);
    expect(first.series).toHaveLength(1);
    expect(second.state.services.get('default/web')).toBe(first.state.services.get('default/web'));
    expect(second.series).toEqual([]);
    expect(second.staleSeries).toEqual([]);
    expect(second.events).toEqual([]);
  });

  it('a Node replaced by an equal object (a kubelet status write) keeps the decisions; a changed label does not', () => {
    const cache = new DecisionCache();
    const view = inputs();
    const [svc] = view.services;
    if (!svc) throw new Error('fixture has a Service');
    let decided = 0;
    const decide = () => {
      decided += 1;
      return { announce: false, reason: 'notOwner' } as const;
    };
    cache.begin(view);
    cache.outcome(svc, undefined, decide);
    cache.begin({ ...view, nodes: view.nodes.map((node) => structuredClone(node)) });
    cache.outcome(svc, undefined, decide);
    expect(decided).toBe(1);
    cache.begin({
      ...view,
      nodes: view.nodes.map((node) => ({ ...node, labels: { ...node.labels, x: 'y' } })),
    });
    cache.outcome(svc, undefined, decide);
    expect(decided).toBe(2);
  });

  it('a changed shared input (gossip members) decides every Service again', () => {
    const cache = new DecisionCache();
    const view = inputs({ liveMembers: ['node-a', 'node-b', 'node-c'] });
    const first = reconcile(view, EMPTY_SPEAKER_STATE, cache);
    expect([...first.announcements.keys()]).toEqual(['10.0.0.1']);
    // node-b owns 10.0.0.1 by hash (E10); without it alive, node-b still runs but is not a candidate.
    const second = reconcile({ ...view, liveMembers: ['node-a', 'node-c'] }, first.state, cache);
    expect([...second.announcements.keys()]).toEqual([]);
    expect(second.withdrawals).toEqual([{ service: 'default/web', ips: ['10.0.0.1'], reason: 'notOwner' }]);
  });
});
