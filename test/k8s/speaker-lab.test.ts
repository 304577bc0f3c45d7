// `ferrolb speaker` with its real data plane, one per node namespace of the lab (DESIGN "Real parts
// in tests"), against the real API server, gossiping with seeds found from speaker Pod objects
// (ML6). arping in the client namespace is the oracle for who answers the VIP.
// The API server listens on the host's loopback; node namespaces reach it through the lab bridge
// (an `api` namespace forwarding to it, harness/api-forwarder.ts), so no address is ever added
// outside the lab's namespaces.
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiscoveryV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, type LabNode } from '../helpers/lab.js';
import { answeringMacs } from '../helpers/lab-probes.js';
import { spawnInNs } from '../helpers/netns.js';
import { type LabApiEndpoint, startLabApiEndpoint } from './harness/api-forwarder.js';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { assertCliBuilt } from './harness/controller-process.js';
import { SYSTEM_NAMESPACE, startTestCluster, type TestCluster } from './harness/index.js';
import { poolManifest, serviceManifest, userClients } from './harness/objects.js';
import { createSpeakerPod } from './harness/speaker-pods.js';
import { eventually } from './harness/waiting.js';

const NAMESPACE = 'apps';
const VIP = '203.0.113.10';
const GOSSIP_PORT = 7946;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let cluster: TestCluster;
let lab: Lab;
let user: ReturnType<typeof userClients>;
let apiEndpoint: LabApiEndpoint | undefined;
let logDirectory: string;
const speakers = new Map<string, ChildProcess>();

function logs(): string {
  return [...speakers.keys()]
    .map(
      (name) =>
        `--- ${name}\n${readFileSync(join(logDirectory, `${name}.log`), 'utf8')
          .split('\n')
          .slice(-25)
          .join('\n')}`,
    )
    .join('\n');
}

function startSpeaker(node: LabNode, settings: { kubeconfig: string; secretDirectory: string }): void {
  const log = createWriteStream(join(logDirectory, `${node.name}.log`), { flags: 'a' });
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
      '--port=7472',
    ],
    { env: { ...process.env, METALLB_POD_NAME: `speaker-${node.name}` } },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  lab.track(child);
  speakers.set(node.name, child);
}

async function stopSpeaker(name: string): Promise<number | null> {
  const child = speakers.get(name);
  if (!child || child.exitCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

/** The node named in the Service's only ServiceL2Status (R4), or undefined while there is not exactly one. */
async function statusNode(): Promise<string | undefined> {
  const list = (await user.custom.listNamespacedCustomObject({
    group: 'metallb.io',
    version: 'v1beta1',
    namespace: SYSTEM_NAMESPACE,
    plural: 'servicel2statuses',
  })) as { items: { status?: { node?: string; serviceName?: string } }[] };
  const nodes = list.items
    .filter((item) => item.status?.serviceName === 'web')
    .map((item) => item.status?.node ?? '');
  return nodes.length === 1 ? nodes[0] : undefined;
}

/**
 * The owner once the API and the wire agree: exactly one ServiceL2Status, naming a node `accept`s,
 * and arping in the client namespace hears that node's eth0 MAC and no other.
 */
async function ownerAnswering(accept: (node: string) => boolean): Promise<LabNode> {
  return eventually(
    `one owner of ${VIP} answering ARP alone`,
    async () => {
      const name = await statusNode();
      if (!name || !accept(name)) return undefined;
      const owner = lab.node(name);
      const macs = answeringMacs(lab, VIP, 2);
      return macs.length === 1 && macs[0] === owner.mac.toLowerCase() ? owner : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, context: logs },
  );
}

async function createWorld(): Promise<void> {
  await user.createNamespace(NAMESPACE);
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
  await user.createService(serviceManifest(NAMESPACE, 'web'));
  await user.core.patchNamespacedServiceStatus(
    { namespace: NAMESPACE, name: 'web', body: { status: { loadBalancer: { ingress: [{ ip: VIP }] } } } },
    mergePatch,
  );
  await cluster.admin.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
    namespace: NAMESPACE,
    body: {
      metadata: { name: 'web-slice', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: lab.nodes.map((node) => ({
        addresses: [node.ipv4],
        nodeName: node.name,
        conditions: { ready: true },
      })),
      ports: [{ port: 80, protocol: 'TCP' }],
    },
  });
}

beforeAll(async () => {
  assertCliBuilt();
  cluster = await startTestCluster();
  user = userClients(cluster.admin);
  logDirectory = join(cluster.server.runDirectory, 'speaker-lab');
  mkdirSync(logDirectory);
  lab = Lab.create({ prefix: 'flbspk', nodeCount: 3, httpServers: false });
  apiEndpoint = startLabApiEndpoint(cluster, lab, logDirectory);
  const secretDirectory = join(logDirectory, 'ml-secret');
  mkdirSync(secretDirectory);
  writeFileSync(join(secretDirectory, 'secretkey'), 'c2VjcmV0LWZvci10ZXN0cw');
  const kubeconfig = apiEndpoint.speakerKubeconfigPath;
  await createWorld();
  for (const node of lab.nodes) startSpeaker(node, { kubeconfig, secretDirectory });
});

afterAll(async () => {
  for (const name of speakers.keys()) await stopSpeaker(name);
  lab?.destroy();
  await apiEndpoint?.stop();
  await cluster?.stop();
});

describe('ferrolb speaker in a network-namespace lab', () => {
  it('L10/R4: the elected node answers ARP for the VIP with its eth0 MAC, and no other node does', async () => {
    const owner = await ownerAnswering(() => true);
    const list = (await user.custom.listNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: SYSTEM_NAMESPACE,
      plural: 'servicel2statuses',
    })) as { items: { metadata: { ownerReferences?: { kind: string; name: string }[] } }[] };
    // R4: the owning speaker's pod owns the object, so deleting that pod garbage-collects it.
    expect(
      list.items.map((item) =>
        item.metadata.ownerReferences?.map((reference) => [reference.kind, reference.name]),
      ),
    ).toEqual([[['Pod', `speaker-${owner.name}`]]]);
  });

  it('ML7/issue 5: SIGTERM of the owner hands over: another node answers and holds the ServiceL2Status', async () => {
    const before = await ownerAnswering(() => true);
    expect(await stopSpeaker(before.name)).toBe(0);
    const after = await ownerAnswering((node) => node !== before.name);
    expect(after.mac).not.toBe(before.mac);
  });

  it('DESIGN conflict detection: a host claiming the VIP with another MAC raises a Warning Event on the Service', async () => {
    const owner = await ownerAnswering(() => true);
    // The client squats on the VIP: gratuitous ARP with the VIP as sender and the client's own MAC.
    await eventually(
      'ipConflict Event',
      async () => {
        lab.inClient('arping', ['-i', 'eth0', '-U', '-S', VIP, '-c', '1', '-w', '1', VIP]);
        const events = await user.serviceEvents(NAMESPACE, 'web');
        const found = events.find((event) => event.reason === 'ipConflict');
        return found ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, context: logs },
    ).then((event) => {
      expect(event.type).toBe('Warning');
      expect(event.source?.host).toBe(owner.name);
      expect(event.message).toContain(`claims IP "${VIP}" on interface "eth0"`);
    });
  });

  it('DESIGN real parts: with every speaker stopped nothing answers for the VIP (the kernel never does)', async () => {
    for (const name of speakers.keys()) expect(await stopSpeaker(name)).toBe(0);
    expect(answeringMacs(lab, VIP, 2)).toEqual([]);
  });
});
