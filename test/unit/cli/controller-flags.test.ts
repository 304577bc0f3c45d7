import { describe, expect, it } from 'vitest';
import { parseControllerFlags } from '../../../src/cli/controller.js';
import { UsageError } from '../../../src/errors.js';

describe('parseControllerFlags', () => {
  it.each([
    {
      rule: 'DESIGN CLI: defaults are metallb-system, port 7472, no class, Secret memberlist',
      args: [],
      env: {},
      want: {
        namespace: 'metallb-system',
        metricsPort: 7472,
        loadBalancerClass: '',
        memberlistSecretName: 'memberlist',
        deploymentName: 'controller',
      },
    },
    {
      rule: 'D5: MetalLB flag names, both --flag=value and --flag value',
      args: ['--namespace=lb', '--lb-class', 'example.com/x', '--port=0', '--kubeconfig', '/k'],
      env: {},
      want: { namespace: 'lb', loadBalancerClass: 'example.com/x', metricsPort: 0, kubeconfigPath: '/k' },
    },
    {
      rule: 'D2: MetalLB environment variables are honoured as defaults',
      args: [],
      env: { METALLB_ML_SECRET_NAME: 'ml', METALLB_DEPLOYMENT: 'ctl' },
      want: { memberlistSecretName: 'ml', deploymentName: 'ctl' },
    },
    {
      rule: 'DESIGN drop-in: MetalLB webhook flags are accepted and reported as ignored',
      args: ['--webhook-mode=disabled', '--disable-cert-rotation', '--cert-dir', '/tmp/x'],
      env: {},
      want: { ignoredFlags: ['--webhook-mode', '--disable-cert-rotation', '--cert-dir'] },
    },
  ])('$rule', ({ args, env, want }) => {
    expect(parseControllerFlags(args, env)).toMatchObject(want);
  });

  it.each([
    { rule: 'exit 2: an unknown flag is named', args: ['--bogus=1'], message: /unknown flag --bogus/ },
    { rule: 'exit 2: a bad port is named', args: ['--port=70000'], message: /--port: "70000"/ },
    { rule: 'exit 2: a missing value is named', args: ['--namespace'], message: /--namespace needs a value/ },
  ])('$rule', ({ args, message }) => {
    expect(() => parseControllerFlags(args, {})).toThrow(UsageError);
    expect(() => parseControllerFlags(args, {})).toThrow(message);
  });
});
