// Settings of the HTTPS metrics endpoint (secure-server.ts), kept free of heavy imports so the CLI
// can parse them before it loads the daemon.
import type { SecureVersion } from 'node:tls';
import type { FlagSpec } from '../cli/args.js';
import { UsageError } from '../errors.js';

/** MetalLB 0.16's metrics port (its `--port`, HTTPS; the chart's `prometheus.metricsPort`). */
export const DEFAULT_SECURE_METRICS_PORT = 9120;

/** Flags of the HTTPS endpoint: `--secure-metrics-port` (0 disables) and MetalLB's `--metrics-cert-dir`. */
export const SECURE_METRICS_VALUE_FLAGS = ['secure-metrics-port', 'metrics-cert-dir'] as const;

/** What the HTTPS endpoint is started with. */
export interface SecureMetricsSettings {
  /** 0 disables the endpoint. */
  readonly port: number;
  readonly certDir: string | undefined;
  readonly tlsMinVersion: SecureVersion;
}

/** Reads the flags through a getter (see SECURE_METRICS_VALUE_FLAGS). */
export function secureMetricsSettings(
  value: (flag: string) => string | undefined,
  tlsMinVersion: SecureVersion,
): SecureMetricsSettings {
  const text = value('secure-metrics-port');
  const port = text === undefined ? DEFAULT_SECURE_METRICS_PORT : Number(text);
  if (text !== undefined && (!/^\d+$/.test(text) || port > 65535))
    throw new UsageError(`--secure-metrics-port: "${text}" is not a port number (0 to 65535)`);
  return { port, certDir: value('metrics-cert-dir') || undefined, tlsMinVersion };
}

/** The flags above as the CLI's command spec declares them (src/cli/args.ts FlagSpec). */
export const SECURE_METRICS_FLAG_SPECS: Readonly<Record<string, FlagSpec>> = {
  'secure-metrics-port': {
    type: 'string',
    value: 'N',
    default: String(DEFAULT_SECURE_METRICS_PORT),
    help: '/metrics over HTTPS for bearer tokens allowed get on /metrics; 0 disables',
  },
  'metrics-cert-dir': {
    type: 'string',
    value: 'DIR',
    default: 'self-signed',
    help: 'tls.crt and tls.key of the HTTPS metrics',
  },
};
