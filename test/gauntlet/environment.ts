// Everything the gauntlet runs on: a real kube-apiserver + etcd (test/k8s/harness), a namespace lab
// of three nodes and a client (test/helpers/lab.ts), two controller replicas on the host and a
// speaker in each node namespace. As in test/k8s/speaker-lab.test.ts, node namespaces reach the
// API server through the lab bridge (harness/api-forwarder.ts), so a cut link also cuts a node's
// API access, and no address is added outside the lab's namespaces.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Lab, sweepLab } from '../helpers/lab.js';
import { sh, spawnInNs } from '../helpers/netns.js';
import { startLabApiEndpoint } from '../k8s/harness/api-forwarder.js';
import { REPOSITORY_ROOT } from '../k8s/harness/binaries.js';
import { assertCliBuilt } from '../k8s/harness/controller-process.js';
import { startTestCluster, type TestCluster } from '../k8s/harness/index.js';
import { userClients } from '../k8s/harness/objects.js';
import { freePort } from '../k8s/harness/processes.js';
import { createSpeakerPod } from '../k8s/harness/speaker-pods.js';
import { Daemon } from './daemons.js';
import { runInNamespace } from './probes.js';

export const GOSSIP_PORT = 7946;
export const SPEAKER_METRICS_PORT = 7472;
const CLI = join(REPOSITORY_ROOT, 'bin', 'ferrolb.js');
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Lab namespaces are `flbg<pid>-*`: a gauntlet started elsewhere (another `make test`) must not
 * sweep a running one, as a shared fixed prefix would; labs whose process died are swept.
 */
const LAB_PREFIX = 'flbg';
/** The outage trio's lab (outage-lab.ts) is `flbg<pid>s-*`. */
const TRIO_SUFFIX = 's';

/** The namespace prefix of this process's outage trio. */
export function trioLabPrefix(): string {
  return `${LAB_PREFIX}${process.pid}${TRIO_SUFFIX}`;
}

function sweepAbandonedLabs(): void {
  const owners = new Set(
    sh('ip', ['netns', 'list'])
      .split('\n')
      .map((line) => line.match(new RegExp(`^${LAB_PREFIX}(\\d+)${TRIO_SUFFIX}?-`))?.[1])
      .filter((pid): pid is string => pid !== undefined),
  );
  for (const pid of owners) {
    if (existsSync(`/proc/${pid}`)) continue;
    sweepLab(`${LAB_PREFIX}${pid}`);
    sweepLab(`${LAB_PREFIX}${pid}${TRIO_SUFFIX}`);
  }
}

/** Daemon logs of every run stay here for post-mortems (the report prints the path). */
export const LOG_ROOT = '/tmp/ferrolb-gauntlet';

/** The running gauntlet environment. */
export interface Environment {
  readonly cluster: TestCluster;
  readonly lab: Lab;
  readonly user: ReturnType<typeof userClients>;
  readonly controllers: readonly Daemon[];
  readonly speakers: ReadonlyMap<string, Daemon>;
  readonly controllerPorts: ReadonlyMap<string, number>;
  readonly logDirectory: string;
  readonly secretDirectory: string;
  destroy(): Promise<void>;
}

/** ML6: the speaker Pods a kubelet would report, so speakers find gossip seeds. */
async function createSpeakerPods(user: ReturnType<typeof userClients>, lab: Lab): Promise<void> {
  for (const node of lab.nodes) await createSpeakerPod(user.core, node);
}

function pipeTo(log: NodeJS.WritableStream, child: ReturnType<typeof spawn>) {
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  return child;
}

type DaemonHooks = { logDirectory: string; onCrash: (daemon: Daemon, detail: string) => void };

/** The two controller replicas (not started), each with its metrics port. */
async function controllerDaemons(cluster: TestCluster, hooks: DaemonHooks) {
  const controllerPorts = new Map<string, number>();
  const ready = async (daemon: Daemon) => {
    const response = await fetch(`http://127.0.0.1:${controllerPorts.get(daemon.name)}/healthz`).catch(
      () => undefined,
    );
    return response?.status === 200;
  };
  const controllers: Daemon[] = [];
  for (const name of ['controller-1', 'controller-2']) {
    const port = await freePort();
    controllerPorts.set(name, port);
    const args = [
      CLI,
      'controller',
      `--kubeconfig=${cluster.kubeconfigPath('controller')}`,
      `--port=${port}`,
      // Two replicas on one host: each needs its own HTTPS metrics and webhook port; probes use --port.
      `--secure-metrics-port=${await freePort()}`,
      '--health-probe-port=0',
      `--webhook-port=${await freePort()}`,
    ];
    const env = { ...process.env, METALLB_POD_NAME: name, FERROLB_LOG_LEVEL: 'info' };
    const launch = (log: NodeJS.WritableStream) =>
      pipeTo(log, spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env }));
    controllers.push(new Daemon(name, launch, { ...hooks, ready }));
  }
  return { controllers, controllerPorts };
}

/** One speaker per lab node (not started), gossiping on the node's address. */
function speakerDaemons(
  context: { lab: Lab; kubeconfig: string; secretDirectory: string },
  hooks: DaemonHooks,
): Map<string, Daemon> {
  const { lab, kubeconfig, secretDirectory } = context;
  const speakers = new Map<string, Daemon>();
  for (const node of lab.nodes) {
    const args = [
      CLI,
      'speaker',
      `--node-name=${node.name}`,
      `--kubeconfig=${kubeconfig}`,
      `--ml-bindaddr=${node.ipv4}`,
      `--ml-bindport=${GOSSIP_PORT}`,
      `--ml-secret-key-path=${secretDirectory}`,
      `--port=${SPEAKER_METRICS_PORT}`,
    ];
    const launch = (log: NodeJS.WritableStream) =>
      pipeTo(log, lab.track(spawnInNs(node.namespace, process.execPath, args)));
    const readyz = ['-s', '-f', '-m', '2', `http://127.0.0.1:${SPEAKER_METRICS_PORT}/readyz`];
    const ready = async () =>
      (await runInNamespace(node.namespace, 'curl', { args: readyz, timeoutMs: 5_000 })).status === 0;
    speakers.set(node.name, new Daemon(`speaker-${node.name}`, launch, { ...hooks, ready }));
  }
  return speakers;
}

/** Builds the daemons (not started) for `lab` and `cluster`. */
async function makeDaemons(
  context: {
    cluster: TestCluster;
    lab: Lab;
    kubeconfig: string;
    logDirectory: string;
    secretDirectory: string;
  },
  onCrash: (daemon: Daemon, detail: string) => void,
) {
  const hooks = { logDirectory: context.logDirectory, onCrash };
  return { ...(await controllerDaemons(context.cluster, hooks)), speakers: speakerDaemons(context, hooks) };
}

/** Starts the API server, the lab and the forwarders; daemons are built but not started. */
export async function createEnvironment(
  onCrash: (daemon: Daemon, detail: string) => void,
): Promise<Environment> {
  assertCliBuilt();
  const cluster = await startTestCluster();
  // Outside the harness run directory (removed at stop), so daemon logs survive a failed run.
  const logDirectory = join(LOG_ROOT, `run-${process.pid}-${Date.now()}`);
  mkdirSync(logDirectory, { recursive: true });
  sweepAbandonedLabs();
  const lab = Lab.create({ prefix: `${LAB_PREFIX}${process.pid}`, nodeCount: 3, httpServers: false });
  const apiEndpoint = startLabApiEndpoint(cluster, lab, logDirectory);
  const secretDirectory = join(logDirectory, 'ml-secret');
  mkdirSync(secretDirectory);
  writeFileSync(join(secretDirectory, 'secretkey'), 'Z2F1bnRsZXQtc2VjcmV0LWtleQ');
  const user = userClients(cluster.admin);
  await createSpeakerPods(user, lab);
  const kubeconfig = apiEndpoint.speakerKubeconfigPath;
  const daemons = await makeDaemons({ cluster, lab, kubeconfig, logDirectory, secretDirectory }, onCrash);
  return {
    cluster,
    lab,
    user,
    ...daemons,
    logDirectory,
    secretDirectory,
    destroy: async () => {
      for (const daemon of [...daemons.speakers.values(), ...daemons.controllers])
        await daemon.stop('SIGTERM');
      lab.destroy();
      await apiEndpoint.stop();
      await cluster.stop();
    },
  };
}
