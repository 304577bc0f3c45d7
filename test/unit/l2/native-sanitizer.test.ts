// The C parser under AddressSanitizer and UBSan: native/fuzz/classify-fuzz.c feeds random and
// mutated ARP / NS frames, each in a heap block of exactly its length, to flb_classify and
// flb_claims_owned. Any read past a frame, or undefined behaviour, aborts the harness.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const directory = mkdtempSync(join(tmpdir(), 'flb-native-fuzz-'));
const harness = join(directory, 'classify-fuzz');

beforeAll(() => {
  // gcc is already required to build the addon (npm ci runs node-gyp).
  execFileSync('gcc', [
    ...['-std=gnu11', '-O1', '-g', '-Wall', '-Wextra', '-Werror'],
    ...['-fsanitize=address,undefined', '-fno-sanitize-recover=all'],
    ...['-o', harness, 'native/fuzz/classify-fuzz.c', 'native/classify.c'],
  ]);
}, 60_000);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

it.each([
  { rule: 'sizes: 300k frames, seed 1, no out-of-bounds read or undefined behaviour', seed: 1 },
  { rule: 'sizes: 300k frames, seed 2, no out-of-bounds read or undefined behaviour', seed: 2 },
])('$rule', ({ seed }) => {
  const output = execFileSync(harness, ['300000', String(seed)], { encoding: 'utf8' });
  const counts = Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([name, count]) => [name, Number(count)]),
  );
  // The corpus must reach the reply builder and the deep checks, or it proves little.
  expect(counts.answer).toBeGreaterThan(10_000);
  expect(counts.checksum).toBeGreaterThan(1_000);
  expect(counts.ethernetDestination).toBeGreaterThan(1_000);
});
