// `ferrolb standalone --config FILE --node NAME` (DESIGN "Standalone configuration (contract)",
// issue 5 item 5): flags and signals here, the work in src/standalone.

import { STANDALONE_GRACE_PERIOD_MS } from '../config/defaults.js';
import { UsageError } from '../errors.js';
import { runStandalone, type StandaloneFlags } from '../standalone/index.js';
import { type CommandSpec, integerValue } from './args.js';
import {
  addressValue,
  DEFAULT_METRICS_PORT,
  LOG_LEVEL_FLAG,
  logLevelValue,
  metricsBindAddressFlag,
  PORT_FLAG,
  parseOrAnswer,
  STANDALONE_METRICS_BIND_ADDRESS,
  startLogging,
} from './common.js';

export const STANDALONE_SPEC: CommandSpec = {
  command: 'standalone',
  summary: 'Runs election and data plane from a YAML file, without Kubernetes.',
  flags: {
    config: { type: 'string', value: 'FILE', default: 'required', help: 'the multi-document YAML file' },
    node: {
      type: 'string',
      value: 'NAME',
      default: 'required',
      help: "this node: one of the file's members",
    },
    port: PORT_FLAG,
    'metrics-bind-address': metricsBindAddressFlag(STANDALONE_METRICS_BIND_ADDRESS),
    'grace-period-ms': {
      type: 'string',
      value: 'MS',
      default: String(STANDALONE_GRACE_PERIOD_MS),
      help: 'after SIGTERM, keep answering this long',
    },
    'log-level': LOG_LEVEL_FLAG,
  },
};

/** Parses the flags; throws UsageError (exit 2) naming the bad flag. */
export function parseStandaloneFlags(
  args: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
): StandaloneFlags | 'help' | 'version' {
  const parsed = parseOrAnswer(STANDALONE_SPEC, args, environment);
  if (parsed.kind !== 'run') return parsed.kind;
  const { values } = parsed;
  const configPath = values.get('config');
  const nodeName = values.get('node');
  if (!configPath) throw new UsageError('--config is required');
  if (!nodeName) throw new UsageError('--node is required');
  return {
    configPath,
    nodeName,
    metricsPort: integerValue(values, 'port', { fallback: DEFAULT_METRICS_PORT, maximum: 65535 }),
    metricsBindAddress: addressValue(values, 'metrics-bind-address', STANDALONE_METRICS_BIND_ADDRESS),
    gracePeriodMs: integerValue(values, 'grace-period-ms', {
      fallback: STANDALONE_GRACE_PERIOD_MS,
      maximum: 60_000,
    }),
    logLevel: logLevelValue(values),
  };
}

/** `ferrolb standalone`: runs until SIGTERM/SIGINT (exit 0 after handing over). */
export async function standaloneMain(args: readonly string[]): Promise<number> {
  const flags = parseStandaloneFlags(args);
  if (flags === 'help' || flags === 'version') return 0;
  const logger = startLogging({ logLevel: flags.logLevel, ignored: [] });
  return runStandalone(flags, logger.child({ node: flags.nodeName }));
}
