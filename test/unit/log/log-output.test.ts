// Issue 13 #3: the daemons log to stdout, as MetalLB's (internal/logging: go-kit's JSON logger on
// os.Stdout), so `kubectl logs` pipelines and collectors that read MetalLB's stdout keep working;
// the commands whose stdout is data (plan, status, --help, --version) keep every log line on stderr.
// Through the built binary (bin/ferrolb.js runs dist/).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logLineProblems } from '../../helpers/strict-json.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const directory = mkdtempSync(join(tmpdir(), 'ferrolb-log-output-'));

function run(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/ferrolb.js'), ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

function jsonLines(text: string): Record<string, unknown>[] {
  const lines = text.split('\n').filter((line) => line !== '');
  for (const line of lines) expect(logLineProblems(line), line).toEqual([]);
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('where log lines go', () => {
  it('a daemon (standalone) that fails at start logs one MetalLB-shaped line on stdout, nothing on stderr', () => {
    const result = run('standalone', `--config=${join(directory, 'missing.yaml')}`, '--node=a');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('');
    const [line, ...more] = jsonLines(result.stdout);
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 'error',
      op: 'startup',
      code: 'FERROLB_CONFIG_FILE',
      error: expect.stringContaining('missing.yaml'),
    });
  });

  it('a daemon flag error is a usage message on stderr (as Go flag), stdout stays empty', () => {
    const result = run('speaker', '--node-name=n', '--port=abc');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--port: "abc"');
  });

  it('plan --json: stdout is only the JSON document; the warning is on stderr', () => {
    const file = join(directory, 'bad-pool.yaml');
    writeFileSync(
      file,
      'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p}\nspec: {addresses: [bad]}\n',
    );
    const result = run('plan', '-f', file, '--json');
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      services: {},
      warnings: [expect.stringContaining('bad')],
    });
    expect(result.stderr).toContain('invalid CIDR "bad"');
  });

  it.each(['controller', 'speaker', 'standalone'])(
    '%s --help and --version: stdout has no log line',
    (command) => {
      for (const flag of ['--help', '--version']) {
        const result = run(command, flag);
        expect(result.status).toBe(0);
        expect(result.stdout).not.toContain('"level"');
      }
    },
  );
});
