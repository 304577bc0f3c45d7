// Issue 13 #2 and #9: which listeners the controller and the speaker open for their flags, one rule
// for both (docs/flags.md "Ports"). MetalLB 0.16 (M1, D2, D3): HTTPS /metrics on --port 9120,
// /healthz and /readyz on --health-probe-port 17472 (the speaker's on 127.0.0.1); ferrolb's plain
// endpoint on --plain-port 7472; MetalLB <= 0.15 manifests' --port=7472 stays plain.
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/cli/args.js';
import { CONTROLLER_SPEC, parseControllerFlags } from '../../../src/cli/controller.js';
import { type Daemon, daemonEndpoints } from '../../../src/cli/endpoints.js';
import { parseSpeakerFlags } from '../../../src/cli/speaker.js';
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
      rule: "D2/M1: MetalLB 0.16's controller args: HTTPS 9120, probes on every address at 17472, plain 7472",
      daemon: 'controller' as const,
      args: ['--port=9120', '--log-level=info'],
      want: {
        secure: { port: 9120, host: ALL },
        health: { port: 17472, host: ALL },
        plain: { port: 7472, host: ALL },
        notes: [],
      },
    },
    {
      rule: "D3/M1: MetalLB 0.16's speaker args: the same, its probes on 127.0.0.1 (probe host: 127.0.0.1)",
      daemon: 'speaker' as const,
      args: ['--port=9120', '--log-level=info'],
      want: {
        secure: { port: 9120, host: ALL },
        health: { port: 17472, host: LOOPBACK },
        plain: { port: 7472, host: ALL },
        notes: [],
      },
    },
    {
      rule: "D11: the chart's prometheus.metricsPort moves HTTPS with --port, nothing else",
      daemon: 'controller' as const,
      args: ['--port=9999'],
      want: { secure: { port: 9999 }, health: { port: 17472 }, plain: { port: 7472 } },
    },
    {
      rule: 'no flags: the defaults are the 0.16 manifest',
      daemon: 'speaker' as const,
      args: [],
      want: { secure: { port: 9120 }, health: { port: 17472, host: LOOPBACK }, plain: { port: 7472 } },
    },
    {
      rule: 'MetalLB <= 0.15 manifests (--port=7472, probes GET /metrics there): plain there, HTTPS off, said',
      daemon: 'speaker' as const,
      args: ['--port=7472'],
      want: {
        secure: { port: 0 },
        plain: { port: 7472, host: ALL },
        health: { port: 17472 },
        notes: [expect.stringContaining('--port=7472 is also the plain-HTTP port')],
      },
    },
    {
      rule: '--port=0 turns HTTPS off (MetalLB after 0.16.1), nothing else',
      daemon: 'controller' as const,
      args: ['--port=0'],
      want: { secure: { port: 0 }, plain: { port: 7472 }, health: { port: 17472 }, notes: [] },
    },
    {
      rule: '--plain-port=0 and --health-probe-port=0 turn those off',
      daemon: 'controller' as const,
      args: ['--plain-port=0', '--health-probe-port=0'],
      want: { secure: { port: 9120 }, plain: { port: 0 }, health: { port: 0 } },
    },
    {
      rule: '--metrics-bind-address narrows the plain and the health listeners, never HTTPS',
      daemon: 'speaker' as const,
      args: ['--metrics-bind-address=198.51.100.7'],
      want: {
        secure: { port: 9120, host: ALL },
        plain: { port: 7472, host: '198.51.100.7' },
        health: { port: 17472, host: '198.51.100.7' },
      },
    },
    {
      rule: 'probes on the plain port: that port answers them, no second listener',
      daemon: 'controller' as const,
      args: ['--health-probe-port=7472'],
      want: { plain: { port: 7472 }, health: { port: 0 } },
    },
  ])('$rule', ({ daemon, args, want }) => {
    expect(endpointsOf(daemon, args)).toMatchObject(want);
  });

  it.each([
    { args: ['--health-probe-port=9120'], message: /--health-probe-port: 9120 is also --port/ },
    {
      args: ['--port=9121', '--health-probe-port=9121'],
      message: /--health-probe-port: 9121 is also --port/,
    },
    { args: ['--plain-port=http'], message: /--plain-port: "http" is not a port number/ },
    { args: ['--health-probe-port=70000'], message: /--health-probe-port: "70000" is not a port number/ },
  ])('exit 2: $args', ({ args, message }) => {
    expect(() => endpointsOf('controller', args)).toThrow(UsageError);
    expect(() => endpointsOf('controller', args)).toThrow(message);
  });

  it('issue 13 #9: both daemons map the same flags the same way (one rule), but for the probe address', () => {
    const args = ['--port=9120', '--plain-port=7473', '--health-probe-port=17473', '--log-level=info'];
    const controller = parseControllerFlags(args, {});
    const speaker = parseSpeakerFlags(['--node-name=n', ...args], {});
    const listeners = (flags: typeof controller | typeof speaker) =>
      typeof flags === 'string'
        ? flags
        : {
            secure: flags.secureMetrics?.port,
            plain: [flags.metricsPort, flags.metricsBindAddress],
            health: flags.healthProbePort,
          };
    expect(listeners(controller)).toEqual({ secure: 9120, plain: [7473, ALL], health: 17473 });
    expect(listeners(speaker)).toEqual(listeners(controller));
    expect(controller).toMatchObject({ healthProbeAddress: ALL });
    expect(speaker).toMatchObject({ healthProbeAddress: LOOPBACK });
  });
});
