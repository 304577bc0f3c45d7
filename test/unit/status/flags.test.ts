import { describe, expect, it } from 'vitest';
import { parseStatusFlags } from '../../../src/cli/status.js';
import { UsageError } from '../../../src/errors.js';

describe('parseStatusFlags', () => {
  it.each([
    {
      rule: 'CLI: defaults to metallb-system and no kubeconfig',
      args: [],
      want: { namespace: 'metallb-system' },
    },
    {
      rule: 'CLI: --flag value',
      args: ['--kubeconfig', '/k', '--namespace', 'lb'],
      want: { kubeconfigPath: '/k', namespace: 'lb' },
    },
    {
      rule: 'CLI: --flag=value and -n',
      args: ['--kubeconfig=/k', '-n', 'x'],
      want: { kubeconfigPath: '/k', namespace: 'x' },
    },
  ])('$rule', ({ args, want }) => {
    expect(parseStatusFlags(args)).toMatchObject(want);
  });

  it('CLI: --help asks for the usage text', () => {
    expect(parseStatusFlags(['--help'])).toBe('help');
  });

  it.each([
    { rule: 'CLI: an unknown flag is named', args: ['--json'], message: '"--json"' },
    {
      rule: 'CLI: a flag without its value is named',
      args: ['--namespace'],
      message: '--namespace needs a value',
    },
    {
      rule: 'CLI: an empty inline value is refused',
      args: ['--kubeconfig='],
      message: '--kubeconfig needs a value',
    },
  ])('$rule', ({ args, message }) => {
    expect(() => parseStatusFlags(args)).toThrow(UsageError);
    expect(() => parseStatusFlags(args)).toThrow(message);
  });
});
