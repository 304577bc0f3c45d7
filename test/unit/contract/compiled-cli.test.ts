// The compiled binary, as the acceptance tests and users run it (`make test` builds dist/ first):
// `node bin/ferrolb.js plan -f FILE --json` prints the same JSON as the in-process run, and the
// process exit code is the contract's (0, or 2 for invalid input or flags).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT_FIXTURES, planFixture } from './plan-run.js';

const BINARY = join(import.meta.dirname, '../../../bin/ferrolb.js');

function ferrolb(...args: string[]) {
  const run = spawnSync(process.execPath, [BINARY, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('compiled ferrolb plan', () => {
  it.each([
    { rule: 'DESIGN plan contract: valid input exits 0', file: 'requests.yaml', code: 0 },
    {
      rule: 'DESIGN plan contract: invalid pools exit 2, valid ones still planned',
      file: 'invalid-pools.yaml',
      code: 2,
    },
    {
      rule: 'DESIGN plan contract: invalid L2Advertisement and pools exit 2',
      file: 'validation.yaml',
      code: 2,
    },
  ])('$rule', async ({ file, code }) => {
    const run = ferrolb('plan', '-f', join(CONTRACT_FIXTURES, file), '--json');
    expect(run.code).toBe(code);
    expect(JSON.parse(run.stdout)).toEqual((await planFixture(file)).json);
  });

  it('DESIGN exit codes: garbage exits 2 with the reason on stderr and JSON on stdout', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ferrolb-cli-')), 'garbage.yaml');
    writeFileSync(file, 'foo: [unclosed\n  : : :\n');
    const run = ferrolb('plan', '-f', file, '--json');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ferrolb plan: document 1: invalid YAML: /);
    expect(JSON.parse(run.stdout).services).toEqual({});
  });

  it('DESIGN exit codes: a missing -f exits 2 with usage and prints nothing on stdout', () => {
    const run = ferrolb('plan', '--json');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('-f FILE is required');
  });
});
