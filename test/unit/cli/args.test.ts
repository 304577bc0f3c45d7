// Issue 13 #2: one parser for every command, MetalLB's flags accepted, --help and --version
// everywhere, exit 2 naming the flag. Through main() (the real dispatch) and the built binary.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCommand } from '../../../src/cli/args.js';
import { startLogging } from '../../../src/cli/common.js';
import { CONTROLLER_SPEC, parseControllerFlags } from '../../../src/cli/controller.js';
import { main } from '../../../src/cli/main.js';
import { METALLB_FLAGS } from '../../../src/cli/metallb-flags.js';
import { SPEAKER_SPEC } from '../../../src/cli/speaker.js';
import { logger } from '../../../src/log.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let stdout: string[] = [];
let stderr: string[] = [];
beforeEach(() => {
  stdout = [];
  stderr = [];
  vi.spyOn(console, 'log').mockImplementation((...items: unknown[]) => void stdout.push(items.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...items: unknown[]) => void stderr.push(items.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

const COMMANDS = ['controller', 'speaker', 'standalone', 'plan', 'status'];

describe('--help and --version (DESIGN command-line contract)', () => {
  it.each(COMMANDS.flatMap((command) => ['--help', '-h'].map((flag) => ({ command, flag }))))(
    'issue 13 #2: ferrolb $command $flag prints the usage and exits 0',
    async ({ command, flag }) => {
      expect(await main([command, flag])).toBe(0);
      expect(stdout.join('\n')).toContain(`usage: ferrolb ${command}`);
      expect(stderr).toEqual([]);
    },
  );

  it.each([['--version'], ...COMMANDS.map((command) => [command, '--version'])])(
    'issue 11: ferrolb %s %s prints the package.json version',
    async (...argv) => {
      expect(await main(argv.filter((word) => word !== undefined))).toBe(0);
      expect(stdout).toEqual([VERSION]);
    },
  );

  it('ferrolb --help exits 0, ferrolb alone exits 2, both with the command list', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(await main([])).toBe(2);
    expect(stdout.join('\n')).toMatch(/controller[\s\S]*standalone/);
  });
});

describe("MetalLB's flags", () => {
  // charts/metallb/templates/controller.yaml and config/manifests, plus every flag of controller/main.go.
  const metallbController = [
    '--port=9120',
    '--health-probe-port=17472',
    '--log-level=all',
    '--lb-class=example.com/lb',
    '--webhook-mode=enabled',
    '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    '--tls-curve-preferences=29',
    '--tls-min-version=VersionTLS12',
    '--metrics-cert-dir=/etc/metrics',
    '--pprof-bind-address=127.0.0.1:6060',
    '--disable-cert-rotation=true',
    '--cert-dir=/tmp/k8s-webhook-server/serving-certs',
    '--cert-service-name=metallb-webhook-service',
    '--webhook-secret=metallb-webhook-cert',
    '--webhook-http2',
    '--pod-name=controller-abc',
    '-namespace=lb',
  ];

  it('issue 13 #2: the controller accepts every MetalLB controller flag, honours its own and lists the rest', () => {
    const flags = parseControllerFlags(metallbController, { METALLB_BGP_TYPE: 'native' });
    // MetalLB 0.16's --port=9120 is the HTTPS port (docs/flags.md "Ports"): HTTPS there, plain
    // /metrics with the probes on 17472, no plain listener on 9120.
    expect(flags).toMatchObject({
      metricsPort: 0,
      secureMetrics: { port: 9120 },
      logLevel: 'all',
      loadBalancerClass: 'example.com/lb',
      namespace: 'lb',
      identity: expect.stringMatching(/^controller-abc_\d+$/),
    });
    expect(flags).toMatchObject({ healthProbePort: 17472, healthProbeServesMetrics: true });
    // W5, M1: the webhook and TLS flags are implemented (docs/webhook.md, docs/metrics.md).
    expect(flags).toMatchObject({
      webhook: { mode: 'enabled', rotateCertificates: false, tlsMinVersion: 'TLSv1.2' },
      secureMetrics: { certDir: '/etc/metrics', tlsMinVersion: 'TLSv1.2' },
    });
    expect(flags !== 'help' && flags !== 'version' && flags.ignoredFlags).toEqual([
      '--tls-cipher-suites',
      '--tls-curve-preferences',
      '--pprof-bind-address',
      '--webhook-http2',
      'METALLB_BGP_TYPE',
    ]);
  });

  it.each(
    Object.entries(METALLB_FLAGS).flatMap(([name, flag]) =>
      (['controller', 'speaker'] as const)
        .filter((component) => flag[component] !== undefined)
        .map((component) => ({ component, name, type: flag.type, handling: flag[component] })),
    ),
  )('issue 13 #2: ferrolb $component accepts --$name ($handling)', ({ component, name, type, handling }) => {
    const spec = component === 'controller' ? CONTROLLER_SPEC : SPEAKER_SPEC;
    const value = name.includes('port') ? '9120' : name === 'log-level' ? 'debug' : '198.51.100.1';
    const parsed = parseCommand(spec, [type === 'boolean' ? `--${name}` : `--${name}=${value}`], {});
    expect(parsed.kind).toBe('run');
    if (parsed.kind !== 'run') return;
    if (handling === 'ignored') expect(parsed.ignored).toEqual([`--${name}`]);
    else expect(parsed.values.get(name)).toBe(type === 'boolean' ? 'true' : value);
  });

  it('issue 13 #2: the ignored flags and variables are logged once, in one line', () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    startLogging({
      logLevel: undefined,
      ignored: ['--frrk8s-namespace', '--tls-min-version', 'METALLB_HOST'],
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[1]).toContain('--frrk8s-namespace --tls-min-version METALLB_HOST');
  });
});

describe('exit 2 for invalid flags and values, naming the flag', () => {
  it.each([
    { argv: ['controller', '--port', 'abc'], message: '--port: "abc" is not a port number' },
    { argv: ['controller', '--log-level=verbose'], message: '--log-level: "verbose"' },
    {
      argv: ['controller', '--metrics-bind-address=all'],
      message: '--metrics-bind-address: "all" is not an IP',
    },
    { argv: ['controller', '--bogus'], message: 'unknown flag --bogus' },
    {
      argv: ['controller', '--webhook-http2=maybe'],
      message: '--webhook-http2: "maybe" is not true or false',
    },
    { argv: ['speaker', '--node-name=n', '--ml-bindport=x'], message: '--ml-bindport: "x"' },
    {
      argv: ['speaker', '--node-name=n', '--frr-k8s-namespace=x'],
      message: 'unknown flag --frr-k8s-namespace',
    },
    {
      argv: ['standalone', '--config=f', '--node=a', '--grace-period-ms=-1'],
      message: '--grace-period-ms: "-1"',
    },
    { argv: ['standalone', '--config=f', '--node=a', 'extra'], message: 'unexpected argument "extra"' },
    { argv: ['plan', '-f'], message: 'flag -f needs a value' },
    { argv: ['status', '--kubeconfig='], message: 'flag --kubeconfig needs a value' },
  ])('$argv', async ({ argv, message }) => {
    expect(await main(argv)).toBe(2);
    expect(stderr.join('\n')).toContain(message);
    expect(stderr.join('\n')).toContain(`ferrolb ${argv[0]}:`);
  });
});

describe('the built binary', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'bin/ferrolb.js'), ...args], {
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('issue 11: bin/ferrolb.js --version prints the version; speaker --help exits 0; --port abc exits 2', () => {
    expect(run('--version')).toMatchObject({ status: 0, stdout: `${VERSION}\n` });
    expect(run('speaker', '--help')).toMatchObject({
      status: 0,
      stdout: expect.stringContaining('--frrk8s-namespace'),
    });
    const bad = run('speaker', '--node-name=n', '--port', 'abc');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--port: "abc"');
  });
});
