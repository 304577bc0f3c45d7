// `ferrolb standalone --config FILE --node NAME [--port 7472]` (DESIGN "Standalone
// configuration (contract)", issue 5 item 5): flags and signals here, the work in src/standalone.

import { STANDALONE_GRACE_PERIOD_MS } from '../config/defaults.js';
import { UsageError } from '../errors.js';
import { logger, setLogLevel } from '../log.js';
import { runStandalone, type StandaloneFlags } from '../standalone/index.js';

/** MetalLB's long-time metrics port (DESIGN command-line contract). */
const DEFAULT_METRICS_PORT = 7472;

const USAGE =
  'usage: ferrolb standalone --config FILE --node NAME [--port 7472] [--grace-period-ms 1500] [--log-level info]';

/** Parses the flags; throws UsageError (exit 2) naming the bad flag. */
export function parseStandaloneFlags(args: readonly string[]): StandaloneFlags {
  const values = new Map<string, string>();
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index] as string;
    if (!argument.startsWith('--')) throw new UsageError(`unexpected argument "${argument}"\n${USAGE}`);
    const [flag, inline] = splitFlag(argument);
    if (!['config', 'node', 'port', 'grace-period-ms', 'log-level'].includes(flag)) {
      throw new UsageError(`unknown flag --${flag}\n${USAGE}`);
    }
    const value = inline ?? args[index + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`flag --${flag} needs a value\n${USAGE}`);
    }
    if (inline === undefined) index += 1;
    values.set(flag, value);
  }
  const configPath = values.get('config');
  const nodeName = values.get('node');
  if (!configPath) throw new UsageError(`--config is required\n${USAGE}`);
  if (!nodeName) throw new UsageError(`--node is required\n${USAGE}`);
  return {
    configPath,
    nodeName,
    metricsPort: integerFlag(values, 'port', DEFAULT_METRICS_PORT, 65535),
    gracePeriodMs: integerFlag(values, 'grace-period-ms', STANDALONE_GRACE_PERIOD_MS, 60_000),
    logLevel: values.get('log-level'),
  };
}

function splitFlag(argument: string): [string, string | undefined] {
  const body = argument.slice(2);
  const equals = body.indexOf('=');
  return equals < 0 ? [body, undefined] : [body.slice(0, equals), body.slice(equals + 1)];
}

function integerFlag(
  values: ReadonlyMap<string, string>,
  flag: string,
  fallback: number,
  maximum: number,
): number {
  const text = values.get(flag);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > maximum)
    throw new UsageError(`--${flag}: "${text}" is not an integer from 0 to ${maximum}`);
  return value;
}

/** `ferrolb standalone`: runs until SIGTERM/SIGINT (exit 0 after handing over). */
export async function standaloneMain(args: readonly string[]): Promise<number> {
  const flags = parseStandaloneFlags(args);
  if (flags.logLevel) setLogLevel(flags.logLevel);
  return runStandalone(flags, logger.child({ node: flags.nodeName }));
}
