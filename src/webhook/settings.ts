// The controller flags of the webhooks and of TLS, with MetalLB's names and defaults
// (controller/main.go), read through a getter so that whichever argument parser the CLI uses can
// hand them over in one call.
import type { SecureVersion } from 'node:tls';
import type { FlagSpec } from '../cli/args.js';
import { UsageError } from '../errors.js';
import {
  DEFAULT_CERT_DIR,
  DEFAULT_CERT_SERVICE_NAME,
  DEFAULT_WEBHOOK_PORT,
  DEFAULT_WEBHOOK_SECRET,
} from './names.js';

/** `--webhook-mode` (W5): `onlywebhook` serves the webhooks and never campaigns for the Lease. */
export type WebhookMode = 'enabled' | 'disabled' | 'onlywebhook';

/** Everything the webhook part of the controller reads from its flags. */
export interface WebhookSettings {
  readonly mode: WebhookMode;
  /** `--webhook-port` (ferrolb; MetalLB fixes 9443). */
  readonly port: number;
  /** `--webhook-secret`. */
  readonly secretName: string;
  /** `--cert-service-name`: the certificate names `<this>.<namespace>.svc`. */
  readonly serviceName: string;
  /** Not `--disable-cert-rotation`: the controller writes and rotates the Secret and the caBundle. */
  readonly rotateCertificates: boolean;
  /** `--cert-dir`: tls.crt and tls.key read from here when rotation is disabled. */
  readonly certDir: string;
  /** `--tls-min-version`: VersionTLS12 or VersionTLS13 (MetalLB's default). */
  readonly tlsMinVersion: SecureVersion;
}

/** The flags this module reads; value flags unless listed as boolean. */
export const WEBHOOK_VALUE_FLAGS = [
  'webhook-mode',
  'webhook-port',
  'webhook-secret',
  'cert-service-name',
  'cert-dir',
  'tls-min-version',
] as const;
export const WEBHOOK_BOOLEAN_FLAGS = ['disable-cert-rotation'] as const;

const MODES: readonly WebhookMode[] = ['enabled', 'disabled', 'onlywebhook'];

/** `--tls-min-version`, Go's constant names as MetalLB takes them; empty means TLS 1.3. */
export function tlsMinVersion(text: string | undefined): SecureVersion {
  if (text === undefined || text === '' || text === 'VersionTLS13') return 'TLSv1.3';
  if (text === 'VersionTLS12') return 'TLSv1.2';
  throw new UsageError(`--tls-min-version: "${text}" is not VersionTLS12 or VersionTLS13`);
}

/** A port flag: 0 to 65535. */
export function portValue(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new UsageError(`--${flag}: "${text}" is not a port number (0 to 65535)`);
  return port;
}

/** Reads the webhook flags; `value(name)` is a value flag's text, `isSet(name)` a boolean flag. */
export function webhookSettings(
  value: (flag: string) => string | undefined,
  isSet: (flag: string) => boolean,
): WebhookSettings {
  const mode = value('webhook-mode') ?? 'enabled';
  if (!MODES.includes(mode as WebhookMode))
    throw new UsageError(`--webhook-mode: "${mode}" is not one of ${MODES.join(', ')}`);
  return {
    mode: mode as WebhookMode,
    port: portValue('webhook-port', value('webhook-port'), DEFAULT_WEBHOOK_PORT),
    secretName: value('webhook-secret') || DEFAULT_WEBHOOK_SECRET,
    serviceName: value('cert-service-name') || DEFAULT_CERT_SERVICE_NAME,
    rotateCertificates: !isSet('disable-cert-rotation'),
    certDir: value('cert-dir') || DEFAULT_CERT_DIR,
    tlsMinVersion: tlsMinVersion(value('tls-min-version')),
  };
}

/** The flags above as the CLI's command spec declares them (src/cli/args.ts FlagSpec). */
export const WEBHOOK_FLAG_SPECS: Readonly<Record<string, FlagSpec>> = {
  'webhook-mode': {
    type: 'string',
    value: 'MODE',
    default: 'enabled',
    help: 'enabled, disabled or onlywebhook',
  },
  'webhook-port': {
    type: 'string',
    value: 'N',
    default: String(DEFAULT_WEBHOOK_PORT),
    help: 'port of the validating webhooks',
  },
  'webhook-secret': {
    type: 'string',
    value: 'NAME',
    default: DEFAULT_WEBHOOK_SECRET,
    help: 'Secret holding the webhook certificates',
  },
  'cert-service-name': {
    type: 'string',
    value: 'NAME',
    default: DEFAULT_CERT_SERVICE_NAME,
    help: 'the webhook certificate names NAME.<namespace>.svc',
  },
  'disable-cert-rotation': {
    type: 'boolean',
    help: "serve --cert-dir's certificate; write no Secret, no caBundle",
  },
  'cert-dir': {
    type: 'string',
    value: 'DIR',
    default: DEFAULT_CERT_DIR,
    help: 'tls.crt and tls.key with --disable-cert-rotation',
  },
  'tls-min-version': {
    type: 'string',
    value: 'VERSION',
    default: 'VersionTLS13',
    help: 'VersionTLS12 or VersionTLS13',
  },
};
