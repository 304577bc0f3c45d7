// `ferrolb controller` (DESIGN command-line contract): MetalLB's flags and environment variables
// (src/cli/metallb-flags.ts); the work is in src/controller/runner.ts.
import { hostname } from 'node:os';
import { DEFAULT_NAMESPACE } from '../config/defaults.js';
import { type ControllerFlags, runController } from '../controller/runner.js';
import { SECURE_METRICS_FLAG_SPECS, secureMetricsSettings } from '../metrics/secure-settings.js';
import { tlsMinVersion, WEBHOOK_FLAG_SPECS, webhookSettings } from '../webhook/settings.js';
import type { CommandSpec } from './args.js';
import { KUBECONFIG_FLAG, LOG_LEVEL_FLAG, logLevelValue, parseOrAnswer, startLogging } from './common.js';
import { daemonEndpoints, ENDPOINT_FLAG_SPECS } from './endpoints.js';
import { IGNORED_METALLB_ENV, ignoredFlagsOf } from './metallb-flags.js';

export const CONTROLLER_SPEC: CommandSpec = {
  command: 'controller',
  summary: 'Allocates LoadBalancer IPs in a Kubernetes cluster.',
  flags: {
    kubeconfig: KUBECONFIG_FLAG,
    namespace: {
      type: 'string',
      value: 'NS',
      env: 'METALLB_NAMESPACE',
      default: DEFAULT_NAMESPACE,
      help: 'where the pools, the Lease and the gossip Secret live',
    },
    'lb-class': { type: 'string', value: 'CLASS', help: 'handle only Services of this loadBalancerClass' },
    ...ENDPOINT_FLAG_SPECS,
    'log-level': LOG_LEVEL_FLAG,
    'ml-secret-name': {
      type: 'string',
      value: 'NAME',
      env: 'METALLB_ML_SECRET_NAME',
      default: 'memberlist',
      help: 'the gossip Secret to create when absent',
    },
    deployment: {
      type: 'string',
      value: 'NAME',
      env: 'METALLB_DEPLOYMENT',
      default: 'controller',
      help: 'the Deployment that owns the gossip Secret',
    },
    'pod-name': {
      type: 'string',
      value: 'NAME',
      env: 'METALLB_POD_NAME',
      default: 'hostname',
      help: 'this pod (Lease identity)',
    },
    ...SECURE_METRICS_FLAG_SPECS,
    ...WEBHOOK_FLAG_SPECS,
  },
  ignored: ignoredFlagsOf('controller'),
  ignoredEnv: IGNORED_METALLB_ENV.controller,
};

/** Parsed `ferrolb controller` flags. */
export type ParsedControllerFlags = ControllerFlags & {
  readonly ignoredFlags: readonly string[];
  /** Start-up warnings about the listeners (src/cli/endpoints.ts). */
  readonly notes: readonly string[];
};

/** Parses `ferrolb controller` flags; throws UsageError (exit 2) naming the bad flag. */
export function parseControllerFlags(
  args: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
): ParsedControllerFlags | 'help' | 'version' {
  const parsed = parseOrAnswer(CONTROLLER_SPEC, args, environment);
  if (parsed.kind !== 'run') return parsed.kind;
  const { values } = parsed;
  const podName = values.get('pod-name') || hostname();
  const endpoints = daemonEndpoints(values, 'controller');
  return {
    kubeconfigPath: values.get('kubeconfig'),
    namespace: values.get('namespace') || DEFAULT_NAMESPACE,
    loadBalancerClass: values.get('lb-class') ?? '',
    metricsPort: endpoints.plain.port,
    metricsBindAddress: endpoints.plain.host,
    healthProbePort: endpoints.health.port,
    healthProbeAddress: endpoints.health.host,
    healthProbeServesMetrics: endpoints.health.metrics,
    logLevel: logLevelValue(values),
    memberlistSecretName: values.get('ml-secret-name') || 'memberlist',
    deploymentName: values.get('deployment') || 'controller',
    identity: `${podName}_${process.pid}`,
    webhook: webhookSettings(
      (flag) => values.get(flag),
      (flag) => values.get(flag) === 'true',
    ),
    secureMetrics: secureMetricsSettings((flag) => values.get(flag), {
      port: endpoints.secure.port,
      tlsMinVersion: tlsMinVersion(values.get('tls-min-version')),
    }),
    ignoredFlags: parsed.ignored,
    notes: endpoints.notes,
  };
}

/** `ferrolb controller`: runs until SIGTERM/SIGINT, then hands the Lease over and exits 0. */
export async function controllerMain(args: readonly string[]): Promise<number> {
  const flags = parseControllerFlags(args);
  if (flags === 'help' || flags === 'version') return 0;
  startLogging({ logLevel: flags.logLevel, ignored: flags.ignoredFlags, notes: flags.notes });
  return runController(flags);
}
