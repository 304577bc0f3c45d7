import type { KubernetesObject, V1Namespace } from '@kubernetes/client-node';
import { buildConfig, type Config, type ConfigProblem, type Fields } from '../config/index.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { gauge } from '../metrics/registry.js';

/** The result of re-reading pools and namespaces. */
export type ConfigUpdate =
  | { readonly kind: 'changed'; readonly config: Config }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'invalid'; readonly problems: readonly ConfigProblem[] };

/** Stable text of a Config for change detection (C4); bigints and Maps serialised explicitly. */
function fingerprint(config: Config): string {
  return JSON.stringify(config.pools, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Map) return [...value.entries()];
    return value;
  });
}

/**
 * Holds the last good Config. A pool set with any invalid object is refused as a whole and the last
 * good Config keeps serving, with `metallb_k8s_client_config_stale_bool` = 1 (C3, V14).
 */
export class ConfigSource {
  private current: Config | undefined;
  private currentFingerprint = '';

  constructor(
    private readonly namespace: string,
    private readonly logger: Logger,
  ) {}

  /** The Config in force, if one was ever loaded. */
  config(): Config | undefined {
    return this.current;
  }

  /** Rebuilds from the informers' current objects. */
  update(pools: readonly KubernetesObject[], namespaces: readonly V1Namespace[]): ConfigUpdate {
    const build = buildConfig(
      {
        pools: pools.map((pool) => ({
          source: `IPAddressPool ${pool.metadata?.namespace}/${pool.metadata?.name}`,
          object: pool as unknown as Fields,
        })),
        l2Advertisements: [],
        namespaces: namespaces.map((namespace) => ({
          name: namespace.metadata?.name ?? '',
          labels: namespace.metadata?.labels ?? {},
        })),
      },
      { namespace: this.namespace },
    );
    const invalid = build.problems.filter((problem) => problem.severity === 'invalid');
    if (invalid.length > 0) {
      gauge('k8sClientConfigStaleBool').set(1);
      for (const problem of invalid) {
        this.logger.error(
          {
            op: 'setConfig',
            code: ErrorCode.configInvalid,
            pool: problem.object,
            field: problem.field,
            reason: problem.message,
          },
          'invalid configuration, keeping the last good one',
        );
      }
      return { kind: 'invalid', problems: invalid };
    }
    gauge('k8sClientConfigStaleBool').set(0);
    gauge('k8sClientConfigLoadedBool').set(1);
    const next = fingerprint(build.config);
    if (this.current && next === this.currentFingerprint) return { kind: 'unchanged' };
    this.current = build.config;
    this.currentFingerprint = next;
    return { kind: 'changed', config: build.config };
  }
}
