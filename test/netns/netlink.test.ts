// rtnetlink in native/ on a real kernel (issue 11, issue 12 #4), with iproute2 as the oracle: the
// link/address dump, change events, and local routes that never replace or delete a route
// someone else owns. Each script runs the compiled modules (dist/) inside a namespace of its own.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/lab-cluster.js';
import { canUseNamespaces, createNamespace, inNs, macOf, sweepNamespaces } from '../helpers/netns.js';

const PREFIX = 'flb-nlk';
const NS = `${PREFIX}-a`;
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist');
const HOST_V4 = '198.51.100.2';
const HOST_V6 = '2001:db8:1::2';

/** Runs an ES module body inside NS with `dist` bound to the compiled tree; returns its JSON output. */
function runInNs(body: string): { status: number | null; output: string; result: unknown } {
  const code = `const dist = ${JSON.stringify(DIST)};\n${body}`;
  const node = [process.execPath, '--expose-gc', '--input-type=module', '-e', code];
  const run = spawnSync('ip', ['netns', 'exec', NS, ...node], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  const output = `${run.stdout}${run.stderr}`;
  const last = run.stdout.trim().split('\n').pop() ?? '';
  let result: unknown;
  try {
    result = JSON.parse(last);
  } catch {
    result = undefined;
  }
  return { status: run.status, output, result };
}

function localTable(family: '-4' | '-6'): string {
  return inNs(NS, 'ip', [family, 'route', 'show', 'table', 'local']);
}

beforeAll(() => {
  requireBuild();
  sweepNamespaces(PREFIX);
  createNamespace(NS);
  inNs(NS, 'ip', ['link', 'add', 'flbv0', 'type', 'veth', 'peer', 'name', 'flbv1']);
  inNs(NS, 'ip', ['link', 'add', 'flbbr0', 'type', 'bridge']);
  inNs(NS, 'ip', ['link', 'set', 'flbv1', 'master', 'flbbr0']);
  for (const link of ['flbv0', 'flbv1', 'flbbr0']) inNs(NS, 'ip', ['link', 'set', link, 'up']);
  inNs(NS, 'ip', ['addr', 'add', `${HOST_V4}/24`, 'dev', 'flbv0']);
  inNs(NS, 'ip', ['-6', 'addr', 'add', `${HOST_V6}/64`, 'dev', 'flbv0', 'nodad']);
});

afterAll(() => sweepNamespaces(PREFIX));

describe.skipIf(!canUseNamespaces())('rtnetlink links and addresses (issue 11)', { timeout: 60_000 }, () => {
  it('the dump gives what `ip -j link/addr` gives: names, indexes, MACs, flags, master, kind, addresses', () => {
    const run = runInNs(`
      const { readNetlinkDump } = await import(dist + '/l2/native.js');
      const { linksFromDump } = await import(dist + '/l2/link-dump.js');
      console.log(JSON.stringify(linksFromDump(readNetlinkDump())));`);
    expect(run.status, run.output).toBe(0);
    const links = run.result as { name: string; [key: string]: unknown }[];
    const ip = JSON.parse(inNs(NS, 'ip', ['-j', '-d', 'link', 'show'])) as Record<string, unknown>[];
    expect(links.map((link) => [link.name, link.index, link.mac])).toEqual(
      ip.map((entry) => [entry.ifname, entry.ifindex, entry.address]),
    );
    const byName = new Map(links.map((link) => [link.name, link]));
    expect(byName.get('flbv1')).toMatchObject({ master: 'flbbr0', kind: 'veth' });
    expect(byName.get('flbbr0')).toMatchObject({ kind: 'bridge' });
    expect(byName.get('flbv0')?.mac).toBe(macOf(NS, 'flbv0'));
    expect(byName.get('flbv0')?.flags).toEqual(expect.arrayContaining(['BROADCAST', 'UP', 'LOWER_UP']));
    expect(byName.get('flbv0')).toMatchObject({ hasIPv6LinkLocal: true, operstate: 'UP' });
    expect(byName.get('flbv0')?.addresses).toEqual(
      expect.arrayContaining([
        { family: 4, address: HOST_V4, prefixLength: 24, scope: 'global' },
        { family: 6, address: HOST_V6, prefixLength: 64, scope: 'global' },
      ]),
    );
  });

  it('a carrier loss reaches the InterfaceWatcher by event, long before its poll interval; the watch never keeps the process alive', () => {
    const run = runInNs(`
      const { spawnSync } = await import('node:child_process');
      const { InterfaceWatcher } = await import(dist + '/l2/interfaces.js');
      const { INTERFACE_POLL_INTERVAL_MS } = await import(dist + '/config/defaults.js');
      const logger = { info() {}, warn() {}, debug() {}, error() {} };
      const watcher = await InterfaceWatcher.start({ logger, selection: { exclude: [], only: ['flbv0'] } });
      const mine = (states) => states.find((state) => state.name === 'flbv0');
      const before = mine(watcher.states());
      const started = Date.now();
      // The watch itself keeps nothing alive: this timer holds the process while the test waits.
      const hold = setTimeout(() => undefined, 15_000);
      const changed = new Promise((resolve) => watcher.once('change', resolve));
      spawnSync('ip', ['link', 'set', 'flbv1', 'down']);
      const after = mine(await changed);
      spawnSync('ip', ['link', 'set', 'flbv1', 'up']);
      clearTimeout(hold);
      // No stop(): the process must still exit by itself.
      console.log(JSON.stringify({ before, after, ms: Date.now() - started, poll: INTERFACE_POLL_INTERVAL_MS }));`);
    expect(run.status, run.output).toBe(0);
    const { before, after, ms, poll } = run.result as Record<string, unknown> & { ms: number; poll: number };
    expect(before).toMatchObject({ name: 'flbv0', up: true, usable: true });
    expect(after).toMatchObject({ name: 'flbv0', up: false, usable: false, skipReason: 'down' });
    expect(ms).toBeLessThan(poll / 4);
  });

  it('unwatch closes the subscription: no callback after it, and closing twice is harmless', () => {
    const run = runInNs(`
      const { spawnSync } = await import('node:child_process');
      const { watchNetlink } = await import(dist + '/l2/native.js');
      let calls = 0;
      const stop = watchNetlink(() => calls++);
      spawnSync('ip', ['addr', 'add', '198.51.100.77/32', 'dev', 'flbv0']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const seen = calls;
      stop();
      stop();
      spawnSync('ip', ['addr', 'del', '198.51.100.77/32', 'dev', 'flbv0']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      console.log(JSON.stringify({ seen, after: calls - seen }));`);
    expect(run.status, run.output).toBe(0);
    expect(run.result).toMatchObject({ after: 0 });
    expect((run.result as { seen: number }).seen).toBeGreaterThan(0);
  });
});

describe.skipIf(!canUseNamespaces())('netlink watch life cycle', { timeout: 60_000 }, () => {
  it('a worker ending with its watch open, and a dropped handle collected by GC, close cleanly', () => {
    const run = runInNs(`
      const { Worker } = await import('node:worker_threads');
      const { spawnSync } = await import('node:child_process');
      const source = 'const { watchNetlink } = await import(' + JSON.stringify(dist + '/l2/native.js') + ');' +
        'watchNetlink(() => {}); const { parentPort } = await import("node:worker_threads"); parentPort.postMessage("watching");';
      for (let round = 0; round < 5; round++) {
        const worker = new Worker(source, { eval: true, type: 'module' });
        await new Promise((resolve) => worker.once('message', resolve));
        spawnSync('ip', ['addr', 'add', '198.51.100.7' + round + '/32', 'dev', 'flbv0']);
        await worker.terminate();
      }
      const { watchNetlink } = await import(dist + '/l2/native.js');
      for (let round = 0; round < 50; round++) watchNetlink(() => {});
      globalThis.gc?.();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const fds = (await import('node:fs')).readdirSync('/proc/self/fd').length;
      console.log(JSON.stringify({ fds }));`);
    expect(run.status, run.output).toBe(0);
    // 50 dropped watches were closed by the collector, not left as 50 open sockets.
    expect((run.result as { fds: number }).fds, run.output).toBeLessThan(40);
  });
});

describe.skipIf(!canUseNamespaces())('local routes over rtnetlink (issue 12 #4)', { timeout: 60_000 }, () => {
  const routes = `const routes = await import(dist + '/standalone/routes.js');
      const native = await import(dist + '/l2/native.js');
      const attempt = async (action) => { try { await action(); return 'ok'; } catch (error) { return error.reason ?? error.errno ?? error.message; } };`;

  it('adds ours with proto 199, idempotently, in both families; lists and flushes only ours', () => {
    inNs(NS, 'ip', [
      'route',
      'add',
      'local',
      '203.0.113.60',
      'dev',
      'lo',
      'table',
      'local',
      'proto',
      'static',
    ]);
    const run = runInNs(`${routes}
      const added = [await attempt(() => routes.addLocalRoute('203.0.113.10')), await attempt(() => routes.addLocalRoute('203.0.113.10')),
        await attempt(() => routes.addLocalRoute('2001:db8:1::1:10'))];
      const listed = await routes.listLocalRoutes();
      console.log(JSON.stringify({ added, listed }));`);
    expect(run.status, run.output).toBe(0);
    expect(run.result).toEqual({ added: ['ok', 'ok', 'ok'], listed: ['203.0.113.10', '2001:db8:1::1:10'] });
    expect(localTable('-4')).toContain('local 203.0.113.10 dev lo proto 199 scope host');
    expect(localTable('-6')).toMatch(/local 2001:db8:1::1:10 dev lo proto 199 metric \d+/);
    const flushed = runInNs(`${routes}
      await routes.flushLocalRoutes();
      console.log(JSON.stringify(await routes.listLocalRoutes()));`);
    expect(flushed.result).toEqual([]);
    expect(localTable('-4')).not.toContain('203.0.113.10');
    expect(localTable('-4')).toContain('local 203.0.113.60 dev lo proto static');
    inNs(NS, 'ip', ['route', 'del', 'local', '203.0.113.60', 'dev', 'lo', 'table', 'local']);
  });

  it("never replaces or deletes the kernel's route of a host address, nor another program's route", () => {
    inNs(NS, 'ip', [
      'route',
      'add',
      'local',
      '203.0.113.60',
      'dev',
      'lo',
      'table',
      'local',
      'proto',
      'static',
    ]);
    inNs(NS, 'ip', [
      '-6',
      'route',
      'add',
      'local',
      '2001:db8:1::1:60',
      'dev',
      'lo',
      'table',
      'local',
      'proto',
      'static',
    ]);
    const before = [localTable('-4'), localTable('-6')];
    const run = runInNs(`${routes}
      const refused = {
        hostV4: await attempt(() => routes.addLocalRoute('${HOST_V4}')),
        hostV6: await attempt(() => routes.addLocalRoute('2001:db8:1:0::2')),
        staticV4: await attempt(() => routes.addLocalRoute('203.0.113.60')),
        staticV6: await attempt(() => routes.addLocalRoute('2001:db8:1::1:60')),
        // The addon alone: NLM_F_EXCL makes the kernel refuse, it does not replace.
        exclusive: await attempt(() => native.addLocalTableRoute('${HOST_V4}', routes.ROUTE_PROTOCOL_NUMBER)),
      };
      for (const ip of ['${HOST_V4}', '${HOST_V6}', '203.0.113.60', '2001:db8:1::1:60']) await routes.removeLocalRoute(ip);
      await routes.flushLocalRoutes();
      const deleted = native.deleteLocalTableRoute('${HOST_V4}', routes.ROUTE_PROTOCOL_NUMBER);
      console.log(JSON.stringify({ refused, deleted }));`);
    expect(run.status, run.output).toBe(0);
    expect(run.result).toEqual({
      refused: {
        hostV4: 'hostAddress',
        hostV6: 'hostAddress',
        staticV4: 'foreignRoute',
        staticV6: 'foreignRoute',
        exclusive: 'EEXIST',
      },
      deleted: false,
    });
    expect(localTable('-4')).toEqual(before[0]);
    // IPv6: link-locals may still be appearing (addrconf), so compare the routes that matter.
    for (const route of [
      `local ${HOST_V6} dev flbv0 proto kernel`,
      'local 2001:db8:1::1:60 dev lo proto static',
    ])
      expect(localTable('-6')).toContain(route);
    expect(before[0]).toContain(`local ${HOST_V4} dev flbv0 proto kernel scope host`);
    expect(inNs(NS, 'ip', ['-4', 'addr', 'show', 'flbv0'])).toContain(`${HOST_V4}/24`);
  });
});
