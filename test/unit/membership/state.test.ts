import { describe, expect, it } from 'vitest';
import { judgeUpdate, softenForSync } from '../../../src/membership/state.js';
import type { MemberRecord, MemberState } from '../../../src/membership/types.js';

const record = (
  name: string,
  state: MemberState,
  incarnation: number,
  suspectedBy?: string,
): MemberRecord => ({
  name,
  address: '10.0.0.2',
  port: 7946,
  state,
  incarnation,
  metadata: {},
  ...(suspectedBy ? { suspectedBy } : {}),
});
const self = record('self', 'alive', 3);

describe('judgeUpdate: SWIM incarnation rules', () => {
  it.each<{ rule: string; local: MemberRecord | undefined; incoming: MemberRecord; want: object }>([
    {
      rule: 'SWIM: an unknown alive member is learnt',
      local: undefined,
      incoming: record('b', 'alive', 0),
      want: { kind: 'accept', suspicion: 'keep' },
    },
    {
      rule: 'SWIM: alive with a higher incarnation clears a suspicion',
      local: record('b', 'suspect', 1),
      incoming: record('b', 'alive', 2),
      want: { kind: 'accept', suspicion: 'stop', member: { state: 'alive', incarnation: 2 } },
    },
    {
      rule: 'SWIM: alive at the same incarnation does not clear a suspicion',
      local: record('b', 'suspect', 1),
      incoming: record('b', 'alive', 1),
      want: { kind: 'ignore' },
    },
    {
      rule: 'SWIM: a stale alive does not revive a dead member',
      local: record('b', 'dead', 4),
      incoming: record('b', 'alive', 4),
      want: { kind: 'ignore' },
    },
    {
      rule: 'SWIM: a newer alive revives a dead member (it refuted)',
      local: record('b', 'dead', 4),
      incoming: record('b', 'alive', 5),
      want: { kind: 'accept', member: { state: 'alive' } },
    },
    {
      rule: 'SWIM: a newer alive brings a left member back (rejoin)',
      local: record('b', 'left', 4),
      incoming: record('b', 'alive', 6),
      want: { kind: 'accept', member: { state: 'alive', incarnation: 6 } },
    },
    {
      rule: 'SWIM: suspect at the same incarnation starts a suspicion',
      local: record('b', 'alive', 2),
      incoming: { ...record('b', 'suspect', 2), suspectedBy: 'c' },
      want: { kind: 'accept', suspicion: 'start', member: { state: 'suspect', suspectedBy: 'c' } },
    },
    {
      rule: 'SWIM: a stale suspect is ignored',
      local: record('b', 'alive', 3),
      incoming: record('b', 'suspect', 2),
      want: { kind: 'ignore' },
    },
    {
      rule: 'Lifeguard: a second suspecter confirms',
      local: { ...record('b', 'suspect', 2), suspectedBy: 'c' },
      incoming: { ...record('b', 'suspect', 2), suspectedBy: 'd' },
      want: { kind: 'confirm', suspectedBy: 'd' },
    },
    {
      rule: 'SWIM: a suspicion alone does not add an unknown member',
      local: undefined,
      incoming: record('b', 'suspect', 0),
      want: { kind: 'ignore' },
    },
    {
      rule: 'SWIM: a suspicion does not revive a dead member',
      local: record('b', 'dead', 1),
      incoming: record('b', 'suspect', 1),
      want: { kind: 'ignore' },
    },
    {
      rule: 'SWIM: dead at the same incarnation overrides alive',
      local: record('b', 'alive', 1),
      incoming: record('b', 'dead', 1),
      want: { kind: 'accept', suspicion: 'stop', member: { state: 'dead' } },
    },
    {
      rule: 'SWIM: a stale dead is ignored',
      local: record('b', 'alive', 2),
      incoming: record('b', 'dead', 1),
      want: { kind: 'ignore' },
    },
    {
      rule: 'SWIM: left overrides dead (the more precise departure)',
      local: record('b', 'dead', 1),
      incoming: record('b', 'left', 1),
      want: { kind: 'accept', member: { state: 'left' } },
    },
    {
      rule: 'SWIM: dead does not override left',
      local: record('b', 'left', 1),
      incoming: record('b', 'dead', 1),
      want: { kind: 'ignore' },
    },
    {
      rule: 'SWIM: a departure of an unknown member adds nothing',
      local: undefined,
      incoming: record('b', 'dead', 1),
      want: { kind: 'ignore' },
    },
    {
      rule: 'SWIM §4.2: a suspicion about this node is refuted with a higher incarnation',
      local: undefined,
      incoming: record('self', 'suspect', 3),
      want: { kind: 'refute', incarnation: 4 },
    },
    {
      rule: 'SWIM §4.2: a newer death notice about this node is refuted above it',
      local: undefined,
      incoming: record('self', 'dead', 7),
      want: { kind: 'refute', incarnation: 8 },
    },
    {
      rule: 'SWIM: an older accusation about this node is ignored',
      local: undefined,
      incoming: record('self', 'suspect', 2),
      want: { kind: 'ignore' },
    },
    {
      rule: 'SWIM: our own alive record echoed back is ignored',
      local: undefined,
      incoming: record('self', 'alive', 3),
      want: { kind: 'ignore' },
    },
    {
      rule: 'SWIM: an alive from a previous life of this name is outbid',
      local: undefined,
      incoming: record('self', 'alive', 9),
      want: { kind: 'refute', incarnation: 10 },
    },
  ])('$rule', ({ local, incoming, want }) => {
    expect(judgeUpdate(local, incoming, self)).toMatchObject(want);
  });

  it('leave: a node that is leaving never refutes', () => {
    expect(judgeUpdate(undefined, record('self', 'dead', 5), record('self', 'left', 4))).toEqual({
      kind: 'ignore',
    });
  });

  it.each([
    {
      rule: 'memberlist mergeState: a dead in full state becomes a suspicion',
      state: 'dead' as const,
      want: 'suspect',
    },
    { rule: 'memberlist mergeState: left stays left', state: 'left' as const, want: 'left' },
    { rule: 'memberlist mergeState: alive stays alive', state: 'alive' as const, want: 'alive' },
  ])('$rule', ({ state, want }) => {
    expect(softenForSync(record('b', state, 1)).state).toBe(want);
  });
});
