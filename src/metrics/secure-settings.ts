// Settings of the HTTPS metrics endpoint (secure-server.ts), kept free of heavy imports so the CLI
// can parse them before it loads the daemon. Its port is `--secure-metrics-port` (src/cli/endpoints.ts).
import type { SecureVersion } from 'node:tls';
import type { FlagSpec } from '../cli/args.js';

/**
 * Every address, IPv6 and IPv4: Node's unspecified host (`::` dual-stack, 0.0.0.0 on a host without
 * IPv6), as Go's wildcard listen in MetalLB (`0.0.0.0:9120`, `:17472`), so an IPv6-only pod is probed
 * and scraped too.
 */
export const EVERY_ADDRESS = '';

/** MetalLB 0.16's metrics port (its `--port`, HTTPS), ferrolb's `--secure-metrics-port`. */
export const DEFAULT_SECURE_METRICS_PORT = 9120;

/** What the HTTPS endpoint is started with. */
export interface SecureMetricsSettings {
  /** 0 disables the endpoint. */
  readonly port: number;
  readonly certDir: string | undefined;
  readonly tlsMinVersion: SecureVersion;
}

/** The settings for `port`, with `--metrics-cert-dir` read through the getter. */
export function secureMetricsSettings(
  value: (flag: string) => string | undefined,
  options: { readonly port: number; readonly tlsMinVersion: SecureVersion },
): SecureMetricsSettings {
  return {
    port: options.port,
    certDir: value('metrics-cert-dir') || undefined,
    tlsMinVersion: options.tlsMinVersion,
  };
}

/** MetalLB's `--metrics-cert-dir` as the CLI's command spec declares it (src/cli/args.ts FlagSpec). */
export const SECURE_METRICS_FLAG_SPECS: Readonly<Record<string, FlagSpec>> = {
  'metrics-cert-dir': {
    type: 'string',
    value: 'DIR',
    default: 'self-signed',
    help: 'tls.crt and tls.key of the HTTPS metrics',
  },
};
