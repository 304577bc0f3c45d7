// Bounded fan-out (issue 14): at most `limit` writes in flight, every item done, order kept.
import { describe, expect, it } from 'vitest';
import { mapLimited } from '../../src/concurrency.js';

describe('mapLimited', () => {
  it('runs every item, never more than the limit at once, and keeps the order of results', async () => {
    let running = 0;
    let most = 0;
    const items = Array.from({ length: 50 }, (_, index) => index);
    const results = await mapLimited(items, 8, async (item) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, item % 3));
      running -= 1;
      return item * 2;
    });
    expect(results).toEqual(items.map((item) => item * 2));
    expect(most).toBe(8);
  });

  it('an empty list resolves at once; a failure rejects', async () => {
    expect(await mapLimited([], 8, async () => 1)).toEqual([]);
    await expect(
      mapLimited([1, 2, 3], 2, async (item) => {
        if (item === 2) throw new Error('two');
        return item;
      }),
    ).rejects.toThrow('two');
  });
});
