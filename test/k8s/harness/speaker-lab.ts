// `ferrolb speaker` with its real data plane, one per node namespace of a lab (DESIGN "Real parts
// in tests"), against the real API server, gossiping with seeds found from speaker Pod objects
// (ML6). One Service `apps/web` holds VIP, with a ready endpoint on every node; arping in the
// client namespace is the oracle for who answers it.
// The API server listens on the host's loopback; node namespaces reach it through the lab bridge
// (an `api` namespace forwarding to it, api-forwarder.ts), so no address is ever added outside the
// lab's namespaces.
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiscoveryV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Lab, type LabNode } from '../../helpers/lab.js';
import { answeringMacs } from '../../helpers/lab-probes.js';
import { spawnInNs } from '../../helpers/netns.js';
import { type LabApiEndpoint, startLabApiEndpoint } from './api-forwarder.js';
import { REPOSITORY_ROOT } from './binaries.js';
import { assertCliBuilt } from './controller-process.js';
import { SYSTEM_NAMESPACE, startTestCluster, type TestCluster } from './index.js';
import { endpointSliceManifest, poolManifest, serviceManifest, userClients } from './objects.js';
import { createSpeakerPod } from './speaker-pods.js';
import { eventually } from './waiting.js';

/** The namespace of the lab's Service `web`. */
export const SPEAKER_LAB_NAMESPACE = 'apps';
/** The ingress IP of `apps/web`. */
export const SPEAKER_LAB_VIP = '203.0.113.10';
/** Every speaker's `--port` (/metrics, /healthz, /readyz), on all addresses of its namespace. */
export const SPEAKER_LAB_METRICS_PORT = 7472;
const GOSSIP_PORT = 7946;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** What the speakers run with. */
interface SpeakerSettings {
  readonly kubeconfig: string;
  readonly secretDirectory: string;
}

/** A test cluster, a lab, the Service world and one running `ferrolb speaker` per lab node. */
export class SpeakerLab {
  private readonly speakers = new Map<string, ChildProcess>();
  private settings: SpeakerSettings | undefined;
  /** The user's (kubectl's) clients. */
  readonly user: ReturnType<typeof userClients>;

  private constructor(
    readonly cluster: TestCluster,
    readonly lab: Lab,
    private readonly apiEndpoint: LabApiEndpoint,
    private readonly logDirectory: string,
  ) {
    this.user = userClients(cluster.admin);
  }

  /** Starts everything: API server, lab (namespaces named by `prefix`), objects, and the speakers. */
  static async start(options: { prefix: string; nodeCount: number }): Promise<SpeakerLab> {
    assertCliBuilt();
    const cluster = await startTestCluster();
    let lab: Lab | undefined;
    let apiEndpoint: LabApiEndpoint | undefined;
    try {
      const logDirectory = join(cluster.server.runDirectory, 'speaker-lab');
      mkdirSync(logDirectory);
      lab = Lab.create({ prefix: options.prefix, nodeCount: options.nodeCount, httpServers: false });
      apiEndpoint = startLabApiEndpoint(cluster, lab, logDirectory);
      const speakerLab = new SpeakerLab(cluster, lab, apiEndpoint, logDirectory);
      const secretDirectory = join(logDirectory, 'ml-secret');
      mkdirSync(secretDirectory);
      writeFileSync(join(secretDirectory, 'secretkey'), 'c2VjcmV0LWZvci10ZXN0cw');
      await speakerLab.createWorld();
      const settings = { kubeconfig: apiEndpoint.speakerKubeconfigPath, secretDirectory };
      speakerLab.settings = settings;
      for (const node of lab.nodes) speakerLab.startSpeaker(node, settings);
      return speakerLab;
    } catch (error) {
      lab?.destroy();
      await apiEndpoint?.stop();
      await cluster.stop();
      throw error;
    }
  }

  /** The names of the nodes whose speaker was started (running or not). */
  speakerNodes(): string[] {
    return [...this.speakers.keys()];
  }

  /** The process id of `node`'s speaker (`ip netns exec` execs it, so this is the speaker itself). */
  speakerPid(node: string): number | undefined {
    return this.speakers.get(node)?.pid;
  }

  /** The whole log of `node`'s speaker (pino JSON lines). */
  log(node: string): string {
    return readFileSync(join(this.logDirectory, `${node}.log`), 'utf8');
  }

  /** The last lines of every speaker's log, for failure messages. */
  logs(): string {
    return this.speakerNodes()
      .map((name) => `--- ${name}\n${this.log(name).split('\n').slice(-25).join('\n')}`)
      .join('\n');
  }

  /** Sends `signal` to `node`'s speaker and resolves with its exit code (null when killed by a signal). */
  async stopSpeaker(node: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.speakers.get(node);
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }

  /**
   * Starts `node`'s speaker again after stopSpeaker (a restarted speaker pod), optionally with
   * another `--ml-secret-key-path`.
   */
  restartSpeaker(node: string, secretDirectory?: string): void {
    if (!this.settings) throw new Error('the speaker lab never started its speakers');
    const settings = secretDirectory ? { ...this.settings, secretDirectory } : this.settings;
    this.startSpeaker(this.lab.node(node), settings);
  }

  /** The node named in `web`'s only ServiceL2Status (R4), or undefined while there is not exactly one. */
  async statusNode(): Promise<string | undefined> {
    const statuses = await this.user.l2StatusesFor(SPEAKER_LAB_NAMESPACE, 'web');
    const nodes = statuses.map((item) => item.status?.node ?? '');
    return nodes.length === 1 ? nodes[0] : undefined;
  }

  /**
   * The owner once the API and the wire agree: exactly one ServiceL2Status, naming a node `accept`s,
   * and arping in the client namespace hears that node's eth0 MAC and no other.
   */
  ownerAnswering(accept: (node: string) => boolean): Promise<LabNode> {
    return eventually(
      `one owner of ${SPEAKER_LAB_VIP} answering ARP alone`,
      async () => {
        const name = await this.statusNode();
        if (!name || !accept(name)) return undefined;
        const owner = this.lab.node(name);
        const macs = answeringMacs(this.lab, SPEAKER_LAB_VIP, 2);
        return macs.length === 1 && macs[0] === owner.mac.toLowerCase() ? owner : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, context: () => this.logs() },
    );
  }

  /** Stops every speaker (SIGTERM), then the lab, the API endpoint and the cluster. */
  async stop(): Promise<void> {
    for (const name of this.speakers.keys()) await this.stopSpeaker(name);
    this.lab.destroy();
    await this.apiEndpoint.stop();
    await this.cluster.stop();
  }

  private startSpeaker(node: LabNode, settings: SpeakerSettings): void {
    this.settings = settings;
    const log = createWriteStream(join(this.logDirectory, `${node.name}.log`), { flags: 'a' });
    const child = spawnInNs(
      node.namespace,
      process.execPath,
      [
        join(REPOSITORY_ROOT, 'bin', 'ferrolb.js'),
        'speaker',
        `--node-name=${node.name}`,
        `--kubeconfig=${settings.kubeconfig}`,
        `--ml-bindaddr=${node.ipv4}`,
        `--ml-bindport=${GOSSIP_PORT}`,
        `--ml-secret-key-path=${settings.secretDirectory}`,
        `--port=${SPEAKER_LAB_METRICS_PORT}`,
      ],
      { env: { ...process.env, METALLB_POD_NAME: `speaker-${node.name}` } },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.lab.track(child);
    this.speakers.set(node.name, child);
  }

  /** Nodes with their speaker Pods, pool `alpha`, L2Advertisement `all`, `apps/web` on VIP and its endpoints. */
  private async createWorld(): Promise<void> {
    const { user, lab } = this;
    await user.createNamespace(SPEAKER_LAB_NAMESPACE);
    for (const node of lab.nodes) {
      await user.core.createNode({
        body: { metadata: { name: node.name, labels: { 'kubernetes.io/hostname': node.name } } },
      });
      await createSpeakerPod(user.core, node);
    }
    await user.createPool(poolManifest('alpha', ['203.0.113.0/26']));
    await user.custom.createNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: SYSTEM_NAMESPACE,
      plural: 'l2advertisements',
      body: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'L2Advertisement',
        metadata: { name: 'all', namespace: SYSTEM_NAMESPACE },
      },
    });
    await user.createService(serviceManifest(SPEAKER_LAB_NAMESPACE, 'web'));
    await user.core.patchNamespacedServiceStatus(
      {
        namespace: SPEAKER_LAB_NAMESPACE,
        name: 'web',
        body: { status: { loadBalancer: { ingress: [{ ip: SPEAKER_LAB_VIP }] } } },
      },
      mergePatch,
    );
    await this.cluster.admin.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace: SPEAKER_LAB_NAMESPACE,
      body: endpointSliceManifest({
        name: 'web-slice',
        service: 'web',
        endpoints: lab.nodes.map((node) => ({ node: node.name, address: node.ipv4, ready: true })),
      }),
    });
  }
}
