// native/socket_filter.c under AddressSanitizer and UBSan: native/fuzz/socket-filter-check.c builds
// the gossip source filter (issue 12 #6) for random lists of up to 256 IPv4 / IPv6 addresses and
// checks every program: jumps inside it, a return at its end, an interpreter's verdicts (listed
// sources admitted; unlisted ones, near misses and other IP versions dropped), and the kernel's
// acceptance on a real socket. Any failure or memory error exits non-zero.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const directory = mkdtempSync(join(tmpdir(), 'flb-socket-filter-check-'));
const harness = join(directory, 'socket-filter-check');

beforeAll(() => {
  execFileSync('gcc', [
    ...['-std=gnu11', '-O1', '-g', '-Wall', '-Wextra', '-Werror'],
    ...['-fsanitize=address,undefined', '-fno-sanitize-recover=all'],
    ...['-o', harness, 'native/fuzz/socket-filter-check.c', 'native/socket_filter.c'],
  ]);
}, 60_000);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('socket filter: 2000 random source lists, every verdict right, no out-of-bounds access or undefined behaviour', () => {
  const output = execFileSync(harness, ['2000', '1'], { encoding: 'utf8' });
  const counts = Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => line.split(' ')),
  );
  expect(Number(counts.programs)).toBe(2000);
  // Every listed address, a near miss of each, and 16 random probes per program were judged.
  expect(Number(counts.verdicts)).toBeGreaterThan(2000 * 16);
});
