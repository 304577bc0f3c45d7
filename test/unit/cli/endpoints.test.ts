// Issue 13 #2 and #9: which listeners the controller and the speaker open for their flags, one rule
// for both (docs/flags.md "Ports"). DESIGN command-line contract first: `--port` (7472) is plain
// HTTP /metrics, /healthz, /readyz on every address, HTTPS metrics beside it on
// `--secure-metrics-port` 9120 (M1), MetalLB 0.16's probes on `--health-probe-port` 17472 (D2, D3;
// the speaker's on 127.0.0.1). MetalLB 0.16's manifests pass `--port=9120`: equal to the HTTPS
// port, it is HTTPS there, and plain /metrics moves to the probe port.
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/cli/args.js';
import { CONTROLLER_SPEC, parseControllerFlags } from '../../../src/cli/controller.js';
import { type Daemon, daemonEndpoints } from '../../../src/cli/endpoints.js';
import { parseSpeakerFlags } from '../../../src/cli/speaker.js';
import { parseStandaloneFlags } from '../../../src/cli/standalone.js';
import { UsageError } from '../../../src/errors.js';

function endpointsOf(daemon: Daemon, args: readonly string[]) {
  const parsed = parseCommand(CONTROLLER_SPEC, args, {});
  if (parsed.kind !== 'run') throw new Error(`not a run: ${parsed.kind}`);
  return daemonEndpoints(parsed.values, daemon);
}

/** Node's unspecified host: `::` dual-stack, as Go's wildcard listen in MetalLB. */
const ALL = '';
const LOOPBACK = '127.0.0.1';

describe('daemonEndpoints', () => {
  it.each([
    {
      rule: 'DESIGN CLI: --port 7472 is plain metrics and health on every address; HTTPS 9120 and probes 17472 beside it',
      daemon: 'controller' as const,
      args: ['--port=7472'],
      want: {
        plain: { port: 7472, host: ALL },
        secure: { port: 9120, host: ALL },
        health: { port: 17472, host: ALL, metrics: false },
        notes: [],
      },
    },
    {
      rule: 'DESIGN CLI: no flags is the same as --port 7472 (the speaker probes on 127.0.0.1)',
      daemon: 'speaker' as const,
      args: [],
      want: {
        plain: { port: 7472, host: ALL },
        secure: { port: 9120, host: ALL },
        health: { port: 17472, host: LOOPBACK, metrics: false },
        notes: [],
      },
    },
    {
      rule: 'DESIGN CLI: --port N moves the plain endpoint, nothing else',
      daemon: 'speaker' as const,
      args: ['--port=7480'],
      want: { plain: { port: 7480, host: ALL }, secure: { port: 9120 }, health: { port: 17472 } },
    },
    {
      rule: "D2/M1: MetalLB 0.16's controller args: HTTPS on 9120, no plain listener there, plain metrics and probes on 17472 (every address)",
      daemon: 'controller' as const,
      args: ['--port=9120', '--log-level=info'],
      want: {
        plain: { port: 0 },
        secure: { port: 9120, host: ALL },
        health: { port: 17472, host: ALL, metrics: true },
        notes: [expect.stringContaining('--port=9120 is the HTTPS metrics port')],
      },
    },
    {
      rule: "D3/M1: MetalLB 0.16's speaker args: the same, its probe port on 127.0.0.1 (probe host: 127.0.0.1)",
      daemon: 'speaker' as const,
      args: ['--port=9120', '--log-level=info'],
      want: {
        plain: { port: 0 },
        secure: { port: 9120, host: ALL },
        health: { port: 17472, host: LOOPBACK, metrics: true },
      },
    },
    {
      rule: "D11: MetalLB's chart with another prometheus.metricsPort: --port and --secure-metrics-port equal, HTTPS there",
      daemon: 'controller' as const,
      args: ['--port=9999', '--secure-metrics-port=9999'],
      want: { plain: { port: 0 }, secure: { port: 9999 }, health: { port: 17472, metrics: true } },
    },
    {
      rule: '--port=9120 with HTTPS off (--secure-metrics-port=0) is plain HTTP on 9120',
      daemon: 'controller' as const,
      args: ['--port=9120', '--secure-metrics-port=0'],
      want: {
        plain: { port: 9120 },
        secure: { port: 0 },
        health: { port: 17472, metrics: false },
        notes: [],
      },
    },
    {
      rule: '--port=9120 with --health-probe-port=0: HTTPS only, and the note says no plain /metrics',
      daemon: 'controller' as const,
      args: ['--port=9120', '--health-probe-port=0'],
      want: {
        plain: { port: 0 },
        secure: { port: 9120 },
        health: { port: 0 },
        notes: [expect.stringContaining('no plain-HTTP /metrics')],
      },
    },
    {
      rule: '--port=0, --secure-metrics-port=0 and --health-probe-port=0 turn each off',
      daemon: 'controller' as const,
      args: ['--port=0', '--secure-metrics-port=0', '--health-probe-port=0'],
      want: { plain: { port: 0 }, secure: { port: 0 }, health: { port: 0 } },
    },
    {
      rule: 'issue 12 #13: --metrics-bind-address narrows --port and the probe port, never HTTPS',
      daemon: 'speaker' as const,
      args: ['--metrics-bind-address=198.51.100.7'],
      want: {
        plain: { port: 7472, host: '198.51.100.7' },
        secure: { port: 9120, host: ALL },
        health: { port: 17472, host: '198.51.100.7' },
      },
    },
    {
      rule: 'probes on --port: that port answers them, no second listener',
      daemon: 'speaker' as const,
      args: ['--health-probe-port=7472'],
      want: { plain: { port: 7472, host: ALL }, health: { port: 0 } },
    },
  ])('$rule', ({ daemon, args, want }) => {
    expect(endpointsOf(daemon, args)).toMatchObject(want);
  });

  it.each([
    {
      args: ['--health-probe-port=9120'],
      message: /--health-probe-port: 9120 is also the HTTPS metrics port/,
    },
    {
      args: ['--port=9121', '--secure-metrics-port=9121', '--health-probe-port=9121'],
      message: /--health-probe-port: 9121 is also the HTTPS metrics port/,
    },
    { args: ['--port=http'], message: /--port: "http" is not a port number/ },
    { args: ['--secure-metrics-port=-1'], message: /--secure-metrics-port: "-1" is not a port number/ },
    { args: ['--health-probe-port=70000'], message: /--health-probe-port: "70000" is not a port number/ },
    { args: ['--metrics-bind-address=all'], message: /--metrics-bind-address: "all" is not an IP address/ },
  ])('exit 2: $args', ({ args, message }) => {
    expect(() => endpointsOf('controller', args)).toThrow(UsageError);
    expect(() => endpointsOf('controller', args)).toThrow(message);
  });

  it('issue 13 #9: both daemons map the same flags the same way (one rule), but for the probe address', () => {
    const cases = [
      ['--port=7473', '--health-probe-port=17473', '--log-level=info'],
      ['--port=9120', '--log-level=info'],
    ];
    for (const args of cases) {
      const controller = parseControllerFlags(args, {});
      const speaker = parseSpeakerFlags(['--node-name=n', ...args], {});
      const listeners = (flags: typeof controller | typeof speaker) =>
        typeof flags === 'string'
          ? flags
          : {
              secure: flags.secureMetrics?.port,
              plain: [flags.metricsPort, flags.metricsBindAddress],
              health: [flags.healthProbePort, flags.healthProbeServesMetrics],
            };
      expect(listeners(speaker)).toEqual(listeners(controller));
      expect(controller).toMatchObject({ healthProbeAddress: ALL });
      expect(speaker).toMatchObject({ healthProbeAddress: LOOPBACK });
    }
    expect(parseControllerFlags(cases[0] ?? [], {})).toMatchObject({
      metricsPort: 7473,
      healthProbePort: 17473,
      healthProbeServesMetrics: false,
      secureMetrics: { port: 9120 },
    });
  });

  it('DESIGN CLI: standalone --port N is plain HTTP on 127.0.0.1 (no HTTPS, no probe port)', () => {
    expect(parseStandaloneFlags(['--config=/c.yaml', '--node=a', '--port=7490'], {})).toMatchObject({
      metricsPort: 7490,
      metricsBindAddress: LOOPBACK,
    });
    expect(() =>
      parseStandaloneFlags(['--config=/c.yaml', '--node=a', '--secure-metrics-port=9120'], {}),
    ).toThrow(UsageError);
  });
});
