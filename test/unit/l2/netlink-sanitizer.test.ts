// native/netlink.c under AddressSanitizer and UBSan: native/fuzz/netlink-check.c runs real link,
// address and route dumps of this namespace (read-only), then random attribute lists, each in a
// heap block of exactly its length, through the attribute indexer the bindings read with. Any
// read past a message, or undefined behaviour, aborts the harness.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const directory = mkdtempSync(join(tmpdir(), 'flb-netlink-check-'));
const harness = join(directory, 'netlink-check');

beforeAll(() => {
  execFileSync('gcc', [
    ...['-std=gnu11', '-O1', '-g', '-Wall', '-Wextra', '-Werror'],
    ...['-fsanitize=address,undefined', '-fno-sanitize-recover=all'],
    ...['-o', harness, 'native/fuzz/netlink-check.c', 'native/netlink.c'],
  ]);
}, 60_000);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('netlink: real dumps and 200k random attribute lists, no out-of-bounds read or undefined behaviour', () => {
  const output = execFileSync(harness, ['200000', '1'], { encoding: 'utf8' });
  const counts = Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => line.split(' ')),
  );
  // Every namespace has lo with its addresses and local routes: the dumps must have parsed some.
  expect(Number(counts.messages)).toBeGreaterThan(3);
  expect(Number(counts.attributes)).toBeGreaterThan(10);
});
