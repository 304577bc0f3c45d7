import type { Server } from 'node:http';
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  type V1Namespace,
  type V1Service,
} from '@kubernetes/client-node';
import {
  createEventRecorder,
  ensureMemberlistSecret,
  type LeaderElection,
  loadKubeConfig,
  startLeaderElection,
  type WatchedCollection,
  watchResource,
} from '../k8s/index.js';
import { type Logger, logger as processLogger } from '../log.js';
import { counter } from '../metrics/registry.js';
import { startMetricsServer } from '../metrics/server.js';
import { createAllocationEngine } from './allocation-engine.js';
import { ConfigSource } from './config-source.js';
import { PoolReporter } from './pool-reporting.js';
import { Reconciler } from './reconciler.js';
import {
  isHandledByClass,
  isRelevantNamespaceChange,
  isRelevantPoolChange,
  isRelevantServiceChange,
} from './relevance.js';

/** `ferrolb controller` settings (DESIGN command-line contract). */
export interface ControllerFlags {
  readonly kubeconfigPath: string | undefined;
  readonly namespace: string;
  /** C11: `''` handles only Services without a class. */
  readonly loadBalancerClass: string;
  /** 0 disables /metrics, /healthz and /readyz. */
  readonly metricsPort: number;
  readonly logLevel: string | undefined;
  readonly memberlistSecretName: string;
  readonly deploymentName: string;
  /** Lease holder identity: pod name plus pid, unique per process. */
  readonly identity: string;
}

/** The Lease both replicas compete for (deploy/rbac.yaml grants get/update on this name only). */
export const CONTROLLER_LEASE_NAME = 'ferrolb-controller';

/** How often a new leader checks whether a valid configuration has arrived. */
const CONFIG_WAIT_MS = 500;

interface Watches {
  readonly services: WatchedCollection<V1Service>;
  readonly pools: WatchedCollection<KubernetesObject>;
  readonly namespaces: WatchedCollection<V1Namespace>;
}

function startWatches(
  config: KubeConfig,
  flags: ControllerFlags,
  onChange: (kind: keyof Watches, key: string) => void,
  logger: Logger,
): Watches {
  const core = config.makeApiClient(CoreV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const onError = () => counter('k8sClientUpdateErrorsTotal').inc();
  return {
    services: watchResource<V1Service>({
      config,
      path: '/api/v1/services',
      list: () => core.listServiceForAllNamespaces(),
      isRelevantChange: isRelevantServiceChange,
      onChange: (change) => onChange('services', change.key),
      logger,
      onError,
    }),
    pools: watchResource<KubernetesObject>({
      config,
      path: `/apis/metallb.io/v1beta1/namespaces/${flags.namespace}/ipaddresspools`,
      list: () =>
        custom.listNamespacedCustomObject({
          group: 'metallb.io',
          version: 'v1beta1',
          namespace: flags.namespace,
          plural: 'ipaddresspools',
        }),
      isRelevantChange: isRelevantPoolChange,
      onChange: (change) => onChange('pools', change.key),
      logger,
      onError,
    }),
    namespaces: watchResource<V1Namespace>({
      config,
      path: '/api/v1/namespaces',
      list: () => core.listNamespace(),
      isRelevantChange: isRelevantNamespaceChange,
      onChange: (change) => onChange('namespaces', change.key),
      logger,
      onError,
    }),
  };
}

/** Runs the controller until SIGTERM/SIGINT (exit 0) or lost leadership (exit 1, restart fresh). */
export async function runController(flags: ControllerFlags): Promise<number> {
  const logger = processLogger.child({ component: 'controller', identity: flags.identity });
  const signals = listenForStop();
  const config = loadKubeConfig(flags.kubeconfigPath);
  const core = config.makeApiClient(CoreV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);
  const engine = createAllocationEngine(logger);
  const configSource = new ConfigSource(flags.namespace, logger);
  const reporter = new PoolReporter(custom, () => engine.poolUsage(), logger);
  let reconciler: Reconciler | undefined;
  let synced = false;
  const refreshConfig = () => {
    if (!synced) return;
    const update = configSource.update(watches.pools.list(), watches.namespaces.list());
    if (update.kind !== 'changed') return;
    engine.setConfig(update.config);
    reconciler?.enqueueAll();
  };
  const watches = startWatches(
    config,
    flags,
    (kind, key) => (kind === 'services' ? reconciler?.enqueue(key) : refreshConfig()),
    logger,
  );
  const server = await startServer(flags, () => configSource.config() !== undefined, logger);
  const allSynced = Promise.all([watches.services.synced, watches.pools.synced, watches.namespaces.synced]);
  if ((await Promise.race([allSynced, signals.received])) === STOP) {
    // Stopped before the caches synced (API server unreachable): nothing held, nothing to hand over.
    await Promise.all([watches.services.stop(), watches.pools.stop(), watches.namespaces.stop()]);
    server?.close();
    return 0;
  }
  synced = true;
  refreshConfig();
  logger.info(
    { services: watches.services.list().length, pools: watches.pools.list().length },
    'caches synced',
  );

  return new Promise<number>((resolve) => {
    let shuttingDown = false;
    const finish = async (code: number) => {
      reconciler?.stop();
      reporter.stop();
      await Promise.all([watches.services.stop(), watches.pools.stop(), watches.namespaces.stop()]);
      server?.close();
      resolve(code);
    };
    const election: LeaderElection = startLeaderElection({
      coordination: config.makeApiClient(CoordinationV1Api),
      namespace: flags.namespace,
      name: CONTROLLER_LEASE_NAME,
      identity: flags.identity,
      logger,
      onStartedLeading: () => {
        reconciler = new Reconciler({
          core,
          services: watches.services,
          engine,
          events: createEventRecorder(core, {
            component: 'metallb-controller',
            host: flags.identity,
            logger,
          }),
          logger,
          isHandled: (service) => isHandledByClass(service, flags.loadBalancerClass),
          afterBatch: () => reporter.schedule(),
        });
        void lead(reconciler, { config, flags, configSource, logger });
      },
      onStoppedLeading: () => {
        if (shuttingDown) return;
        // Allocator state belongs to one leadership term: start over as a candidate (client-go does the same).
        logger.error('leadership lost, exiting so a fresh process rebuilds state from the API');
        void finish(1);
      },
    });
    const shutdown = async (signal: string) => {
      if (shuttingDown) return;
      shuttingDown = true;
      logger.info({ signal }, 'shutting down');
      reconciler?.stop();
      await reconciler?.idle();
      await election.release();
      await finish(0);
    };
    void signals.received.then(() => shutdown(signals.name()));
  });
}

/** SIGTERM/SIGINT, listened to from the start so an early signal still shuts down cleanly. */
const STOP = Symbol('stop');

function listenForStop(): { received: Promise<typeof STOP>; name: () => string } {
  let name = '';
  const received = new Promise<typeof STOP>((resolve) => {
    const handler = (signal: string) => {
      name = signal;
      resolve(STOP);
    };
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
  });
  return { received, name: () => name };
}

async function lead(
  reconciler: Reconciler,
  context: { config: KubeConfig; flags: ControllerFlags; configSource: ConfigSource; logger: Logger },
): Promise<void> {
  const { config, flags, logger } = context;
  try {
    const clients = { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api) };
    await ensureMemberlistSecret(clients, {
      namespace: flags.namespace,
      secretName: flags.memberlistSecretName,
      deployment: flags.deploymentName,
      logger,
    });
  } catch (error) {
    // ML3 is for the speakers' gossip; allocation must not wait for it. RBAC denials show up here.
    logger.error(
      { secret: `${flags.namespace}/${flags.memberlistSecretName}`, error: String(error) },
      'cannot ensure memberlist secret',
    );
  }
  // Never converge without pools: that would clear every Service (A2) because of a broken config.
  if (context.configSource.config() === undefined)
    logger.warn('no valid configuration loaded yet; Services wait for one');
  while (context.configSource.config() === undefined && !reconciler.isStopped()) {
    await new Promise((resolve) => setTimeout(resolve, CONFIG_WAIT_MS));
  }
  await reconciler.initialPass();
}

async function startServer(
  flags: ControllerFlags,
  isReady: () => boolean,
  logger: Logger,
): Promise<Server | undefined> {
  if (flags.metricsPort === 0) return undefined;
  const server = await startMetricsServer({
    port: flags.metricsPort,
    host: '0.0.0.0',
    health: { isHealthy: () => true, isReady },
  });
  logger.info({ port: flags.metricsPort }, 'serving /metrics, /healthz and /readyz');
  return server;
}
