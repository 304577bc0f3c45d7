import { describe, expect, it } from 'vitest';
import {
  type MemberSnapshot,
  MembershipTransitions,
  membershipReassertReason,
} from '../../../src/speaker/index.js';

const member = (name: string, state: MemberSnapshot['state'], incarnation = 1): MemberSnapshot => ({
  name,
  state,
  incarnation,
});
const self = 'node-a';

describe('DESIGN "Ownership is re-asserted": membership triggers', () => {
  it.each([
    {
      rule: 'refuted: own incarnation rose (a suspicion or death of this node was refuted)',
      previous: [member(self, 'alive', 1), member('node-b', 'alive')],
      next: [member(self, 'alive', 2), member('node-b', 'alive')],
      want: 'refuted',
    },
    {
      rule: 'peerReturned: a dead peer is alive again (false death, healed partition)',
      previous: [member(self, 'alive'), member('node-b', 'dead')],
      next: [member(self, 'alive'), member('node-b', 'alive')],
      want: 'peerReturned',
    },
    {
      rule: 'peerReturned: a peer unknown before is live (partitioned since start-up)',
      previous: [member(self, 'alive')],
      next: [member(self, 'alive'), member('node-b', 'alive')],
      want: 'peerReturned',
    },
    {
      rule: 'E5: suspect to alive is no return (suspect already counted as live)',
      previous: [member(self, 'alive'), member('node-b', 'suspect')],
      next: [member(self, 'alive'), member('node-b', 'alive')],
      want: undefined,
    },
    {
      rule: 'a peer dying or leaving is no reason to re-announce',
      previous: [member(self, 'alive'), member('node-b', 'alive'), member('node-c', 'alive')],
      next: [member(self, 'alive'), member('node-b', 'dead'), member('node-c', 'left')],
      want: undefined,
    },
    {
      rule: "a peer's incarnation rising is its business, not ours",
      previous: [member(self, 'alive'), member('node-b', 'alive', 1)],
      next: [member(self, 'alive'), member('node-b', 'alive', 5)],
      want: undefined,
    },
  ])('$rule', ({ previous, next, want }) => {
    expect(membershipReassertReason(previous, next, self)).toBe(want);
  });

  it('MembershipTransitions: the first view re-asserts nothing but expects hand-overs; later views compare', () => {
    const transitions = new MembershipTransitions(self);
    expect(transitions.observe([member(self, 'alive'), member('node-b', 'alive')])).toEqual({
      reassert: undefined,
      handOverExpected: true,
    });
    expect(transitions.observe([member(self, 'alive'), member('node-b', 'alive')])).toEqual({
      reassert: undefined,
      handOverExpected: false,
    });
    expect(transitions.observe([member(self, 'alive'), member('node-b', 'left')])).toEqual({
      reassert: undefined,
      handOverExpected: true,
    });
    expect(transitions.observe([member(self, 'alive'), member('node-b', 'alive')])).toEqual({
      reassert: 'peerReturned',
      handOverExpected: true,
    });
  });
});
