// The standalone process: load FILE, prepare the host, start the data plane, gossip and the
// metrics server, then serve until a signal. SIGHUP re-reads FILE; SIGTERM and SIGINT hand over
// (make before break) and exit 0.
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { STANDALONE_JOIN_WAIT_MS } from '../config/defaults.js';
import { planDocuments } from '../controller/index.js';
import { ConfigError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { counter, gauge } from '../metrics/registry.js';
import { startMetricsServer } from '../metrics/server.js';
import { ReadinessTracker } from '../speaker/readiness-tracker.js';
import { ensureArpSettings } from './arp-sysctl.js';
import type { ClusterSpec } from './cluster.js';
import { loadStandaloneConfig, type StandaloneConfig } from './load.js';
import { flushLocalRoutes } from './routes.js';
import { memberNamed, StandaloneSpeaker } from './speaker.js';

/** How often the start-up wait looks at gossip. */
const JOIN_POLL_MS = 20;

/** The command line of `ferrolb standalone`, parsed. */
export interface StandaloneFlags {
  readonly configPath: string;
  readonly nodeName: string;
  readonly metricsPort: number;
  /** The address `metricsPort` listens on (`--metrics-bind-address`). */
  readonly metricsBindAddress: string;
  readonly gracePeriodMs: number;
  readonly logLevel?: string;
}

/**
 * Reads and validates FILE; throws ConfigError (exit 2) naming document, object and field.
 * `running` (SIGHUP) keeps the allocations in use (issue 12 #10).
 */
export async function readStandaloneFile(
  path: string,
  nodeName: string,
  running?: StandaloneConfig,
): Promise<StandaloneConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(ErrorCode.configFile, `cannot read --config ${path}: ${(error as Error).message}`);
  }
  const loaded = loadStandaloneConfig(text, planDocuments, running?.services);
  if (!loaded.ok) throw new ConfigError(ErrorCode.configInvalid, `${path}: ${loaded.message}`);
  if (!memberNamed(loaded.value, nodeName)) {
    const names = loaded.value.cluster.members.map((member) => member.name).join(', ');
    throw new ConfigError(
      ErrorCode.configInvalid,
      `${path}: Cluster spec.members has no member named "${nodeName}" (members: ${names})`,
    );
  }
  return loaded.value;
}

/**
 * Reads the gossip secret. Fail closed (issue 12 #2): a configured file that cannot be read or is
 * empty stops the start (exit 2); gossip runs in plaintext only when no file is configured at all.
 */
export async function readSecret(cluster: ClusterSpec): Promise<Uint8Array | undefined> {
  if (!cluster.secretKeyFile) return undefined;
  const field = `Cluster spec.gossip.secretKeyFile ${cluster.secretKeyFile}`;
  let secret: Buffer;
  try {
    secret = await readFile(cluster.secretKeyFile);
  } catch (error) {
    throw new ConfigError(
      ErrorCode.configFile,
      `${field}: cannot read the gossip secret: ${(error as Error).message}`,
    );
  }
  if (secret.byteLength === 0)
    throw new ConfigError(ErrorCode.configFile, `${field}: the gossip secret file is empty`);
  return secret;
}

async function startSpeaker(
  flags: StandaloneFlags,
  config: StandaloneConfig,
  logger: Logger,
): Promise<StandaloneSpeaker> {
  const { cluster } = config;
  const self = memberNamed(config, flags.nodeName);
  if (!self) throw new ConfigError(ErrorCode.configInvalid, `no member named "${flags.nodeName}"`);
  // Before the host is touched: an unreadable secret is a start error, never plaintext gossip.
  const secret = await readSecret(cluster);
  const changed = await ensureArpSettings(cluster.interfaces);
  if (changed.length > 0) logger.info({ changed }, 'set ARP sysctls so the kernel never answers for a VIP');
  // Routes a killed earlier run left behind would make this host accept VIPs it does not own.
  await flushLocalRoutes();
  // Loaded here, not at the top: flag and FILE errors never load the native addon or a worker.
  const { DataPlane } = await import('../l2/index.js');
  const { Membership } = await import('../membership/index.js');
  const dataPlane = await DataPlane.start({
    logger,
    ...(cluster.interfaces ? { onlyInterfaces: cluster.interfaces } : {}),
    onConflict: (conflict: { ip: string; mac: string; interfaceName: string }) =>
      logger.warn(
        { event: 'ipConflict', ip: conflict.ip, mac: conflict.mac, interface: conflict.interfaceName },
        'another MAC claims an IP this node announces',
      ),
  });
  const membership = await Membership.start({
    nodeName: flags.nodeName,
    bindAddress: self.address,
    port: cluster.gossipPort,
    seeds: cluster.members
      .filter((member) => member.name !== flags.nodeName)
      .map((member) => ({ address: member.address, port: cluster.gossipPort })),
    ...(secret ? { secret } : {}),
    // Only the configured members, each at its configured address (issue 12 #6, #8).
    allowedMembers: new Map(cluster.members.map((member) => [member.name, member.address])),
    logger,
  }).catch(async (error: unknown) => {
    // Without gossip there is no speaker: close the sockets so the process can exit.
    await dataPlane.stop();
    throw error;
  });
  return new StandaloneSpeaker({ nodeName: flags.nodeName, config, dataPlane, membership, logger });
}

/** Waits (bounded) until gossip sees another member, so the first election is not a lonely one. */
async function waitForPeers(
  speaker: StandaloneSpeaker,
  config: StandaloneConfig,
  logger: Logger,
): Promise<void> {
  if (config.cluster.members.length < 2) return;
  const deadline = Date.now() + STANDALONE_JOIN_WAIT_MS;
  while (speaker.liveMemberCount() < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, JOIN_POLL_MS));
  }
  const live = speaker.liveMemberCount();
  if (live < 2)
    logger.warn({ waitedMs: STANDALONE_JOIN_WAIT_MS }, 'no other member reachable yet: electing alone');
}

/**
 * Re-reads FILE on SIGHUP, restoring the running allocations first (issue 12 #10); an invalid
 * FILE keeps the running configuration (stale gauge, error log).
 */
function reloader(flags: StandaloneFlags, speaker: StandaloneSpeaker, logger: Logger): () => Promise<void> {
  return async () => {
    try {
      const config = await readStandaloneFile(flags.configPath, flags.nodeName, speaker.configuration());
      for (const warning of config.warnings) logger.warn({ file: flags.configPath }, warning);
      if (!sameGossipSettings(speaker.configuration().cluster, config.cluster)) {
        logger.warn(
          { file: flags.configPath },
          'gossip port, key file or interfaces changed: they take effect at the next restart',
        );
      }
      gauge('k8sClientConfigStaleBool').set(0);
      await speaker.replaceConfig(config);
      logger.info({ file: flags.configPath, services: config.services.length }, 'configuration reloaded');
    } catch (error) {
      gauge('k8sClientConfigStaleBool').set(1);
      logger.error(
        { file: flags.configPath, error: (error as Error).message },
        'configuration NOT reloaded: keeping the running one',
      );
    }
  };
}

function sameGossipSettings(running: ClusterSpec, next: ClusterSpec): boolean {
  return (
    running.gossipPort === next.gossipPort &&
    running.secretKeyFile === next.secretKeyFile &&
    JSON.stringify(running.interfaces) === JSON.stringify(next.interfaces)
  );
}

/**
 * Installs the signal handlers at once, so a signal during start-up never takes the default
 * action (SIGHUP would kill the process): SIGHUP before the speaker runs is logged and ignored.
 */
function installSignals(logger: Logger): {
  stopped: Promise<NodeJS.Signals>;
  onReload: (reload: () => Promise<void>) => void;
} {
  let reload: (() => Promise<void>) | undefined;
  process.on('SIGHUP', () => {
    if (reload) void reload();
    else logger.warn('SIGHUP during start-up ignored');
  });
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  return { stopped, onReload: (handler) => (reload = handler) };
}

/** Runs one standalone node until SIGTERM/SIGINT; resolves to the exit code. */
export async function runStandalone(flags: StandaloneFlags, logger: Logger): Promise<number> {
  const signals = installSignals(logger);
  const config = await readStandaloneFile(flags.configPath, flags.nodeName);
  for (const warning of config.warnings) logger.warn({ file: flags.configPath }, warning);
  const speaker = await startSpeaker(flags, config, logger);
  counter('failoverEventsTotal');
  gauge('k8sClientConfigLoadedBool').set(1);
  gauge('k8sClientConfigStaleBool').set(0);
  const readiness = new ReadinessTracker(() => speaker.readinessInputs(), logger);
  let server: Server;
  try {
    await waitForPeers(speaker, config, logger);
    await speaker.begin();
    readiness.isReady();
    server = await startMetricsServer({
      port: flags.metricsPort,
      host: flags.metricsBindAddress,
      health: { isHealthy: () => true, isReady: () => readiness.isReady() },
    });
  } catch (error) {
    // A half-started speaker must not keep announcing, nor keep the process alive.
    await speaker.withdrawAll();
    throw error;
  }
  const owned = speaker.ownedIPs();
  logger.info(
    { services: config.services.length, owned, port: flags.metricsPort },
    'standalone speaker running',
  );
  signals.onReload(reloader(flags, speaker, logger));
  const signal = await signals.stopped;
  logger.info({ signal, gracePeriodMs: flags.gracePeriodMs }, 'stopping');
  await speaker.handOver(flags.gracePeriodMs);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  logger.info('stopped');
  return 0;
}
