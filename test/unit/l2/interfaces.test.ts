import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { LinkInfo } from '../../../src/l2/interface-filter.js';
import { InterfaceWatcher } from '../../../src/l2/interfaces.js';

const link = (name: string, flags: string[]): LinkInfo => ({
  name,
  index: 2,
  mac: '02:00:00:00:00:01',
  flags,
  hasIPv6LinkLocal: true,
});
const UP = ['BROADCAST', 'UP', 'LOWER_UP'];

async function watcherWith(reads: (() => Promise<LinkInfo[]>)[]) {
  let notify: () => void = () => undefined;
  let read = 0;
  const watcher = await InterfaceWatcher.start({
    logger: pino({ level: 'silent' }),
    selection: { exclude: [] },
    intervalMs: 60_000,
    readLinks: () => (reads[Math.min(read++, reads.length - 1)] as () => Promise<LinkInfo[]>)(),
    changes: (onChange) => {
      notify = onChange;
      return () => undefined;
    },
  });
  return { watcher, notify: () => notify() };
}

describe('InterfaceWatcher (L4 health, Q11)', () => {
  it('L4: a change reported by the monitor is read and emitted with the new health', async () => {
    const { watcher, notify } = await watcherWith([
      async () => [link('eth0', UP)],
      async () => [link('eth0', ['BROADCAST'])],
    ]);
    expect(watcher.states()[0]).toMatchObject({ usable: true });
    const changed = new Promise((resolve) => watcher.once('change', resolve));
    notify();
    expect(await changed).toEqual([
      expect.objectContaining({ name: 'eth0', usable: false, skipReason: 'down' }),
    ]);
    watcher.stop();
  });

  it('Q11: a failed read keeps the last known states and emits nothing', async () => {
    const { watcher } = await watcherWith([
      async () => [link('eth0', UP)],
      async () => Promise.reject(new Error('ip: not found')),
    ]);
    let emitted = 0;
    watcher.on('change', () => {
      emitted += 1;
    });
    await watcher.poll();
    expect(emitted).toBe(0);
    expect(watcher.states()[0]).toMatchObject({ name: 'eth0', usable: true });
    watcher.stop();
  });

  it('L4: an unchanged read emits nothing', async () => {
    const { watcher } = await watcherWith([async () => [link('eth0', UP)]]);
    let emitted = 0;
    watcher.on('change', () => {
      emitted += 1;
    });
    await watcher.poll();
    expect(emitted).toBe(0);
    watcher.stop();
  });
});
