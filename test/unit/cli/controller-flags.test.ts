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
      rule: 'W5, D5: MetalLB webhook flags are implemented (no longer ignored)',
      args: ['--webhook-mode=disabled', '--disable-cert-rotation', '--cert-dir', '/tmp/x', '--webhook-http2'],
      env: {},
      want: {
        ignoredFlags: ['--webhook-http2'],
        webhook: {
          mode: 'disabled',
          rotateCertificates: false,
          certDir: '/tmp/x',
          secretName: 'metallb-webhook-cert',
          serviceName: 'metallb-webhook-service',
          port: 9443,
          tlsMinVersion: 'TLSv1.3',
        },
      },
    },
    {
      rule: 'M1: HTTPS metrics on 9120 by default; --secure-metrics-port, --metrics-cert-dir, --tls-min-version',
      args: ['--secure-metrics-port=9121', '--metrics-cert-dir=/certs', '--tls-min-version=VersionTLS12'],
      env: {},
      want: {
        secureMetrics: { port: 9121, certDir: '/certs', tlsMinVersion: 'TLSv1.2' },
        webhook: { mode: 'enabled', rotateCertificates: true, tlsMinVersion: 'TLSv1.2' },
      },
    },
  ])('$rule', ({ args, env, want }) => {
    expect(parseControllerFlags(args, env)).toMatchObject(want);
  });

  it.each([
    { rule: 'exit 2: an unknown flag is named', args: ['--bogus=1'], message: /unknown flag --bogus/ },
    { rule: 'exit 2: a bad port is named', args: ['--port=70000'], message: /--port: "70000"/ },
    { rule: 'exit 2: a missing value is named', args: ['--namespace'], message: /--namespace needs a value/ },
    {
      rule: 'exit 2: an unknown webhook mode is named',
      args: ['--webhook-mode=on'],
      message: /--webhook-mode: "on"/,
    },
    {
      rule: 'exit 2: an unknown TLS version is named',
      args: ['--tls-min-version=TLS1'],
      message: /--tls-min-version: "TLS1"/,
    },
  ])('$rule', ({ args, message }) => {
    expect(() => parseControllerFlags(args, {})).toThrow(UsageError);
    expect(() => parseControllerFlags(args, {})).toThrow(message);
  });
});
