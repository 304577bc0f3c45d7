// `ferrolb speaker` as real child processes (three "nodes") against the real API server, each with
// the speaker ServiceAccount token (deploy/ RBAC). The test plays the controller (it writes ingress)
// and the controller-manager (Nodes, EndpointSlices). Ownership is observed as users observe it:
// ServiceL2Status objects and metallb_speaker_announced on each speaker's /metrics.
// Safety: the speakers run on the host, so their data plane is given an exclusion list matching
// every interface (MetalLB's excludel2 format); beforeAll checks that none was selected, so nothing
// is ever answered on the host's uplink.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CoreV1Api,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCLUDE_LB_LABEL, OUT_OF_SERVICE_TAINT } from '../../src/config/annotations.js';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { assertCliBuilt } from './harness/controller-process.js';
import { SYSTEM_NAMESPACE, startTestCluster, type TestCluster } from './harness/index.js';
import { endpointSliceManifest, poolManifest, serviceManifest, userClients } from './harness/objects.js';
import { freePort, type ManagedProcess, startProcess, stopProcess, tailLog } from './harness/processes.js';
import { eventually } from './harness/waiting.js';

const NODES = ['node-a', 'node-b', 'node-c'] as const;
type NodeName = (typeof NODES)[number];
const NAMESPACE = 'apps';

interface Speaker {
  readonly node: NodeName;
  readonly process: ManagedProcess;
  readonly metricsPort: number;
}

let cluster: TestCluster;
let user: ReturnType<typeof userClients>;
let discovery: DiscoveryV1Api;
const speakers = new Map<NodeName, Speaker>();
let nextOctet = 1;

const metallb = { group: 'metallb.io', version: 'v1beta1', namespace: SYSTEM_NAMESPACE };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function startSpeaker(node: NodeName, excludeFile: string): Promise<Speaker> {
  const metricsPort = await freePort();
  const process_ = startProcess(cluster.server.runDirectory, `speaker-${node}`, {
    binary: process.execPath,
    args: [
      join(REPOSITORY_ROOT, 'bin', 'ferrolb.js'),
      'speaker',
      `--node-name=${node}`,
      `--kubeconfig=${cluster.kubeconfigPath('speaker')}`,
      `--port=${metricsPort}`,
      `--exclude-l2-config=${excludeFile}`,
      // Three speakers share the host: HTTPS metrics (test/k8s/secure-metrics-speaker.test.ts) and
      // the 17472 probe port (test/k8s/metallb-args.test.ts) off.
      '--secure-metrics-port=0',
      '--health-probe-port=0',
    ],
    env: { ...process.env, FERROLB_LOG_LEVEL: 'debug', METALLB_ML_BIND_ADDR: '' },
  });
  return { node, process: process_, metricsPort };
}

function logs(): string {
  return [...speakers.values()]
    .map((speaker) => `--- ${speaker.node}\n${tailLog(speaker.process, 30)}`)
    .join('\n');
}

async function metrics(speaker: Speaker): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${speaker.metricsPort}/metrics`);
  return response.text();
}

/** Nodes whose /metrics has `metallb_speaker_announced{...service="apps/<name>"...} 1`. */
async function announcingNodes(name: string): Promise<NodeName[]> {
  const found: NodeName[] = [];
  for (const speaker of speakers.values()) {
    const lines = (await metrics(speaker))
      .split('\n')
      .filter((line) => line.startsWith('metallb_speaker_announced{'));
    if (lines.some((line) => line.includes(`service="${NAMESPACE}/${name}"`) && line.endsWith(' 1')))
      found.push(speaker.node);
  }
  return found;
}

/**
 * The single owner once ServiceL2Status and /metrics agree on exactly one node (R4, M4), and the
 * status carries MetalLB's labels; `accept` narrows which owner is awaited.
 */
async function ownerOf(name: string, accept: (owner: NodeName) => boolean = () => true): Promise<NodeName> {
  return eventually(
    `one owner of ${NAMESPACE}/${name}`,
    async () => {
      const statuses = await user.l2StatusesFor(NAMESPACE, name);
      const announcing = await announcingNodes(name);
      const [status] = statuses;
      if (
        !status ||
        statuses.length !== 1 ||
        announcing.length !== 1 ||
        status.status?.node !== announcing[0]
      )
        return undefined;
      const owner = announcing[0] as NodeName;
      if (!accept(owner)) return undefined;
      expect(status.metadata.labels).toEqual({
        'metallb.io/node': owner,
        'metallb.io/service-name': name,
        'metallb.io/service-namespace': NAMESPACE,
      });
      expect(status.metadata.name).toMatch(/^l2-/);
      return owner;
    },
    { timeoutMs: 60_000, context: logs },
  );
}

async function nobodyAnnounces(name: string): Promise<void> {
  await eventually(
    `nobody announcing ${NAMESPACE}/${name}`,
    async () =>
      (await user.l2StatusesFor(NAMESPACE, name)).length === 0 && (await announcingNodes(name)).length === 0
        ? true
        : undefined,
    { timeoutMs: 60_000, context: logs },
  );
}

/** A LoadBalancer Service holding a fresh 203.0.113.x (written as the controller would), with endpoints. */
async function createService(
  name: string,
  options: { local?: boolean; ip?: string; endpoints: { node: NodeName; ready: boolean }[] },
): Promise<string> {
  const ip = options.ip ?? `203.0.113.${nextOctet++}`;
  const spec = options.local ? { externalTrafficPolicy: 'Local' } : {};
  await user.createService(serviceManifest(NAMESPACE, name, { spec }));
  await user.core.patchNamespacedServiceStatus(
    { namespace: NAMESPACE, name, body: { status: { loadBalancer: { ingress: [{ ip }] } } } },
    mergePatch,
  );
  await setEndpoints(name, options.endpoints);
  return ip;
}

async function setEndpoints(name: string, endpoints: { node: NodeName; ready: boolean }[]): Promise<void> {
  const body = endpointSliceManifest({
    name: `${name}-slice`,
    namespace: NAMESPACE,
    service: name,
    endpoints: endpoints.map(({ node, ready }, index) => ({
      node,
      ready,
      address: `198.51.100.${200 + index}`,
    })),
  });
  try {
    await discovery.replaceNamespacedEndpointSlice({ namespace: NAMESPACE, name: body.metadata.name, body });
  } catch {
    await discovery.createNamespacedEndpointSlice({ namespace: NAMESPACE, body });
  }
}

async function patchNode(node: NodeName, patch: (current: V1Node) => V1Node): Promise<void> {
  const core = cluster.admin.makeApiClient(CoreV1Api);
  const current = await core.readNode({ name: node });
  await core.replaceNode({ name: node, body: patch(current) });
}

beforeAll(async () => {
  assertCliBuilt();
  cluster = await startTestCluster();
  user = userClients(cluster.admin);
  discovery = cluster.admin.makeApiClient(DiscoveryV1Api);
  await user.createNamespace(NAMESPACE);
  for (const node of NODES)
    await user.core.createNode({
      body: { metadata: { name: node, labels: { 'kubernetes.io/hostname': node } } },
    });
  await user.createPool(poolManifest('alpha', ['203.0.113.0/26']));
  await user.custom.createNamespacedCustomObject({
    ...metallb,
    plural: 'l2advertisements',
    body: {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'all', namespace: SYSTEM_NAMESPACE },
      spec: {},
    },
  });
  const excludeFile = join(cluster.server.runDirectory, 'excludel2.yaml');
  writeFileSync(excludeFile, 'announcedInterfacesToExclude: [".*"]\n');
  for (const node of NODES) speakers.set(node, await startSpeaker(node, excludeFile));
  for (const speaker of speakers.values()) {
    const started = await eventually(
      `${speaker.node} data plane`,
      () => {
        const line = tailLog(speaker.process, 200)
          .split('\n')
          .find((text) => text.includes('data plane started'));
        return line;
      },
      { timeoutMs: 60_000, context: logs },
    );
    // Never answer on the host: every interface must have been excluded.
    expect(started).not.toContain('"usable":true');
    // Issue 11, readiness means serving: with every interface excluded nothing can be answered,
    // so the speaker converges (its first election applied) but is never Ready.
    await eventually(
      `${speaker.node} converged, not Ready for want of a packet socket alone`,
      async () => {
        const response = await fetch(`http://127.0.0.1:${speaker.metricsPort}/readyz`).catch(() => undefined);
        const converged = tailLog(speaker.process, 400).includes('speaker not Ready: noPacketSocket"');
        return response?.status === 503 && converged ? true : undefined;
      },
      { timeoutMs: 60_000, context: logs },
    );
  }
});

afterAll(async () => {
  for (const speaker of speakers.values()) await stopProcess(speaker.process, 15_000);
  await cluster?.stop();
});

describe('ferrolb speaker on a real API server', () => {
  it('R4/M4/EV11: one node owns a Cluster-policy Service: one ServiceL2Status, one series, a nodeAssigned Event', async () => {
    await createService('web', { endpoints: NODES.map((node) => ({ node, ready: true })) });
    const owner = await ownerOf('web');
    const events = await eventually(
      'nodeAssigned Event',
      async () => {
        const found = (await user.serviceEvents(NAMESPACE, 'web')).filter(
          (event) => event.reason === 'nodeAssigned',
        );
        return found.length > 0 ? found : undefined;
      },
      { context: logs },
    );
    expect(events.map((event) => [event.type, event.message, event.source?.component])).toEqual([
      ['Normal', `announcing from node "${owner}" with protocol "layer2"`, 'metallb-speaker'],
    ]);
  });

  it('E6/Q16: with externalTrafficPolicy Local ownership follows endpoint readiness, and the old series is deleted', async () => {
    await createService('local', {
      local: true,
      endpoints: [
        { node: 'node-a', ready: true },
        { node: 'node-b', ready: false },
      ],
    });
    expect(await ownerOf('local')).toBe('node-a');
    await setEndpoints('local', [
      { node: 'node-a', ready: false },
      { node: 'node-b', ready: true },
    ]);
    expect(await ownerOf('local', (owner) => owner === 'node-b')).toBe('node-b');
    await setEndpoints('local', [
      { node: 'node-a', ready: false },
      { node: 'node-b', ready: false },
    ]);
    await nobodyAnnounces('local');
  });

  it('E5/E11: the exclude label moves ownership away, and removing it moves it back (stateless hash)', async () => {
    await createService('labelled', { endpoints: NODES.map((node) => ({ node, ready: true })) });
    const first = await ownerOf('labelled');
    await patchNode(first, (node) => ({
      ...node,
      metadata: { ...node.metadata, labels: { ...node.metadata?.labels, [EXCLUDE_LB_LABEL]: '' } },
    }));
    const second = await ownerOf('labelled', (owner) => owner !== first);
    expect(second).not.toBe(first);
    await patchNode(first, (node) => {
      const { [EXCLUDE_LB_LABEL]: _removed, ...labels } = node.metadata?.labels ?? {};
      return { ...node, metadata: { ...node.metadata, labels } };
    });
    expect(await ownerOf('labelled', (owner) => owner === first)).toBe(first);
  });

  it('DESIGN election/Q9: the out-of-service taint removes the owner (metallb#3116)', async () => {
    await createService('tainted', { endpoints: NODES.map((node) => ({ node, ready: true })) });
    const first = await ownerOf('tainted');
    await patchNode(first, (node) => ({
      ...node,
      spec: {
        ...node.spec,
        taints: [{ key: OUT_OF_SERVICE_TAINT, value: 'nodeshutdown', effect: 'NoExecute' }],
      },
    }));
    expect(await ownerOf('tainted', (owner) => owner !== first)).not.toBe(first);
    await patchNode(first, (node) => ({ ...node, spec: { ...node.spec, taints: [] } }));
    expect(await ownerOf('tainted', (owner) => owner === first)).toBe(first);
  });

  it('E12/V12: L2Advertisement nodeSelectors restrict the owner to the selected node', async () => {
    await createService('selected', { endpoints: NODES.map((node) => ({ node, ready: true })) });
    const first = await ownerOf('selected');
    const target = NODES.find((node) => node !== first) as NodeName;
    await user.custom.patchNamespacedCustomObject(
      {
        ...metallb,
        plural: 'l2advertisements',
        name: 'all',
        body: { spec: { nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': target } }] } },
      },
      mergePatch,
    );
    try {
      expect(await ownerOf('selected', (owner) => owner === target)).toBe(target);
    } finally {
      await user.custom.patchNamespacedCustomObject(
        { ...metallb, plural: 'l2advertisements', name: 'all', body: { spec: { nodeSelectors: null } } },
        mergePatch,
      );
    }
    expect(await ownerOf('selected', (owner) => owner === first)).toBe(first);
  });

  it('A37/C3/V8: an overlapping pool is refused (stale bool 1) while the announcement goes on; removing it clears the flag', async () => {
    await createService('steady', { endpoints: NODES.map((node) => ({ node, ready: true })) });
    const owner = await ownerOf('steady');
    const staleOnEverySpeaker = async (value: number) => {
      for (const speaker of speakers.values()) {
        const line = (await metrics(speaker))
          .split('\n')
          .find((text) => text.startsWith('metallb_k8s_client_config_stale_bool '));
        if (line !== `metallb_k8s_client_config_stale_bool ${value}`) return undefined;
      }
      return true;
    };
    // R6: each speaker's ConfigurationState says so, naming the pool.
    const statesOfEverySpeaker = async (result: string) => {
      const states = await Promise.all(NODES.map((node) => user.readConfigurationState(`speaker-${node}`)));
      return states.every((state) => state.status?.result === result) ? states : undefined;
    };
    await user.createPool(poolManifest('zeta', ['203.0.113.32/27']));
    await eventually('stale config on every speaker', () => staleOnEverySpeaker(1), { context: logs });
    const invalid = await eventually('Invalid on every speaker', () => statesOfEverySpeaker('Invalid'));
    NODES.forEach((node, index) => {
      expect(invalid[index]?.metadata?.labels).toEqual({
        'metallb.io/component-type': 'speaker',
        'metallb.io/node-name': node,
      });
      expect(invalid[index]?.status?.errorSummary).toMatch(
        new RegExp(`^configReconcilerValid: IPAddressPool ${SYSTEM_NAMESPACE}/zeta .*overlaps`),
      );
    });
    expect(await ownerOf('steady')).toBe(owner);
    await user.deletePool('zeta');
    await eventually('fresh config on every speaker', () => staleOnEverySpeaker(0), { context: logs });
    await eventually('Valid on every speaker', () => statesOfEverySpeaker('Valid'));
  });

  it('L13/EV12/Q10: when none of the listed interfaces exists on the owner: announceFailed, no status, no series', async () => {
    const advertisements = { ...metallb, plural: 'l2advertisements' };
    await user.custom.patchNamespacedCustomObject(
      { ...advertisements, name: 'all', body: { spec: { ipAddressPools: ['alpha'] } } },
      mergePatch,
    );
    await user.createPool(poolManifest('beta', ['203.0.113.64/28']));
    await user.custom.createNamespacedCustomObject({
      ...advertisements,
      body: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'L2Advertisement',
        metadata: { name: 'nic', namespace: SYSTEM_NAMESPACE },
        spec: { ipAddressPools: ['beta'], interfaces: ['eth9'] },
      },
    });
    await createService('nicless', {
      ip: '203.0.113.65',
      endpoints: NODES.map((node) => ({ node, ready: true })),
    });
    const failed = await eventually(
      'announceFailed Event',
      async () =>
        (await user.serviceEvents(NAMESPACE, 'nicless')).find((event) => event.reason === 'announceFailed'),
      { context: logs },
    );
    const owner = failed.source?.host ?? '';
    expect(NODES).toContain(owner);
    expect([failed.type, failed.message]).toEqual([
      'Warning',
      `the interfaces specified by LB IP "203.0.113.65" doesn't exist in assigned node "${owner}" with protocol "layer2"`,
    ]);
    // Statuses and series would be written in the same reconcile as the Event: give them time to show.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await user.l2StatusesFor(NAMESPACE, 'nicless')).toEqual([]);
    expect(await announcingNodes('nicless')).toEqual([]);
  });

  it('R4/Q16: deleting the Service removes its ServiceL2Status and series', async () => {
    await createService('doomed', { endpoints: NODES.map((node) => ({ node, ready: true })) });
    await ownerOf('doomed');
    await user.core.deleteNamespacedService({ namespace: NAMESPACE, name: 'doomed' });
    await nobodyAnnounces('doomed');
  });
});
