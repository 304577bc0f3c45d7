// Which HTTP listeners the controller and the speaker open, from their flags: one rule for both
// (docs/flags.md "Ports"). `--port` and `--health-probe-port` mean what they mean in MetalLB 0.16
// (controller/main.go, speaker/main.go, internal/k8s/k8s.go), so MetalLB's manifests and chart run
// unchanged: HTTPS /metrics on --port (9120), plain /healthz and /readyz on --health-probe-port
// (17472; the speaker's on 127.0.0.1 only, it shares the host's network). ferrolb adds the plain
// HTTP endpoint of MetalLB up to 0.15 on --plain-port (7472), for existing scrapes and probes.
import { UsageError } from '../errors.js';
import { DEFAULT_SECURE_METRICS_PORT, EVERY_ADDRESS } from '../metrics/secure-settings.js';
import { type FlagSpec, integerValue } from './args.js';
import { addressValue, DEFAULT_METRICS_PORT } from './common.js';

/** MetalLB 0.16's `--health-probe-port` default (internal/k8s DefaultHealthProbePort). */
export const DEFAULT_HEALTH_PROBE_PORT = 17472;
/** Where each daemon's health probes listen without `--metrics-bind-address` (MetalLB 0.16). */
const HEALTH_PROBE_ADDRESS: Readonly<Record<Daemon, string>> = {
  controller: EVERY_ADDRESS,
  // hostNetwork: MetalLB's speaker keeps its probes off the node's addresses (probe host 127.0.0.1).
  speaker: '127.0.0.1',
};

export type Daemon = 'controller' | 'speaker';

/** One listener; port 0 means not opened. */
export interface Listener {
  readonly port: number;
  readonly host: string;
}

/** The three listeners of a daemon. */
export interface DaemonEndpoints {
  /** Plain HTTP /metrics, /healthz, /readyz (`--plain-port` on `--metrics-bind-address`). */
  readonly plain: Listener;
  /** Plain HTTP /healthz, /readyz (`--health-probe-port`); 0 when the plain port already answers. */
  readonly health: Listener;
  /** HTTPS /metrics behind TokenReview and SubjectAccessReview (`--port`). */
  readonly secure: Listener;
  /** Why a listener is not where its flag asked, for the start-up log. */
  readonly notes: readonly string[];
}

/** The flags read here, as the controller's and the speaker's specs declare them. */
export const ENDPOINT_FLAG_SPECS: Readonly<Record<string, FlagSpec>> = {
  port: {
    type: 'string',
    value: 'N',
    default: String(DEFAULT_SECURE_METRICS_PORT),
    help: "/metrics over HTTPS for bearer tokens allowed get on /metrics (MetalLB 0.16's --port); 0 disables",
  },
  'health-probe-port': {
    type: 'string',
    value: 'N',
    default: String(DEFAULT_HEALTH_PROBE_PORT),
    help: '/healthz and /readyz over plain HTTP; 0 disables',
  },
  'plain-port': {
    type: 'string',
    value: 'N',
    default: String(DEFAULT_METRICS_PORT),
    help: '/metrics, /healthz and /readyz over plain HTTP (MetalLB up to 0.15); 0 disables',
  },
  'metrics-bind-address': {
    type: 'string',
    value: 'ADDRESS',
    default: 'every address',
    help: 'the IP address --plain-port (and --health-probe-port) listens on',
  },
};

function portOf(values: ReadonlyMap<string, string>, flag: string, fallback: number): number {
  return integerValue(values, flag, { fallback, maximum: 65535 });
}

/**
 * The listeners for `daemon`'s flags; throws UsageError naming the flag. `--port` equal to the
 * plain port is how manifests up to MetalLB 0.15 read (`--port=7472`, probes GET /metrics there over
 * HTTP): that port stays plain and HTTPS is off, said in `notes`.
 */
export function daemonEndpoints(values: ReadonlyMap<string, string>, daemon: Daemon): DaemonEndpoints {
  const securePort = portOf(values, 'port', DEFAULT_SECURE_METRICS_PORT);
  const plainPort = portOf(values, 'plain-port', DEFAULT_METRICS_PORT);
  const healthPort = portOf(values, 'health-probe-port', DEFAULT_HEALTH_PROBE_PORT);
  const plainHost = addressValue(values, 'metrics-bind-address', EVERY_ADDRESS);
  const healthHost = values.has('metrics-bind-address') ? plainHost : HEALTH_PROBE_ADDRESS[daemon];
  const isLegacyPort = securePort !== 0 && securePort === plainPort;
  const secure = { port: isLegacyPort ? 0 : securePort, host: EVERY_ADDRESS };
  if (secure.port !== 0 && healthPort === secure.port) {
    throw new UsageError(
      `--health-probe-port: ${healthPort} is also --port (HTTPS metrics); give them different ports`,
    );
  }
  const notes = isLegacyPort
    ? [
        `--port=${securePort} is also the plain-HTTP port (--plain-port): /metrics, /healthz and /readyz ` +
          'are served there over plain HTTP, as MetalLB up to 0.15 did, and HTTPS metrics are off',
      ]
    : [];
  return {
    plain: { port: plainPort, host: plainHost },
    health: { port: plainPort !== 0 && healthPort === plainPort ? 0 : healthPort, host: healthHost },
    secure,
    notes,
  };
}
