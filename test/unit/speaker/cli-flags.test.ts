import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSpeakerFlags } from '../../../src/cli/speaker.js';
import { UsageError } from '../../../src/errors.js';
import { parseExcludeConfig } from '../../../src/speaker/exclude-config.js';

const directory = mkdtempSync(join(tmpdir(), 'ferrolb-speaker-flags-'));
const excludeFile = join(directory, 'excludel2.yaml');
writeFileSync(excludeFile, 'announcedInterfacesToExclude: ["^eth9$"]\n');
const base = [`--exclude-l2-config=${excludeFile}`];

describe('parseSpeakerFlags', () => {
  it.each([
    {
      rule: 'D4: flags with MetalLB names; gossip off without --ml-bindaddr (ML1)',
      args: [
        '--node-name',
        'n1',
        '--namespace=lb',
        '--lb-class',
        'ferrolb',
        '--ignore-exclude-lb',
        '--port=0',
      ],
      env: {},
      want: {
        nodeName: 'n1',
        namespace: 'lb',
        loadBalancerClass: 'ferrolb',
        ignoreExcludeLb: true,
        metricsPort: 0,
      },
    },
    {
      rule: 'D3/ML1-ML3: MetalLB environment variables are the defaults',
      args: [],
      env: {
        METALLB_NODE_NAME: 'n2',
        METALLB_NAMESPACE: 'metallb',
        METALLB_ML_BIND_ADDR: '198.51.100.11',
        METALLB_ML_BIND_PORT: '7947',
        METALLB_ML_SECRET_KEY_PATH: '/etc/ml_secret_key',
        METALLB_ML_LABELS: 'app=x',
      },
      want: {
        nodeName: 'n2',
        namespace: 'metallb',
        memberlist: {
          bindAddress: '198.51.100.11',
          port: 7947,
          secretKeyPath: '/etc/ml_secret_key',
          labelSelector: 'app=x',
        },
      },
    },
    {
      rule: 'ML1: flags win over the environment; the default labels find MetalLB speakers',
      args: ['--node-name=n3', '--ml-bindaddr=2001:db8:1::11'],
      env: { METALLB_NODE_NAME: 'other', METALLB_ML_BIND_ADDR: '198.51.100.11' },
      want: {
        nodeName: 'n3',
        namespace: 'metallb-system',
        metricsPort: 7472,
        memberlist: {
          bindAddress: '2001:db8:1::11',
          port: 7946,
          secretKeyPath: undefined,
          labelSelector: 'app=metallb,component=speaker',
        },
      },
    },
    {
      rule: 'DESIGN drop-in: MetalLB flags ferrolb lacks are accepted and listed for one warning',
      args: [
        '--node-name=n4',
        '--ml-wan-config',
        '--health-probe-port',
        '7473',
        '--tls-min-version=VersionTLS12',
      ],
      env: {},
      want: {
        nodeName: 'n4',
        healthProbePort: 7473,
        // M1: --tls-min-version is honoured (HTTPS metrics), no longer ignored.
        secureMetrics: { port: 9120, tlsMinVersion: 'TLSv1.2' },
        ignoredFlags: ['--ml-wan-config'],
      },
    },
    {
      rule: "issue 13 #2: every flag of MetalLB's speaker chart and manifests is accepted, none crashes the pod",
      args: [
        '--port=9120',
        '--health-probe-port=17472',
        '--log-level=all',
        '--lb-class=example.com/lb',
        '--ml-wan-config',
        '--ignore-exclude-lb',
        '--bgp-debounce-timeout=3000',
        '--frrk8s-namespace=frr-k8s-system',
        '--frrk8s-secret-passthrough',
        '--tls-cipher-suites=TLS_AES_128_GCM_SHA256',
        '--tls-curve-preferences=29,23',
        '--tls-min-version=VersionTLS13',
        '--metrics-cert-dir=/etc/metrics',
        '--pod-name=speaker-abc',
        '--pprof-bind-address=127.0.0.1:6060',
        '-host=198.51.100.1',
      ],
      env: {
        METALLB_NODE_NAME: 'n5',
        METALLB_HOST: '198.51.100.1',
        METALLB_BGP_TYPE: 'frr-k8s',
        FRR_CONFIG_FILE: '/etc/frr_reloader/frr.conf',
      },
      want: {
        nodeName: 'n5',
        // --port=9120 is the HTTPS port (docs/flags.md "Ports"): plain /metrics moves to 17472.
        metricsPort: 0,
        secureMetrics: { port: 9120, certDir: '/etc/metrics', tlsMinVersion: 'TLSv1.3' },
        healthProbeServesMetrics: true,
        healthProbeAddress: '127.0.0.1',
        logLevel: 'all',
        loadBalancerClass: 'example.com/lb',
        ignoreExcludeLb: true,
        podName: 'speaker-abc',
        healthProbePort: 17472,
        ignoredFlags: [
          '--ml-wan-config',
          '--bgp-debounce-timeout',
          '--frrk8s-namespace',
          '--frrk8s-secret-passthrough',
          '--tls-cipher-suites',
          '--tls-curve-preferences',
          '--pprof-bind-address',
          '--host',
          'METALLB_BGP_TYPE',
          'METALLB_HOST',
          'FRR_CONFIG_FILE',
        ],
      },
    },
    {
      rule: "issue 13 #2: MetalLB's log levels none and debug; METALLB_POD_NAME is the pod",
      args: ['--node-name=n6', '--log-level', 'none'],
      env: { METALLB_POD_NAME: 'speaker-x' },
      want: { nodeName: 'n6', logLevel: 'none', podName: 'speaker-x', ignoredFlags: [] },
    },
  ])('$rule', ({ args, env, want }) => {
    const flags = parseSpeakerFlags([...base, ...args], env);
    expect(flags).toMatchObject(want);
    if (!('memberlist' in want)) expect(flags).not.toHaveProperty('memberlist');
  });

  it.each([
    { rule: 'command-line contract: --node-name is required', args: [], message: /--node-name/ },
    {
      rule: 'command-line contract: an unknown flag is refused',
      args: ['--node-name=n', '--bogus=1'],
      message: /unknown flag --bogus/,
    },
    {
      rule: "issue 13 #2: the misspelt frr-k8s-namespace is not MetalLB's flag (MetalLB's is frrk8s-namespace)",
      args: ['--node-name=n', '--frr-k8s-namespace=x'],
      message: /unknown flag --frr-k8s-namespace/,
    },
    {
      rule: "issue 13 #2: a log level outside MetalLB's list is named",
      args: ['--node-name=n', '--log-level=verbose'],
      message: /--log-level: "verbose" is not one of all, trace, debug, info, warn, error, none/,
    },
    {
      rule: 'metrics-bind-address must be an IP address',
      args: ['--node-name=n', '--metrics-bind-address=localhost'],
      message: /--metrics-bind-address: "localhost" is not an IP address/,
    },
    {
      rule: 'command-line contract: a flag without value is refused',
      args: ['--node-name'],
      message: /needs a value/,
    },
    {
      rule: 'ML1: --ml-bindaddr must be an IP',
      args: ['--node-name=n', '--ml-bindaddr=node1'],
      message: /not an IP address/,
    },
    {
      rule: 'D4: --port must be a port number',
      args: ['--node-name=n', '--port=70000'],
      message: /not a port number/,
    },
    {
      rule: 'D4: a boolean flag takes only true or false',
      args: ['--node-name=n', '--ignore-exclude-lb=maybe'],
      message: /not true or false/,
    },
  ])('$rule', ({ args, message }) => {
    expect(() => parseSpeakerFlags([...base, ...args], {})).toThrow(UsageError);
    expect(() => parseSpeakerFlags([...base, ...args], {})).toThrow(message);
  });

  it('L1: --exclude-l2-config names a file that must exist', () => {
    expect(() =>
      parseSpeakerFlags(['--node-name=n', `--exclude-l2-config=${join(directory, 'missing.yaml')}`], {}),
    ).toThrow(/cannot read/);
  });
});

describe('parseExcludeConfig', () => {
  const patterns = (text: string) => {
    const parsed = parseExcludeConfig(text);
    return parsed.ok ? parsed.patterns.map(String) : parsed.reason;
  };
  it.each([
    {
      rule: 'L1: MetalLB format, each entry a RegExp',
      text: 'announcedInterfacesToExclude: ["^docker.*", "^lo$"]',
      want: ['/^docker.*/', '/^lo$/'],
    },
    { rule: 'L1: a document without the key excludes nothing', text: 'other: 1', want: [] },
    {
      rule: 'invalid input: not a list',
      text: 'announcedInterfacesToExclude: eth0',
      want: 'announcedInterfacesToExclude: expected a list',
    },
    {
      rule: 'invalid input: an entry that is not a string',
      text: 'announcedInterfacesToExclude: [1]',
      want: 'announcedInterfacesToExclude[0]: expected a string',
    },
    {
      rule: 'invalid input: an entry that is not a RegExp',
      text: 'announcedInterfacesToExclude: ["("]',
      want: expect.stringMatching(/^announcedInterfacesToExclude\[0\]: /),
    },
    { rule: 'invalid input: not YAML', text: 'a: [', want: expect.stringMatching(/^not YAML/) },
  ])('$rule', ({ text, want }) => {
    expect(patterns(text)).toEqual(want);
  });
});
