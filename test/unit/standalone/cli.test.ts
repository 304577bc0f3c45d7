import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { parseStandaloneFlags } from '../../../src/cli/standalone.js';
import { STANDALONE_GRACE_PERIOD_MS } from '../../../src/config/defaults.js';
import { logger } from '../../../src/log.js';

describe('ferrolb standalone flags', () => {
  it('DESIGN command-line contract: defaults --port 7472 and the hand-over grace period', () => {
    expect(parseStandaloneFlags(['--config', 'f.yaml', '--node=node-a'])).toEqual({
      configPath: 'f.yaml',
      nodeName: 'node-a',
      metricsPort: 7472,
      metricsBindAddress: '127.0.0.1',
      gracePeriodMs: STANDALONE_GRACE_PERIOD_MS,
      logLevel: undefined,
    });
    expect(
      parseStandaloneFlags(['--config=f', '--node', 'b', '--port', '9000', '--grace-period-ms', '500']),
    ).toMatchObject({
      metricsPort: 9000,
      gracePeriodMs: 500,
    });
  });

  it.each([
    { rule: 'DESIGN exit codes: --config is required', args: ['--node', 'a'], want: /--config is required/ },
    { rule: 'DESIGN exit codes: --node is required', args: ['--config', 'f'], want: /--node is required/ },
    {
      rule: 'DESIGN exit codes: unknown flags are refused',
      args: ['--config', 'f', '--node', 'a', '--bogus', '1'],
      want: /unknown flag --bogus/,
    },
    {
      rule: 'DESIGN exit codes: a flag without its value',
      args: ['--config', 'f', '--node'],
      want: /--node needs a value/,
    },
    {
      rule: 'DESIGN exit codes: port must be a number',
      args: ['--config', 'f', '--node', 'a', '--port', 'x'],
      want: /--port: "x"/,
    },
    {
      rule: 'DESIGN exit codes: port in range',
      args: ['--config', 'f', '--node', 'a', '--port', '70000'],
      want: /--port: "70000"/,
    },
    {
      rule: 'DESIGN exit codes: stray positional argument',
      args: ['f.yaml'],
      want: /unexpected argument "f.yaml"/,
    },
  ])('$rule', ({ args, want }) => {
    expect(() => parseStandaloneFlags(args)).toThrow(want);
  });
});

describe('ferrolb standalone start-up refusals (exit 2)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ferrolb-cli-'));
  const cluster =
    'apiVersion: ferrolb.io/v1alpha1\nkind: Cluster\nmetadata: {name: lab}\nspec: {members: [{name: node-a, address: 198.51.100.11}]}';

  it.each([
    {
      rule: 'DESIGN exit codes: unreadable FILE',
      file: join(directory, 'missing.yaml'),
      text: undefined,
      want: /cannot read --config/,
    },
    {
      rule: 'standalone contract: invalid FILE names document, object and field',
      file: join(directory, 'bad.yaml'),
      text: `${cluster.replace('198.51.100.11', '300.1.1.1')}`,
      want: /document 1 \(Cluster lab\): spec\.members\[0\]\.address/,
    },
    {
      rule: 'standalone contract: --node must be a member',
      file: join(directory, 'other.yaml'),
      text: cluster,
      want: /no member named "node-z" \(members: node-a\)/,
    },
    {
      rule: 'DESIGN exit codes: flag errors',
      file: undefined,
      text: undefined,
      want: /--config is required/,
    },
  ])('$rule', async ({ file, text, want }) => {
    if (file && text !== undefined) writeFileSync(file, text);
    // Flag errors are plain text; a daemon's start-up failure is a log line with its error code.
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const args = file
      ? ['standalone', '--config', file, '--node', 'node-z']
      : ['standalone', '--node', 'node-z'];
    const code = await main(args);
    const printed = [...errors.mock.calls, ...logged.mock.calls.map((call) => [call[1]])]
      .map((call) => String(call[0]))
      .join('\n');
    errors.mockRestore();
    logged.mockRestore();
    expect(code).toBe(2);
    expect(printed).toMatch(want);
  });
});
