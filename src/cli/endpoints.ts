// Which HTTP listeners the controller and the speaker open, from their flags: one rule for both
// (docs/flags.md "Ports"). `--port` is the DESIGN command-line contract's plain-HTTP /metrics,
// /healthz and /readyz (7472, MetalLB's long-time port); MetalLB 0.16's HTTPS metrics are served
// beside it on `--secure-metrics-port` (9120) and its probes on `--health-probe-port` (17472; the
// speaker's on 127.0.0.1, it shares the host's network). A MetalLB 0.16 manifest passes
// `--port=9120`: `--port` equal to the HTTPS port keeps MetalLB 0.16's meaning (HTTPS there) and
// the plain /metrics moves to the probe port, so MetalLB's own manifests and chart run unchanged.
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
  /** Plain HTTP /metrics, /healthz, /readyz (`--port` on `--metrics-bind-address`); 0 when `--port` is HTTPS. */
  readonly plain: Listener;
  /**
   * Plain HTTP /healthz, /readyz (`--health-probe-port`), and /metrics too when `--port` is the HTTPS
   * port (`metrics`); port 0 when the plain port already answers the probes.
   */
  readonly health: Listener & { readonly metrics: boolean };
  /** HTTPS /metrics behind TokenReview and SubjectAccessReview (`--secure-metrics-port`). */
  readonly secure: Listener;
  /** What the start-up log says about where a listener went. */
  readonly notes: readonly string[];
}

/** The flags read here, as the controller's and the speaker's specs declare them. */
export const ENDPOINT_FLAG_SPECS: Readonly<Record<string, FlagSpec>> = {
  port: {
    type: 'string',
    value: 'N',
    default: String(DEFAULT_METRICS_PORT),
    help: '/metrics, /healthz and /readyz over plain HTTP; 0 disables; equal to --secure-metrics-port: HTTPS there (MetalLB 0.16)',
  },
  'secure-metrics-port': {
    type: 'string',
    value: 'N',
    default: String(DEFAULT_SECURE_METRICS_PORT),
    help: '/metrics over HTTPS for bearer tokens allowed get on /metrics; 0 disables',
  },
  'health-probe-port': {
    type: 'string',
    value: 'N',
    default: String(DEFAULT_HEALTH_PROBE_PORT),
    help: '/healthz and /readyz over plain HTTP (MetalLB 0.16); 0 disables',
  },
  'metrics-bind-address': {
    type: 'string',
    value: 'ADDRESS',
    default: 'every address',
    help: 'the IP address --port (and --health-probe-port) listens on',
  },
};

function portOf(values: ReadonlyMap<string, string>, flag: string, fallback: number): number {
  return integerValue(values, flag, { fallback, maximum: 65535 });
}

/** The start-up note when `--port` is the HTTPS port (MetalLB 0.16's manifests). */
function httpsPortNote(port: number, healthPort: number): string {
  const plain =
    healthPort === 0
      ? 'no plain-HTTP /metrics (--health-probe-port=0)'
      : `plain-HTTP /metrics, /healthz and /readyz on --health-probe-port ${healthPort}`;
  return `--port=${port} is the HTTPS metrics port (--secure-metrics-port), as in MetalLB 0.16: HTTPS /metrics there, ${plain}`;
}

/**
 * The listeners for `daemon`'s flags; throws UsageError naming the flag. `--port` equal to
 * `--secure-metrics-port` (MetalLB 0.16's `--port=9120`) serves HTTPS there, no plain listener on
 * it, and plain /metrics on the health probe port, said in `notes`.
 */
export function daemonEndpoints(values: ReadonlyMap<string, string>, daemon: Daemon): DaemonEndpoints {
  const port = portOf(values, 'port', DEFAULT_METRICS_PORT);
  const securePort = portOf(values, 'secure-metrics-port', DEFAULT_SECURE_METRICS_PORT);
  const healthPort = portOf(values, 'health-probe-port', DEFAULT_HEALTH_PROBE_PORT);
  const bindHost = addressValue(values, 'metrics-bind-address', EVERY_ADDRESS);
  const healthHost = values.has('metrics-bind-address') ? bindHost : HEALTH_PROBE_ADDRESS[daemon];
  if (securePort !== 0 && healthPort === securePort) {
    throw new UsageError(
      `--health-probe-port: ${healthPort} is also the HTTPS metrics port (--secure-metrics-port); give them different ports`,
    );
  }
  const portIsHttps = port !== 0 && port === securePort;
  const plainPort = portIsHttps ? 0 : port;
  return {
    plain: { port: plainPort, host: bindHost },
    health: {
      port: plainPort !== 0 && healthPort === plainPort ? 0 : healthPort,
      host: healthHost,
      metrics: portIsHttps,
    },
    secure: { port: securePort, host: EVERY_ADDRESS },
    notes: portIsHttps ? [httpsPortNote(port, healthPort)] : [],
  };
}
