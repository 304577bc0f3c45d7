import type { Server } from 'node:http';
import { describeProblem, describeRefusal } from '../config/index.js';
import { ErrorCode } from '../errors.js';
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeClient,
} from '../k8s/api/index.js';
import {
  type ConfigurationProblem,
  ConfigurationStateWriter,
  createEventRecorder,
  ensureMemberlistSecret,
  type LeaderElection,
  loadKubeConfig,
  startLeaderElection,
} from '../k8s/index.js';
import { type Logger, logger as processLogger } from '../log.js';
import { registerKubernetesClientMetrics } from '../metrics/registry.js';
import {
  EVERY_ADDRESS,
  type SecureMetricsSettings,
  startSecureMetricsServer,
} from '../metrics/secure-server.js';
import { type ListenerFlags, listenersOf, startDaemonEndpoints } from '../metrics/server.js';
import { listenForStop, STOP } from '../stop-signal.js';
import { type Admission, startAdmission, type WebhookSettings } from '../webhook/index.js';
import { createAllocationEngine } from './allocation-engine.js';
import { ConfigSource, type ConfigUpdate } from './config-source.js';
import type { AllocationEngine } from './engine.js';
import { PoolReporter } from './pool-reporting.js';
import { Reconciler } from './reconciler.js';
import { isHandledByClass } from './relevance.js';
import { startWatches, stopWatches, type Watches } from './watches.js';

/** `ferrolb controller` settings (DESIGN command-line contract). */
export interface ControllerFlags extends ListenerFlags {
  readonly kubeconfigPath: string | undefined;
  readonly namespace: string;
  /** C11: `''` handles only Services without a class. */
  readonly loadBalancerClass: string;
  readonly logLevel: string | undefined;
  readonly memberlistSecretName: string;
  readonly deploymentName: string;
  /** Lease holder identity: pod name plus pid, unique per process. */
  readonly identity: string;
  /** MetalLB's validating webhooks (W1–W5). */
  readonly webhook: WebhookSettings;
  /** MetalLB 0.16's HTTPS /metrics (M1). */
  readonly secureMetrics: SecureMetricsSettings;
}

/** The Lease both replicas compete for (deploy/rbac.yaml grants get/update on this name only). */
export const CONTROLLER_LEASE_NAME = 'ferrolb-controller';

/** How often a new leader checks whether a valid configuration has arrived. */
const CONFIG_WAIT_MS = 500;

/** Runs the controller until SIGTERM/SIGINT (exit 0). */
export async function runController(flags: ControllerFlags): Promise<number> {
  return new ControllerDaemon(flags).run();
}

/** One controller process: informers and config for every replica, a Reconciler only on the leader. */
class ControllerDaemon {
  private readonly logger: Logger;
  private readonly signals = listenForStop();
  private readonly config: KubeClient;
  /** Allocator state of the current leadership term; a new term starts from a fresh engine (C8). */
  private engine: AllocationEngine;
  private readonly configSource: ConfigSource;
  private readonly reporter: PoolReporter;
  /** R6: the leader writes whether the current pools were accepted. */
  private readonly configState: ConfigurationStateWriter;
  private configProblem: ConfigurationProblem;
  private readonly watches: Watches;
  private reconciler: Reconciler | undefined;
  private election: LeaderElection | undefined;
  private server: { close(): void } | undefined;
  private secureServer: Server | undefined;
  private admission: Admission | undefined;
  private synced = false;
  private shuttingDown = false;
  private resolveExit: (code: number) => void = () => {};

  constructor(private readonly flags: ControllerFlags) {
    this.logger = processLogger.child({ component: 'controller', identity: flags.identity });
    registerKubernetesClientMetrics();
    this.config = loadKubeConfig(flags.kubeconfigPath);
    this.engine = createAllocationEngine(this.logger);
    this.configSource = new ConfigSource(flags.namespace, this.logger);
    const custom = this.config.makeApiClient(CustomObjectsApi);
    this.reporter = new PoolReporter(custom, () => this.engine.poolUsage(), this.logger);
    this.configState = new ConfigurationStateWriter(
      custom,
      { namespace: flags.namespace, component: { type: 'controller' } },
      this.logger,
    );
    this.watches = startWatches(this.config, (kind, key) => this.onChange(kind, key), this.logger);
  }

  async run(): Promise<number> {
    this.server = await startServer(this.flags, () => this.configSource.config() !== undefined, this.logger);
    this.secureServer = await startSecureMetricsServer({
      settings: this.flags.secureMetrics,
      host: EVERY_ADDRESS,
      config: this.config,
      logger: this.logger,
    });
    this.admission = startAdmission({
      config: this.config,
      namespace: this.flags.namespace,
      settings: this.flags.webhook,
      logger: this.logger,
    });
    const { services, pools, namespaces } = this.watches;
    const allSynced = Promise.all([services.synced, pools.synced, namespaces.synced]);
    if ((await Promise.race([allSynced, this.signals.received])) === STOP) {
      // Stopped before the caches synced (API server unreachable): nothing held, nothing to hand over.
      await this.finish(0);
      return 0;
    }
    this.synced = true;
    this.refreshConfig();
    this.logger.info({ services: services.list().length, pools: pools.list().length }, 'caches synced');
    const exit = new Promise<number>((resolve) => {
      this.resolveExit = resolve;
    });
    // W5: a webhook-only replica serves admission and never allocates.
    if (this.flags.webhook.mode === 'onlywebhook') {
      void this.signals.received.then(() => this.shutdown(this.signals.name()));
      return exit;
    }
    this.election = startLeaderElection({
      coordination: this.config.makeApiClient(CoordinationV1Api),
      namespace: this.flags.namespace,
      name: CONTROLLER_LEASE_NAME,
      identity: this.flags.identity,
      logger: this.logger,
      onStartedLeading: () => this.startLeading(),
      onStoppedLeading: () => this.leadershipLost(),
    });
    void this.signals.received.then(() => this.shutdown(this.signals.name()));
    return exit;
  }

  private onChange(kind: keyof Watches, key: string): void {
    if (kind === 'services') this.reconciler?.enqueue(key);
    else this.refreshConfig();
  }

  /** C2–C4: rebuild the config from the informers; a changed config reprocesses every Service. */
  private refreshConfig(): void {
    if (!this.synced) return;
    const update = this.configSource.update(this.watches.pools.list(), this.watches.namespaces.list());
    this.configProblem = problemOf(update);
    if (this.reconciler) this.configState.report(this.configProblem);
    if (update.kind !== 'changed') return;
    this.engine.setConfig(update.config);
    this.reconciler?.enqueueAll();
  }

  private startLeading(): void {
    const core = this.config.makeApiClient(CoreV1Api);
    const { flags, logger } = this;
    this.engine = createAllocationEngine(logger);
    const current = this.configSource.config();
    if (current) this.engine.setConfig(current);
    this.reconciler = new Reconciler({
      core,
      services: this.watches.services,
      engine: this.engine,
      events: createEventRecorder(core, { component: 'metallb-controller', host: flags.identity, logger }),
      logger,
      isHandled: (service) => isHandledByClass(service, flags.loadBalancerClass),
      afterBatch: () => this.reporter.schedule(),
    });
    this.configState.report(this.configProblem);
    void lead(this.reconciler, { config: this.config, flags, configSource: this.configSource, logger });
  }

  /**
   * The renew deadline passed (API server unreachable, or another replica took over): stop writing
   * at once and stay a candidate. A new term rebuilds its state from Service status (C8), so nothing
   * from this term is trusted later. No exit: a lone replica must survive an API-server restart.
   */
  private leadershipLost(): void {
    if (this.shuttingDown) return;
    this.logger.warn('leadership lost; stopped writing, waiting to lead again');
    this.reconciler?.stop();
    this.reconciler = undefined;
  }

  private async shutdown(signal: string): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.logger.info({ signal }, 'shutting down');
    this.reconciler?.stop();
    await this.reconciler?.idle();
    await this.election?.release();
    await this.finish(0);
  }

  private async finish(code: number): Promise<void> {
    this.reconciler?.stop();
    this.reporter.stop();
    this.configState.stop();
    await stopWatches(this.watches);
    await this.admission?.stop();
    this.secureServer?.close();
    this.server?.close();
    this.resolveExit(code);
  }
}

/**
 * R6: the invalid objects of a refused pool set, one line each, then the pools ignored for their
 * namespace (MetalLB says nothing of those: ferrolb reports them, W2); undefined when all is well.
 */
function problemOf(update: ConfigUpdate): ConfigurationProblem {
  const lines = [
    ...(update.kind === 'invalid' ? [describeRefusal(update.problems)] : []),
    ...update.ignored.map(describeProblem),
  ];
  return lines.length > 0 ? lines.join('; ') : undefined;
}

async function lead(
  reconciler: Reconciler,
  context: { config: KubeClient; flags: ControllerFlags; configSource: ConfigSource; logger: Logger },
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
      {
        op: 'CreateMlSecret',
        code: ErrorCode.kubernetes,
        secret: `${flags.namespace}/${flags.memberlistSecretName}`,
        error: String(error),
      },
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

/** The plain-HTTP listeners (src/cli/endpoints.ts); the HTTPS one is started beside them. */
function startServer(flags: ControllerFlags, isReady: () => boolean, logger: Logger) {
  return startDaemonEndpoints({
    ...listenersOf(flags),
    source: { isHealthy: () => true, isReady },
    logger,
  });
}
