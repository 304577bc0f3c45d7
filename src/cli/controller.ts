// `ferrolb controller` (DESIGN command-line contract): flags with MetalLB's names, MetalLB's
// environment variables as defaults; the work is in src/controller/runner.ts.
import { hostname } from 'node:os';
import { DEFAULT_NAMESPACE } from '../config/defaults.js';
import { type ControllerFlags, runController } from '../controller/runner.js';
import { UsageError } from '../errors.js';
import { logger, setLogLevel } from '../log.js';
import { SECURE_METRICS_VALUE_FLAGS, secureMetricsSettings } from '../metrics/secure-server.js';
import {
  tlsMinVersion,
  WEBHOOK_BOOLEAN_FLAGS,
  WEBHOOK_VALUE_FLAGS,
  webhookSettings,
} from '../webhook/index.js';

const USAGE =
  'usage: ferrolb controller [--kubeconfig F] [--namespace metallb-system] [--lb-class C] [--port 7472] ' +
  '[--log-level info] [--ml-secret-name memberlist] [--deployment controller] [--secure-metrics-port 9120] ' +
  '[--metrics-cert-dir D] [--webhook-mode enabled|disabled|onlywebhook] [--webhook-port 9443] ' +
  '[--webhook-secret metallb-webhook-cert] [--cert-service-name metallb-webhook-service] ' +
  '[--disable-cert-rotation] [--cert-dir D] [--tls-min-version VersionTLS13]';

/** MetalLB's long-time metrics port (DESIGN command-line contract); 0 disables the endpoint. */
const DEFAULT_METRICS_PORT = 7472;

const VALUE_FLAGS = [
  'kubeconfig',
  'namespace',
  'lb-class',
  'port',
  'log-level',
  'ml-secret-name',
  'deployment',
  ...WEBHOOK_VALUE_FLAGS,
  ...SECURE_METRICS_VALUE_FLAGS,
];

/**
 * MetalLB controller flags ferrolb does not implement (D5, webhooks and TLS): accepted and ignored
 * with one warning, never an exit, so MetalLB's manifests keep working (DESIGN drop-in).
 */
const IGNORED_METALLB_VALUE_FLAGS = ['tls-cipher-suites', 'health-probe-port'];
const IGNORED_METALLB_BOOLEAN_FLAGS = ['webhook-http2', 'enable-pprof'];
const BOOLEAN_FLAGS: readonly string[] = WEBHOOK_BOOLEAN_FLAGS;

function splitFlag(argument: string): [string, string | undefined] {
  const body = argument.slice(2);
  const equals = body.indexOf('=');
  return equals < 0 ? [body, undefined] : [body.slice(0, equals), body.slice(equals + 1)];
}

/** Flag values by name, plus the MetalLB flags that were ignored. */
function collectFlags(args: readonly string[]): { values: Map<string, string>; ignored: string[] } {
  const values = new Map<string, string>();
  const ignored: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index] ?? '';
    if (!argument.startsWith('--')) throw new UsageError(`unexpected argument "${argument}"\n${USAGE}`);
    const [flag, inline] = splitFlag(argument);
    if (IGNORED_METALLB_BOOLEAN_FLAGS.includes(flag)) {
      ignored.push(flag);
      continue;
    }
    if (BOOLEAN_FLAGS.includes(flag)) {
      values.set(flag, inline ?? 'true');
      continue;
    }
    const isIgnored = IGNORED_METALLB_VALUE_FLAGS.includes(flag);
    if (!isIgnored && !VALUE_FLAGS.includes(flag)) throw new UsageError(`unknown flag --${flag}\n${USAGE}`);
    const value = inline ?? args[index + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`flag --${flag} needs a value\n${USAGE}`);
    }
    if (inline === undefined) index += 1;
    if (isIgnored) ignored.push(flag);
    else values.set(flag, value);
  }
  return { values, ignored };
}

function portFlag(text: string | undefined): number {
  if (text === undefined) return DEFAULT_METRICS_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new UsageError(`--port: "${text}" is not a port number (0 to 65535)`);
  return port;
}

/** Parses `ferrolb controller` flags; throws UsageError (exit 2) naming the bad flag. */
export function parseControllerFlags(
  args: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
): ControllerFlags & { ignoredFlags: readonly string[] } {
  const { values, ignored } = collectFlags(args);
  const podName = environment.METALLB_POD_NAME || hostname();
  return {
    kubeconfigPath: values.get('kubeconfig'),
    namespace: values.get('namespace') || DEFAULT_NAMESPACE,
    loadBalancerClass: values.get('lb-class') ?? '',
    metricsPort: portFlag(values.get('port')),
    logLevel: values.get('log-level'),
    memberlistSecretName: values.get('ml-secret-name') || environment.METALLB_ML_SECRET_NAME || 'memberlist',
    deploymentName: values.get('deployment') || environment.METALLB_DEPLOYMENT || 'controller',
    webhook: webhookSettings(
      (flag) => values.get(flag),
      (flag) => values.get(flag) === 'true',
    ),
    secureMetrics: secureMetricsSettings(
      (flag) => values.get(flag),
      tlsMinVersion(values.get('tls-min-version')),
    ),
    identity: `${podName}_${process.pid}`,
    ignoredFlags: ignored,
  };
}

/** `ferrolb controller`: runs until SIGTERM/SIGINT, then hands the Lease over and exits 0. */
export async function controllerMain(args: readonly string[]): Promise<number> {
  const flags = parseControllerFlags(args);
  if (flags.logLevel) setLogLevel(flags.logLevel);
  if (flags.ignoredFlags.length > 0) {
    logger.warn({ flags: flags.ignoredFlags }, 'MetalLB flags not implemented by ferrolb are ignored');
  }
  return runController(flags);
}
