// Flags the daemons share, and what every command does before its work: help, version, log level,
// and the one warning that lists the MetalLB flags ferrolb accepted without implementing them.
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { LOG_LEVELS, type Logger, logger, setLogLevel, setLogOutput } from '../log.js';
import { type CommandSpec, type FlagSpec, packageVersion, parseCommand, usage } from './args.js';

/** MetalLB's long-time plain-HTTP metrics port, `--port` of every daemon (DESIGN command-line contract); 0 disables it. */
export const DEFAULT_METRICS_PORT = 7472;
/** Standalone runs on plain hosts: its metrics stay local unless asked otherwise. */
export const STANDALONE_METRICS_BIND_ADDRESS = '127.0.0.1';

export const LOG_LEVEL_FLAG: FlagSpec = {
  type: 'string',
  value: 'LEVEL',
  default: 'info',
  env: 'FERROLB_LOG_LEVEL',
  help: `log level, one of: ${LOG_LEVELS.join(', ')}`,
};

/** `--kubeconfig`, as both daemons read it (DESIGN command-line contract). */
export const KUBECONFIG_FLAG: FlagSpec = {
  type: 'string',
  value: 'FILE',
  default: 'KUBECONFIG, else in-cluster',
  help: 'client configuration',
};

/** Standalone's `--port` (the controller's and the speaker's: src/cli/endpoints.ts). */
export const PORT_FLAG: FlagSpec = {
  type: 'string',
  value: 'N',
  default: String(DEFAULT_METRICS_PORT),
  help: '/metrics, /healthz and /readyz over plain HTTP; 0 disables them',
};

/** `--metrics-bind-address` with the command's default address. */
export function metricsBindAddressFlag(fallback: string): FlagSpec {
  return { type: 'string', value: 'ADDRESS', default: fallback, help: 'the address --port listens on' };
}

/** The IP address of `flag`, else `fallback`; throws UsageError naming the flag. */
export function addressValue(values: ReadonlyMap<string, string>, flag: string, fallback: string): string {
  const text = values.get(flag);
  if (text === undefined) return fallback;
  if (isIP(text) === 0) throw new UsageError(`--${flag}: "${text}" is not an IP address`);
  return text;
}

/** The log level of `--log-level` (or FERROLB_LOG_LEVEL), checked; undefined when not given. */
export function logLevelValue(values: ReadonlyMap<string, string>): string | undefined {
  const level = values.get('log-level');
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log-level: "${level}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  return level;
}

/**
 * Parses a command line; prints help or the version and returns the exit code for those, else the
 * flag values. Throws UsageError (exit 2) naming the bad flag.
 */
export function parseOrAnswer(
  spec: CommandSpec,
  args: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
): ReturnType<typeof parseCommand> {
  const parsed = parseCommand(spec, args, environment);
  if (parsed.kind === 'help') console.log(usage(spec));
  if (parsed.kind === 'version') console.log(packageVersion());
  return parsed;
}

/**
 * Starts a daemon's logging: lines go to stdout from here on (MetalLB's daemons log there), at the
 * given level; logs once the MetalLB flags and variables that are ignored, and each start-up note.
 */
export function startLogging(options: {
  logLevel: string | undefined;
  ignored: readonly string[];
  notes?: readonly string[];
}): Logger {
  setLogOutput('stdout');
  if (options.logLevel) setLogLevel(options.logLevel);
  if (options.ignored.length > 0) {
    logger.warn(
      { op: 'startup', flags: options.ignored.join(',') },
      `MetalLB flags and environment variables not implemented by ferrolb are ignored: ${options.ignored.join(' ')}`,
    );
  }
  for (const note of options.notes ?? []) logger.info({ op: 'startup' }, note);
  return logger;
}
