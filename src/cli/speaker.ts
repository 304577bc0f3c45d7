// `ferrolb speaker` (DESIGN command-line contract, D4): MetalLB's flag names, MetalLB's
// environment variables as defaults, unknown MetalLB flags accepted with one warning. The work
// is in src/speaker/runner.ts.
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { DEFAULT_NAMESPACE } from '../config/defaults.js';
import { ConfigError, ErrorCode, UsageError } from '../errors.js';
import { DEFAULT_EXCLUDED_INTERFACES } from '../l2/interface-filter.js';
import { logger, setLogLevel } from '../log.js';
import { SECURE_METRICS_VALUE_FLAGS, secureMetricsSettings } from '../metrics/secure-settings.js';
import { METALLB_EXCLUDE_CONFIG_PATH, parseExcludeConfig } from '../speaker/exclude-config.js';
import type { SpeakerFlags } from '../speaker/runner.js';
import { tlsMinVersion } from '../webhook/settings.js';

const USAGE =
  'usage: ferrolb speaker --node-name N [--kubeconfig F] [--namespace metallb-system] [--ml-bindaddr A] ' +
  '[--ml-bindport 7946] [--ml-secret-key-path P] [--ml-labels app=metallb,component=speaker] [--lb-class C] ' +
  '[--ignore-exclude-lb] [--port 7472] [--log-level info] [--exclude-l2-config /etc/metallb/excludel2.yaml] ' +
  '[--secure-metrics-port 9120] [--metrics-cert-dir D] [--tls-min-version VersionTLS13]';

/** MetalLB's long-time metrics port (DESIGN command-line contract); 0 disables the endpoint. */
const DEFAULT_METRICS_PORT = 7472;
/** ML2: memberlist's port. */
const DEFAULT_GOSSIP_PORT = 7946;
/** ML1: MetalLB's manifests set METALLB_ML_LABELS to this. */
const DEFAULT_MEMBERLIST_LABELS = 'app=metallb,component=speaker';

const VALUE_FLAGS = [
  'node-name',
  'kubeconfig',
  'namespace',
  'ml-bindaddr',
  'ml-bindport',
  'ml-secret-key-path',
  'ml-labels',
  'lb-class',
  'port',
  'log-level',
  'exclude-l2-config',
];
const BOOLEAN_FLAGS = ['ignore-exclude-lb'];
/** MetalLB 0.16's HTTPS metrics (M1): `--secure-metrics-port`, `--metrics-cert-dir`, `--tls-min-version`. */
const SECURE_FLAGS = [...SECURE_METRICS_VALUE_FLAGS, 'tls-min-version'];
/** MetalLB speaker flags ferrolb does not implement (D4: TLS, FRR, WAN memberlist): ignored with a warning. */
const IGNORED_VALUE_FLAGS = ['health-probe-port', 'host', 'tls-cipher-suites', 'frr-k8s-namespace'];
const IGNORED_BOOLEAN_FLAGS = ['ml-wan-config', 'enable-pprof', 'webhook-http2'];

interface Collected {
  readonly values: Map<string, string>;
  readonly ignored: string[];
}

function splitFlag(argument: string): [string, string | undefined] {
  const body = argument.slice(2);
  const equals = body.indexOf('=');
  return equals < 0 ? [body, undefined] : [body.slice(0, equals), body.slice(equals + 1)];
}

function booleanValue(flag: string, inline: string | undefined): string {
  if (inline === undefined || inline === 'true') return 'true';
  if (inline === 'false') return 'false';
  throw new UsageError(`--${flag}: "${inline}" is not true or false`);
}

function collectFlags(args: readonly string[]): Collected {
  const collected: Collected = { values: new Map(), ignored: [] };
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index] ?? '';
    if (!argument.startsWith('--')) throw new UsageError(`unexpected argument "${argument}"\n${USAGE}`);
    const [flag, inline] = splitFlag(argument);
    if (BOOLEAN_FLAGS.includes(flag) || IGNORED_BOOLEAN_FLAGS.includes(flag)) {
      const value = booleanValue(flag, inline);
      if (IGNORED_BOOLEAN_FLAGS.includes(flag)) collected.ignored.push(flag);
      else collected.values.set(flag, value);
      continue;
    }
    const ignored = IGNORED_VALUE_FLAGS.includes(flag);
    if (!ignored && !VALUE_FLAGS.includes(flag) && !SECURE_FLAGS.includes(flag))
      throw new UsageError(`unknown flag --${flag}\n${USAGE}`);
    const value = inline ?? args[index + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`flag --${flag} needs a value\n${USAGE}`);
    }
    if (inline === undefined) index += 1;
    if (ignored) collected.ignored.push(flag);
    else collected.values.set(flag, value);
  }
  return collected;
}

function portValue(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new UsageError(`--${flag}: "${text}" is not a port number (0 to 65535)`);
  return port;
}

/** L1: the exclusion list from `path`, MetalLB's mounted file when present, else MetalLB's defaults. */
export function readExcludeInterfaces(path: string | undefined): readonly RegExp[] {
  const file = path ?? (existsSync(METALLB_EXCLUDE_CONFIG_PATH) ? METALLB_EXCLUDE_CONFIG_PATH : undefined);
  if (file === undefined) return DEFAULT_EXCLUDED_INTERFACES;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      ErrorCode.configFile,
      `--exclude-l2-config: cannot read ${file}: ${(error as Error).message}`,
    );
  }
  const parsed = parseExcludeConfig(text);
  if (!parsed.ok) throw new ConfigError(ErrorCode.configInvalid, `${file}: ${parsed.reason}`);
  return parsed.patterns;
}

function memberlistOf(
  values: Map<string, string>,
  environment: NodeJS.ProcessEnv,
): SpeakerFlags['memberlist'] {
  const bindAddress = values.get('ml-bindaddr') ?? environment.METALLB_ML_BIND_ADDR ?? '';
  const labelSelector = values.get('ml-labels') ?? environment.METALLB_ML_LABELS ?? DEFAULT_MEMBERLIST_LABELS;
  // ML1: gossip needs both a bind address and the labels that find the other speakers.
  if (bindAddress === '' || labelSelector === '') return undefined;
  if (isIP(bindAddress) === 0) throw new UsageError(`--ml-bindaddr: "${bindAddress}" is not an IP address`);
  return {
    bindAddress,
    port: portValue(
      'ml-bindport',
      values.get('ml-bindport') ?? environment.METALLB_ML_BIND_PORT,
      DEFAULT_GOSSIP_PORT,
    ),
    secretKeyPath: values.get('ml-secret-key-path') ?? (environment.METALLB_ML_SECRET_KEY_PATH || undefined),
    labelSelector,
  };
}

/** Parses `ferrolb speaker` flags over MetalLB's environment defaults; throws UsageError (exit 2). */
export function parseSpeakerFlags(
  args: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
): SpeakerFlags & { readonly ignoredFlags: readonly string[]; readonly logLevel: string | undefined } {
  const { values, ignored } = collectFlags(args);
  const nodeName = values.get('node-name') ?? environment.METALLB_NODE_NAME ?? '';
  if (nodeName === '') throw new UsageError(`--node-name (or METALLB_NODE_NAME) is required\n${USAGE}`);
  const memberlist = memberlistOf(values, environment);
  return {
    nodeName,
    kubeconfigPath: values.get('kubeconfig'),
    namespace: values.get('namespace') || environment.METALLB_NAMESPACE || DEFAULT_NAMESPACE,
    ...(memberlist ? { memberlist } : {}),
    loadBalancerClass: values.get('lb-class') ?? '',
    ignoreExcludeLb: values.get('ignore-exclude-lb') === 'true',
    metricsPort: portValue('port', values.get('port'), DEFAULT_METRICS_PORT),
    secureMetrics: secureMetricsSettings(
      (flag) => values.get(flag),
      tlsMinVersion(values.get('tls-min-version')),
    ),
    excludeInterfaces: readExcludeInterfaces(values.get('exclude-l2-config')),
    podName: environment.METALLB_POD_NAME || undefined,
    logLevel: values.get('log-level'),
    ignoredFlags: ignored,
  };
}

/** `ferrolb speaker`: runs until SIGTERM/SIGINT, hands over, exits 0. */
export async function speakerMain(args: readonly string[]): Promise<number> {
  const flags = parseSpeakerFlags(args);
  if (flags.logLevel) setLogLevel(flags.logLevel);
  if (flags.ignoredFlags.length > 0) {
    logger.warn({ flags: flags.ignoredFlags }, 'MetalLB flags not implemented by ferrolb are ignored');
  }
  const { runSpeaker } = await import('../speaker/runner.js');
  return runSpeaker(flags, logger.child({ component: 'speaker', node: flags.nodeName }));
}
