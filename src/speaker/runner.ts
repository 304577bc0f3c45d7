// `ferrolb speaker` wiring (I/O shell): Kubernetes client, caches, data plane, gossip, metrics
// endpoint, and the SIGTERM hand-over. Decisions live in reconcile.ts; the loop in loop.ts.
import type { Server } from 'node:http';
import { SPEAKER_GRACE_PERIOD_MS, SPEAKER_JOIN_WAIT_MS } from '../config/defaults.js';
import { CoreV1Api, CustomObjectsApi, type KubeClient } from '../k8s/api/index.js';
import {
  ConfigurationStateWriter,
  createEventRecorder,
  type EventRecorder,
  loadKubeConfig,
} from '../k8s/index.js';
import type { Logger } from '../log.js';
import { registerKubernetesClientMetrics, registerRareEventCounters } from '../metrics/registry.js';
import {
  EVERY_ADDRESS,
  type SecureMetricsSettings,
  startSecureMetricsServer,
} from '../metrics/secure-server.js';
import { type ListenerFlags, listenersOf, startDaemonEndpoints } from '../metrics/server.js';
import { listenForStop } from '../stop-signal.js';
import { refreshSeeds, startMembership } from './gossip.js';
import { healthMetadataOf } from './inputs.js';
import { SpeakerLoop } from './loop.js';
import type { ConflictReport, DataPlanePort, MembershipPort } from './ports.js';
import { ReadinessTracker } from './readiness-tracker.js';
import { MembershipTransitions } from './reassert.js';
import { findOwnPod } from './seeds.js';
import { type SpeakerWatches, startSpeakerWatches, stopWatches, watchesSynced } from './watches.js';

/** `ferrolb speaker` settings (DESIGN command-line contract, D4). */
export interface SpeakerFlags extends ListenerFlags {
  readonly nodeName: string;
  readonly kubeconfigPath: string | undefined;
  readonly namespace: string;
  /** ML1: gossip runs only with a bind address. */
  readonly memberlist?: {
    readonly bindAddress: string;
    readonly port: number;
    /** Directory holding `secretkey` (ML3); undefined runs unencrypted with a warning (ML5). */
    readonly secretKeyPath: string | undefined;
    readonly labelSelector: string;
  };
  readonly loadBalancerClass: string;
  readonly ignoreExcludeLb: boolean;
  /** MetalLB 0.16's HTTPS /metrics (M1); absent: not served. */
  readonly secureMetrics?: SecureMetricsSettings;
  readonly excludeInterfaces: readonly RegExp[];
  /** METALLB_POD_NAME: the pod that owns this speaker's ServiceL2Status objects (R4). */
  readonly podName: string | undefined;
}

interface Running {
  readonly loop: SpeakerLoop;
  readonly watches: SpeakerWatches;
  readonly dataPlane: DataPlanePort;
  readonly membership: MembershipPort | undefined;
  readonly server: { close(): void };
  readonly secureServer: Server | undefined;
  /** Gossip seeds found at start (ML6); 0 means this speaker is alone or the first one up. */
  readonly seedCount: number;
  readonly seedTimer: NodeJS.Timeout | undefined;
  /** Set once SIGTERM starts the hand-over: the next owner's announcements are then expected. */
  readonly handingOver: { active: boolean };
}

const JOIN_POLL_MS = 50;

/** DESIGN "Conflict detection": another MAC claiming an announced IP → log line and Warning Event. */
function conflictReporter(
  events: EventRecorder,
  logger: Logger,
  context: {
    servicesFor: (ip: string) => { namespace: string; name: string; uid?: string }[];
    isHandingOver: () => boolean;
  },
): (conflict: ConflictReport) => void {
  return (conflict) => {
    // While handing over (make before break) the next owner announcing our IPs is the point, not a conflict.
    const fields = {
      event: 'ipConflict',
      ip: conflict.ip,
      mac: conflict.mac,
      interface: conflict.interfaceName,
    };
    if (context.isHandingOver()) {
      logger.info(fields, 'next owner announces an IP this node is handing over');
      return;
    }
    logger.warn(fields, 'another MAC claims an IP this node announces');
    const message = `another host (MAC ${conflict.mac}) claims IP "${conflict.ip}" on interface "${conflict.interfaceName}"`;
    for (const service of context.servicesFor(conflict.ip)) {
      void events.record(
        { kind: 'Service', apiVersion: 'v1', ...service },
        { type: 'Warning', reason: 'ipConflict', message },
      );
    }
  };
}

async function ownPod(flags: SpeakerFlags, core: CoreV1Api, logger: Logger) {
  if (!flags.podName) return undefined;
  const pod = await findOwnPod(core, { namespace: flags.namespace, podName: flags.podName }).catch(
    (error: unknown) => {
      logger.warn({ pod: flags.podName, error: String(error) }, 'own pod lookup failed');
      return undefined;
    },
  );
  if (!pod) logger.warn({ pod: flags.podName }, 'own pod not found: ServiceL2Status objects get no owner');
  return pod;
}

/**
 * The plain-HTTP listeners (src/cli/endpoints.ts; HTTPS metrics start in startParts). Started before gossip, so a speaker waiting for its secret reports why it is not Ready.
 */
async function startServer(flags: SpeakerFlags, readiness: ReadinessTracker, logger: Logger) {
  registerKubernetesClientMetrics();
  registerRareEventCounters();
  return startDaemonEndpoints({
    ...listenersOf(flags),
    source: { isHealthy: () => true, isReady: () => readiness.isReady() },
    logger,
  });
}

async function startParts(flags: SpeakerFlags, config: KubeClient, logger: Logger): Promise<Running> {
  const core = config.makeApiClient(CoreV1Api);
  const events = createEventRecorder(core, { component: 'metallb-speaker', host: flags.nodeName, logger });
  let loop: SpeakerLoop | undefined;
  const handingOver = { active: false };
  const onConflict = conflictReporter(events, logger, {
    servicesFor: (ip) => loop?.servicesFor(ip) ?? [],
    isHandingOver: () => handingOver.active,
  });
  // Loaded here, not at the top: flag errors never load the native addon.
  const { DataPlane } = await import('../l2/index.js');
  const dataPlane: DataPlanePort = await DataPlane.start({
    logger,
    excludeInterfaces: flags.excludeInterfaces,
    onConflict,
  });
  logger.info({ interfaces: dataPlane.interfaceStates() }, 'data plane started');
  // Issue 11: Ready only when serving; the secret status is shared with gossip's fail-closed wait.
  const status = { secretRead: !flags.memberlist?.secretKeyPath };
  const readiness = new ReadinessTracker(
    () => ({
      secretRead: status.secretRead,
      packetSockets: dataPlane.hasHealthyInterface(),
      converged: loop?.isReady() ?? false,
    }),
    logger,
  );
  const server = await startServer(flags, readiness, logger);
  readiness.isReady();
  const metadata = { interfaces: healthMetadataOf(dataPlane.interfaceStates()) };
  const { membership, seedCount } = await startMembership(flags, { core, logger, metadata, status });
  const watches = startSpeakerWatches(config, {
    namespace: flags.namespace,
    nodeName: flags.nodeName,
    logger,
    onChange: () => loop?.scheduleApiChange(),
  });
  const settings = { ...flags, loadBalancerClass: flags.loadBalancerClass };
  loop = new SpeakerLoop({
    settings,
    watches,
    custom: config.makeApiClient(CustomObjectsApi),
    statusOwner: await ownPod(flags, core, logger),
    events,
    dataPlane,
    membership,
    configState: new ConfigurationStateWriter(
      config.makeApiClient(CustomObjectsApi),
      { namespace: flags.namespace, component: { type: 'speaker', nodeName: flags.nodeName } },
      logger,
    ),
    logger,
  });
  const transitions = new MembershipTransitions(flags.nodeName);
  membership?.on('change', () => {
    // DESIGN "Ownership is re-asserted": the loop re-elects first, then announces what it still owns.
    const { reassert, handOverExpected } = transitions.observe(membership.members());
    if (handOverExpected) dataPlane.expectHandOver();
    loop?.schedule(reassert);
  });
  dataPlane.on('interfaces', () => {
    membership?.setMetadata({ interfaces: healthMetadataOf(dataPlane.interfaceStates()) });
    loop?.schedule();
  });
  const secureServer = flags.secureMetrics
    ? await startSecureMetricsServer({ settings: flags.secureMetrics, host: EVERY_ADDRESS, config, logger })
    : undefined;
  const seedTimer = refreshSeeds(flags, { core, membership, logger });
  return { loop, watches, dataPlane, membership, server, secureServer, seedCount, seedTimer, handingOver };
}

/**
 * ML7 and issue 5 item 3, make before break: leave gossip so the next owner takes over, keep
 * answering for a grace period, then withdraw (table, series, ServiceL2Status) and stop.
 */
async function handOver(running: Running, logger: Logger): Promise<void> {
  clearInterval(running.seedTimer);
  running.handingOver.active = true;
  await running.loop.freeze();
  // A burst still running from a recent gain would pull clients back after the next owner announced.
  running.dataPlane.stopAnnouncing();
  if (running.membership) {
    logger.info(
      { op: 'shutdown', ip: running.loop.announcedIPs(), gracePeriodMs: SPEAKER_GRACE_PERIOD_MS },
      'leaving gossip: handing over',
    );
    await running.membership
      .leave()
      .catch((error: unknown) => logger.warn({ error: String(error) }, 'gossip leave failed'));
    await new Promise((resolve) => setTimeout(resolve, SPEAKER_GRACE_PERIOD_MS));
  }
  await running.loop.withdrawAll();
  await Promise.all([running.dataPlane.stop(), stopWatches(running.watches)]);
  running.server.close();
  running.secureServer?.close();
}

/**
 * With gossip, waits (bounded) until another member is live before the first election: a speaker
 * electing alone would announce every IP for an instant and poison clients' neighbour caches with
 * a MAC that withdraws a moment later (as the standalone speaker does).
 */
async function waitForPeers(running: Running, logger: Logger): Promise<void> {
  const { membership } = running;
  if (!membership || running.seedCount === 0) return;
  const deadline = Date.now() + SPEAKER_JOIN_WAIT_MS;
  while (membership.liveMembers().length < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, JOIN_POLL_MS));
  }
  if (membership.liveMembers().length < 2) {
    logger.warn(
      { waitedMs: SPEAKER_JOIN_WAIT_MS },
      'no other speaker reachable through gossip yet: electing alone',
    );
  }
}

/** Runs the speaker until SIGTERM/SIGINT; resolves to the exit code. */
export async function runSpeaker(flags: SpeakerFlags, logger: Logger): Promise<number> {
  // Listened to from the start: a signal while starting (caches syncing, peers awaited) still hands
  // over and exits 0 instead of killing the process by the signal.
  const signals = listenForStop();
  const config = loadKubeConfig(flags.kubeconfigPath);
  const running = await startParts(flags, config, logger);
  let stopping = false;
  const started = async () => {
    await watchesSynced(running.watches);
    logger.info(
      { node: flags.nodeName, namespace: flags.namespace, gossip: running.membership !== undefined },
      'caches synced, speaker running',
    );
    await waitForPeers(running, logger);
    // A hand-over that began meanwhile has frozen the loop: it stays frozen.
    if (!stopping) running.loop.begin();
  };
  await Promise.race([started(), signals.received]);
  await signals.received;
  stopping = true;
  logger.info({ signal: signals.name() }, 'shutting down');
  try {
    await handOver(running, logger);
    return 0;
  } catch (error) {
    logger.error({ error: String(error) }, 'shutdown failed');
    return 1;
  }
}
