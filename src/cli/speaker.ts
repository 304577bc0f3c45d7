// `ferrolb speaker` (DESIGN command-line contract, D4): MetalLB's flag names, MetalLB's
// environment variables as defaults, unknown MetalLB flags accepted with one warning. The work
// is in src/speaker/runner.ts.
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { DEFAULT_NAMESPACE } from '../config/defaults.js';
import { ConfigError, ErrorCode, UsageError } from '../errors.js';
import { DEFAULT_EXCLUDED_INTERFACES } from '../l2/interface-filter.js';
import { SECURE_METRICS_FLAG_SPECS, secureMetricsSettings } from '../metrics/secure-settings.js';
import { METALLB_EXCLUDE_CONFIG_PATH, parseExcludeConfig } from '../speaker/exclude-config.js';
import type { SpeakerFlags } from '../speaker/runner.js';
import { tlsMinVersion, WEBHOOK_FLAG_SPECS } from '../webhook/settings.js';
import { type CommandSpec, type FlagSpec, integerValue } from './args.js';
import { KUBECONFIG_FLAG, LOG_LEVEL_FLAG, logLevelValue, parseOrAnswer, startLogging } from './common.js';
import { daemonEndpoints, ENDPOINT_FLAG_SPECS } from './endpoints.js';
import { IGNORED_METALLB_ENV, ignoredFlagsOf } from './metallb-flags.js';

/** ML2: memberlist's port. */
const DEFAULT_GOSSIP_PORT = 7946;
/** ML1: MetalLB's manifests set METALLB_ML_LABELS to this. */
const DEFAULT_MEMBERLIST_LABELS = 'app=metallb,component=speaker';

export const SPEAKER_SPEC: CommandSpec = {
  command: 'speaker',
  summary: 'Elects owners and answers ARP/NDP on this node (Kubernetes).',
  flags: {
    'node-name': {
      type: 'string',
      value: 'NODE',
      env: 'METALLB_NODE_NAME',
      default: 'required',
      help: 'this node',
    },
    kubeconfig: KUBECONFIG_FLAG,
    namespace: {
      type: 'string',
      value: 'NS',
      env: 'METALLB_NAMESPACE',
      default: DEFAULT_NAMESPACE,
      help: 'where pools, advertisements and speaker pods live',
    },
    'ml-bindaddr': { type: 'string', value: 'ADDRESS', env: 'METALLB_ML_BIND_ADDR', help: 'gossip address' },
    'ml-bindport': {
      type: 'string',
      value: 'PORT',
      env: 'METALLB_ML_BIND_PORT',
      default: String(DEFAULT_GOSSIP_PORT),
      help: 'gossip UDP port',
    },
    'ml-secret-key-path': {
      type: 'string',
      value: 'DIR',
      env: 'METALLB_ML_SECRET_KEY_PATH',
      help: 'directory holding the gossip secretkey',
    },
    'ml-labels': {
      type: 'string',
      value: 'SELECTOR',
      env: 'METALLB_ML_LABELS',
      default: DEFAULT_MEMBERLIST_LABELS,
      help: 'label selector of the speaker pods',
    },
    'pod-name': {
      type: 'string',
      value: 'NAME',
      env: 'METALLB_POD_NAME',
      help: 'this pod, owner of its ServiceL2Statuses',
    },
    'lb-class': { type: 'string', value: 'CLASS', help: 'handle only Services of this loadBalancerClass' },
    'ignore-exclude-lb': {
      type: 'boolean',
      help: 'keep nodes labelled exclude-from-external-load-balancers',
    },
    ...ENDPOINT_FLAG_SPECS,
    'log-level': LOG_LEVEL_FLAG,
    'exclude-l2-config': {
      type: 'string',
      value: 'FILE',
      default: METALLB_EXCLUDE_CONFIG_PATH,
      help: "interface exclusion list in MetalLB's format",
    },
    ...SECURE_METRICS_FLAG_SPECS,
    'tls-min-version': WEBHOOK_FLAG_SPECS['tls-min-version'] as FlagSpec,
  },
  ignored: ignoredFlagsOf('speaker'),
  ignoredEnv: IGNORED_METALLB_ENV.speaker,
};

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

function memberlistOf(values: ReadonlyMap<string, string>): SpeakerFlags['memberlist'] {
  // Checked even when gossip is off, so a bad value is an error, not silently unused.
  const port = integerValue(values, 'ml-bindport', { fallback: DEFAULT_GOSSIP_PORT, maximum: 65535 });
  const bindAddress = values.get('ml-bindaddr') ?? '';
  const labelSelector = values.get('ml-labels') ?? DEFAULT_MEMBERLIST_LABELS;
  // ML1: gossip needs both a bind address and the labels that find the other speakers.
  if (bindAddress === '' || labelSelector === '') return undefined;
  if (isIP(bindAddress) === 0) throw new UsageError(`--ml-bindaddr: "${bindAddress}" is not an IP address`);
  return {
    bindAddress,
    port,
    secretKeyPath: values.get('ml-secret-key-path') || undefined,
    labelSelector,
  };
}

/** Parsed `ferrolb speaker` flags. */
export type ParsedSpeakerFlags = SpeakerFlags & {
  readonly ignoredFlags: readonly string[];
  /** Start-up warnings about the listeners (src/cli/endpoints.ts). */
  readonly notes: readonly string[];
  readonly logLevel: string | undefined;
};

/** Parses `ferrolb speaker` flags over MetalLB's environment defaults; throws UsageError (exit 2). */
export function parseSpeakerFlags(
  args: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
): ParsedSpeakerFlags | 'help' | 'version' {
  const parsed = parseOrAnswer(SPEAKER_SPEC, args, environment);
  if (parsed.kind !== 'run') return parsed.kind;
  const { values } = parsed;
  const nodeName = values.get('node-name') ?? '';
  if (nodeName === '') throw new UsageError('--node-name (or METALLB_NODE_NAME) is required');
  const memberlist = memberlistOf(values);
  const endpoints = daemonEndpoints(values, 'speaker');
  return {
    nodeName,
    kubeconfigPath: values.get('kubeconfig'),
    namespace: values.get('namespace') || DEFAULT_NAMESPACE,
    ...(memberlist ? { memberlist } : {}),
    loadBalancerClass: values.get('lb-class') ?? '',
    ignoreExcludeLb: values.get('ignore-exclude-lb') === 'true',
    metricsPort: endpoints.plain.port,
    secureMetrics: secureMetricsSettings((flag) => values.get(flag), {
      port: endpoints.secure.port,
      tlsMinVersion: tlsMinVersion(values.get('tls-min-version')),
    }),
    metricsBindAddress: endpoints.plain.host,
    healthProbePort: endpoints.health.port,
    healthProbeAddress: endpoints.health.host,
    healthProbeServesMetrics: endpoints.health.metrics,
    excludeInterfaces: readExcludeInterfaces(values.get('exclude-l2-config')),
    podName: values.get('pod-name') || undefined,
    logLevel: logLevelValue(values),
    ignoredFlags: parsed.ignored,
    notes: endpoints.notes,
  };
}

/** `ferrolb speaker`: runs until SIGTERM/SIGINT, hands over, exits 0. */
export async function speakerMain(args: readonly string[]): Promise<number> {
  const flags = parseSpeakerFlags(args);
  if (flags === 'help' || flags === 'version') return 0;
  const logger = startLogging({ logLevel: flags.logLevel, ignored: flags.ignoredFlags, notes: flags.notes });
  const { runSpeaker } = await import('../speaker/runner.js');
  return runSpeaker(flags, logger.child({ component: 'speaker', node: flags.nodeName }));
}
