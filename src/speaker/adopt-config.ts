import { buildConfig, type Config, type ConfigInput, type ConfigProblem, poolFor } from '../config/index.js';

/** The configuration the speaker runs on after a reload attempt, and why an attempt was refused. */
export interface ConfigAdoption {
  /** The config in force: the new one, or the last good one (undefined until one loads). */
  readonly config: Config | undefined;
  /** C3/A37: 1 when the latest objects were refused and an older config stays in force. */
  readonly stale: boolean;
  /** Invalid objects of the latest attempt (V1–V14); `ignored` ones (other namespace) do not make it stale. */
  readonly problems: readonly ConfigProblem[];
  /** A37: announced IPs the refused config would leave without a pool. */
  readonly orphanedIPs: readonly string[];
}

/**
 * Builds a config from the current CRs and decides whether the speaker adopts it. Whole-config
 * semantics (V14): any invalid object keeps the last good config. A37: MetalLB's speaker also
 * refuses a config that leaves an IP it announces without a pool, until the controller has moved
 * that Service (its ingress changes, the IP is withdrawn, and the next attempt succeeds).
 */
export function adoptConfig(
  input: ConfigInput,
  context: {
    readonly namespace: string;
    readonly current: Config | undefined;
    readonly announcedIPs: readonly string[];
  },
): ConfigAdoption {
  const build = buildConfig(input, { namespace: context.namespace });
  const invalid = build.problems.filter((problem) => problem.severity === 'invalid');
  if (invalid.length > 0) {
    return { config: context.current, stale: true, problems: build.problems, orphanedIPs: [] };
  }
  const orphanedIPs = context.announcedIPs.filter((ip) => poolFor(build.config, ip) === undefined);
  if (orphanedIPs.length > 0) {
    return { config: context.current, stale: true, problems: build.problems, orphanedIPs };
  }
  return { config: build.config, stale: false, problems: build.problems, orphanedIPs: [] };
}
