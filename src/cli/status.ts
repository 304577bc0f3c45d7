// `ferrolb status` (DESIGN command-line contract): a table of LoadBalancer Services with their IPs,
// pool, owner node and interfaces, and why a Service has no IP. Read-only.

import { KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_NAMESPACE } from '../config/defaults.js';
import { ConfigError, ErrorCode, KubernetesError } from '../errors.js';
import { buildStatusRows, formatStatusTable, readStatusSnapshot } from '../status/index.js';
import type { CommandSpec } from './args.js';
import { parseOrAnswer } from './common.js';

export const STATUS_SPEC: CommandSpec = {
  command: 'status',
  summary: 'Prints every LoadBalancer Service, its IPs, pool and owner node.',
  flags: {
    kubeconfig: {
      type: 'string',
      value: 'FILE',
      default: 'KUBECONFIG, ~/.kube/config, in-cluster',
      help: 'as kubectl',
    },
    namespace: {
      type: 'string',
      short: 'n',
      value: 'NS',
      default: DEFAULT_NAMESPACE,
      help: 'where the ServiceL2Statuses are',
    },
  },
};

/** Parsed `status` flags. */
export interface StatusFlags {
  readonly kubeconfigPath: string | undefined;
  readonly namespace: string;
}

/** Parses `status` flags (`--flag value` or `--flag=value`); throws UsageError naming the bad flag. */
export function parseStatusFlags(args: readonly string[]): StatusFlags | 'help' | 'version' {
  const parsed = parseOrAnswer(STATUS_SPEC, args, {});
  if (parsed.kind !== 'run') return parsed.kind;
  return {
    kubeconfigPath: parsed.values.get('kubeconfig'),
    namespace: parsed.values.get('namespace') ?? DEFAULT_NAMESPACE,
  };
}

/** `ferrolb status`: prints the table; exit 0, or 1 when the cluster cannot be read. */
export async function statusMain(args: readonly string[]): Promise<number> {
  const flags = parseStatusFlags(args);
  if (flags === 'help' || flags === 'version') return 0;
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
