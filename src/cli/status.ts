// `ferrolb status` (DESIGN command-line contract): a table of LoadBalancer Services with their IPs,
// pool, owner node and interfaces, and why a Service has no IP. Read-only.

import { KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_NAMESPACE } from '../config/defaults.js';
import { ConfigError, ErrorCode, KubernetesError, UsageError } from '../errors.js';
import { buildStatusRows, formatStatusTable, readStatusSnapshot } from '../status/index.js';

const USAGE = 'usage: ferrolb status [--kubeconfig F] [--namespace metallb-system]';

/** Parsed `status` flags. */
export interface StatusFlags {
  readonly kubeconfigPath: string | undefined;
  readonly namespace: string;
}

/** Parses `status` flags (`--flag value` or `--flag=value`); throws UsageError naming the bad flag. */
export function parseStatusFlags(args: readonly string[]): StatusFlags | 'help' {
  let kubeconfigPath: string | undefined;
  let namespace = DEFAULT_NAMESPACE;
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index] ?? '';
    if (argument === '-h' || argument === '--help') return 'help';
    const equals = argument.indexOf('=');
    const flag = equals < 0 ? argument : argument.slice(0, equals);
    if (flag !== '--kubeconfig' && flag !== '--namespace' && flag !== '-n') {
      throw new UsageError(`unknown flag ${JSON.stringify(argument)}\n${USAGE}`);
    }
    const value = equals < 0 ? args[++index] : argument.slice(equals + 1);
    if (value === undefined || value === '') throw new UsageError(`flag ${flag} needs a value\n${USAGE}`);
    if (flag === '--kubeconfig') kubeconfigPath = value;
    else namespace = value;
  }
  return { kubeconfigPath, namespace };
}

/** `ferrolb status`: prints the table; exit 0, or 1 when the cluster cannot be read. */
export async function statusMain(args: readonly string[]): Promise<number> {
  const flags = parseStatusFlags(args);
  if (flags === 'help') {
    console.log(USAGE);
    return 0;
  }
  const config = new KubeConfig();
  // kubectl's order, as a person runs this from a workstation: --kubeconfig, KUBECONFIG,
  // ~/.kube/config, then the in-cluster ServiceAccount.
  if (flags.kubeconfigPath) loadKubeconfigFile(config, flags.kubeconfigPath);
  else config.loadFromDefault();
  const server = config.getCurrentCluster()?.server ?? '(no cluster configured)';
  try {
    const snapshot = await readStatusSnapshot(config, flags.namespace);
    process.stdout.write(formatStatusTable(buildStatusRows(snapshot)));
    // On stderr, so the table stays a table: the reason allocations or announcements are stale.
    for (const refusal of snapshot.refusals) {
      process.stderr.write(
        `warning: ConfigurationState ${flags.namespace}/${refusal.name} is Invalid (the last good configuration is in force): ${refusal.summary}\n`,
      );
    }
    return 0;
  } catch (error) {
    throw new KubernetesError(
      ErrorCode.kubernetes,
      `reading the cluster at ${server} failed: ${describeFailure(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** A kubeconfig named on the command line that cannot be read is invalid input (exit 2), not a cluster failure. */
function loadKubeconfigFile(config: KubeConfig, path: string): void {
  try {
    config.loadFromFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(ErrorCode.configFile, `--kubeconfig: cannot read ${path}: ${reason}`);
  }
}

/** A one-line reason: the API server's status message and code, not the whole response dump. */
function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const body = (error as { body?: unknown }).body;
  if (typeof code === 'number') {
    const parsed = typeof body === 'string' ? safeJson(body) : body;
    const message = (parsed as { message?: unknown } | undefined)?.message;
    return `HTTP ${code}${typeof message === 'string' ? `: ${message}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
