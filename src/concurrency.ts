// Bounded fan-out of asynchronous work. A speaker that gains 10,000 Services at once must not start
// 10,000 API writes at once: each waiting request holds its body, sockets queue entry and promise
// (issue 14: a speaker's peak RSS at 10,000 Services was several times its steady state).

/** Runs `work` on every item with at most `limit` in flight; results keep the items' order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
