// docs/gossip.md "Freshness": the replay guard's rules one by one.
import { describe, expect, it } from 'vitest';
import { ReplayGuard } from '../../../src/membership/freshness.js';

const SILENCE_MS = 60_000;
const life = (boot: number, id: string) => (counter: number) => ({ boot, id, counter });
const first = life(1_000, 'aaaaaaaaaaaaaaaa');
const restarted = life(2_000, 'bbbbbbbbbbbbbbbb');

describe('ReplayGuard', () => {
  it('accepts each counter once, out of order within the window, and nothing older', () => {
    const guard = new ReplayGuard(SILENCE_MS);
    expect(guard.check('a', first(10), 0)).toBe('fresh');
    expect(guard.check('a', first(12), 0)).toBe('fresh');
    expect(guard.check('a', first(11), 0)).toBe('fresh');
    expect(guard.check('a', first(11), 0)).toBe('replayed');
    expect(guard.check('a', first(12), 0)).toBe('replayed');
    expect(guard.check('a', first(100), 0)).toBe('fresh');
    expect(guard.check('a', first(69), 0)).toBe('fresh');
    expect(guard.check('a', first(68), 0)).toBe('stale');
  });

  it('restart rule: a later boot is taken at once; the earlier life is then refused while the sender lives', () => {
    const guard = new ReplayGuard(SILENCE_MS);
    expect(guard.check('a', first(5), 0)).toBe('fresh');
    expect(guard.check('a', restarted(1), 1_000)).toBe('fresh');
    expect(guard.check('a', first(6), 2_000)).toBe('stale');
    expect(guard.check('a', restarted(2), 50_000)).toBe('fresh');
    expect(guard.check('a', first(7), 100_000)).toBe('stale');
  });

  it('an epoch silent for the retention time may be replaced by any other (a clock that went back)', () => {
    const guard = new ReplayGuard(SILENCE_MS);
    expect(guard.check('a', restarted(1), 0)).toBe('fresh');
    expect(guard.check('a', first(1), SILENCE_MS - 1)).toBe('stale');
    expect(guard.check('a', first(1), SILENCE_MS)).toBe('fresh');
  });

  it('senders are judged independently and the table is bounded', () => {
    const guard = new ReplayGuard(SILENCE_MS, 3);
    for (const name of ['a', 'b', 'c', 'd']) expect(guard.check(name, first(1), 0)).toBe('fresh');
    expect(guard.size).toBe(3);
  });
});
