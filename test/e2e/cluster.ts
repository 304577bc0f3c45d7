// The end-to-end cluster as the tests see it: scripts/e2e-cluster.sh builds it (docs/testing.md);
// this file only starts and stops it and runs kubectl and helm as the admin from the control
// plane's network namespace.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPOSITORY_ROOT } from '../k8s/harness/binaries.js';

const run = promisify(execFile);
const SCRIPT = join(REPOSITORY_ROOT, 'scripts', 'e2e-cluster.sh');
const ENVIRONMENT_FILE = '/run/ferrolb-e2e/cluster.env';
const MAX_BUFFER = 64 * 1024 * 1024;

/** What `e2e-cluster.sh up` printed: kubeconfig, binaries, namespaces, image, pools. */
export interface Cluster {
  readonly kubeconfig: string;
  readonly kubectlBinary: string;
  readonly controlPlaneNetns: string;
  readonly clientNetns: string;
  readonly nodes: readonly string[];
  readonly nodeNetnsPrefix: string;
  /** The image built from the Dockerfile, name:tag. */
  readonly image: string;
  readonly imageSize: string;
  readonly pool4: string;
  readonly pool6: string;
  readonly setupSeconds: number;
}

function parseEnvironment(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1] ?? '', match[2] ?? ''] as const);
  return new Map(entries);
}

/** Runs `e2e-cluster.sh up` (sweeps a crashed run first) and returns the cluster it started. */
export async function startCluster(): Promise<Cluster> {
  const started = Date.now();
  try {
    await run(SCRIPT, ['up'], { maxBuffer: MAX_BUFFER });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`e2e-cluster.sh up failed:\n${stderr.slice(-12000)}`);
  }
  const values = parseEnvironment(readFileSync(ENVIRONMENT_FILE, 'utf8'));
  const value = (key: string) => {
    const found = values.get(key);
    if (found === undefined) throw new Error(`${ENVIRONMENT_FILE} has no ${key}`);
    return found;
  };
  return {
    kubeconfig: value('KUBECONFIG'),
    kubectlBinary: value('KUBECTL'),
    controlPlaneNetns: value('CONTROL_PLANE_NETNS'),
    clientNetns: value('CLIENT_NETNS'),
    nodes: value('NODES').split(' '),
    nodeNetnsPrefix: value('NODE_NETNS_PREFIX'),
    image: value('IMAGE'),
    imageSize: value('IMAGE_SIZE'),
    pool4: value('POOL4'),
    pool6: value('POOL6'),
    setupSeconds: (Date.now() - started) / 1000,
  };
}

/** Stops every process of the cluster and puts the host back (e2e-cluster.sh down). */
export async function stopCluster(): Promise<void> {
  await run(SCRIPT, ['down'], { maxBuffer: MAX_BUFFER });
}

/** What a power cut does to `node`: link cut, kubelet, containerd and its containers killed. */
export async function crashNode(node: string): Promise<void> {
  await run(SCRIPT, ['crash', node], { maxBuffer: MAX_BUFFER });
}

/** Tags `image` as `newImage` in every node's containerd (a new tag of the same build). */
export async function tagImage(image: string, newImage: string): Promise<void> {
  await run(SCRIPT, ['tag', image, newImage], { maxBuffer: MAX_BUFFER });
}

/** Runs `program args` in the control plane's namespace; resolves to stdout, rejects with stderr. */
async function inControlPlane(cluster: Cluster, program: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(
      'nsenter',
      [`--net=/run/netns/${cluster.controlPlaneNetns}`, '--', program, ...args],
      { maxBuffer: MAX_BUFFER, env: { ...process.env, KUBECONFIG: cluster.kubeconfig } },
    );
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${program} ${args.join(' ')} failed: ${stderr || String(error)}`);
  }
}

/** kubectl as the cluster admin. */
export function kubectl(cluster: Cluster, args: readonly string[]): Promise<string> {
  return inControlPlane(cluster, cluster.kubectlBinary, args);
}

/** helm (scripts/helm-binary.sh) as the cluster admin. */
export function helm(cluster: Cluster, binary: string, args: readonly string[]): Promise<string> {
  return inControlPlane(cluster, binary, args);
}

/** kubectl get -o json, parsed. */
export async function getJson<T>(cluster: Cluster, args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl(cluster, ['get', ...args, '-o', 'json'])) as T;
}

interface PodList {
  items: {
    metadata: { name: string };
    status?: { containerStatuses?: { name: string; restartCount: number }[] };
  }[];
}

/**
 * Writes every metallb-system container's log (and the previous run's, after a restart) to
 * /tmp/ferrolb-e2e-logs/<label>/, and returns the containers that restarted: a daemon that
 * crashed once and came back still passes a readiness wait, so the tests look at this too.
 */
export async function saveDaemonLogs(cluster: Cluster, label: string): Promise<string[]> {
  const directory = join('/tmp/ferrolb-e2e-logs', label);
  mkdirSync(directory, { recursive: true });
  const pods = await getJson<PodList>(cluster, ['pods', '-n', 'metallb-system']);
  const restarted: string[] = [];
  for (const pod of pods.items) {
    for (const container of pod.status?.containerStatuses ?? []) {
      const name = `${pod.metadata.name}/${container.name}`;
      const logs = ['logs', '-n', 'metallb-system', pod.metadata.name, '-c', container.name];
      const current = await kubectl(cluster, logs).catch((error: unknown) => String(error));
      writeFileSync(join(directory, `${pod.metadata.name}.${container.name}.log`), current);
      if (container.restartCount === 0) continue;
      restarted.push(`${name} (${container.restartCount})`);
      const previous = await kubectl(cluster, [...logs, '--previous']).catch((error: unknown) =>
        String(error),
      );
      writeFileSync(join(directory, `${pod.metadata.name}.${container.name}.previous.log`), previous);
    }
  }
  return restarted;
}
