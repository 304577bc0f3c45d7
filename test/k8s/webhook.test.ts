// MetalLB's validating webhooks (metallb-behaviour W1–W4, W7), served by a real `ferrolb controller`
// and called by the real API server: deploy/webhook.yaml is applied as shipped, the API server
// resolves metallb-webhook-service to its EndpointSlice (harness cluster-network.ts) and verifies
// the serving certificate against the caBundle the controller wrote. A denial reaches the user as
// kubectl shows it: `admission webhook "…" denied the request: <MetalLB's message>`.
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_PROCESS_POD_IP } from './harness/cluster-network.js';
import { type ControllerProcess, startControllerProcess } from './harness/controller-process.js';
import {
  applyObjects,
  readManifest,
  SYSTEM_NAMESPACE,
  startTestCluster,
  type TestCluster,
} from './harness/index.js';
import { endpointSliceManifest, poolManifest } from './harness/objects.js';
import { eventually } from './harness/waiting.js';

let cluster: TestCluster;
let controller: ControllerProcess;
let custom: CustomObjectsApi;

const POOL_WEBHOOK = 'ipaddresspoolvalidationwebhook.metallb.io';
const L2_WEBHOOK = 'l2advertisementvalidationwebhook.metallb.io';
const OTHER_NAMESPACE = 'webhook-elsewhere';

/** The EndpointSlice a controller-manager would keep for metallb-webhook-service: the controller's webhook port. */
async function publishWebhookEndpoint(port: number): Promise<void> {
  const slice = endpointSliceManifest({
    name: 'metallb-webhook-service-test',
    service: 'metallb-webhook-service',
    endpoints: [{ node: 'host', address: HOST_PROCESS_POD_IP, ready: true }],
    ports: [{ name: '', port, protocol: 'TCP' }],
  });
  const discovery = cluster.admin.makeApiClient(DiscoveryV1Api);
  await discovery
    .deleteNamespacedEndpointSlice({ name: slice.metadata.name, namespace: SYSTEM_NAMESPACE })
    .catch(() => {});
  await discovery.createNamespacedEndpointSlice({ namespace: SYSTEM_NAMESPACE, body: slice });
}

function resource(kind: 'ipaddresspools' | 'l2advertisements', namespace = SYSTEM_NAMESPACE) {
  return { group: 'metallb.io', version: 'v1beta1', namespace, plural: kind };
}

/** Creates the object as the admin (kubectl); resolves to 'created' or the API server's message. */
async function create(
  kind: 'ipaddresspools' | 'l2advertisements',
  body: Record<string, unknown>,
): Promise<string> {
  const namespace = (body.metadata as { namespace: string }).namespace;
  return custom.createNamespacedCustomObject({ ...resource(kind, namespace), body }).then(
    () => 'created',
    (error: { body?: string }) =>
      (JSON.parse(error.body ?? '{}') as { message?: string }).message ?? String(error),
  );
}

function denied(webhook: string, message: string): string {
  return `admission webhook "${webhook}" denied the request: ${message}`;
}

function l2Advertisement(name: string, spec: Record<string, unknown> = {}, namespace = SYSTEM_NAMESPACE) {
  return { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name, namespace }, spec };
}

beforeAll(async () => {
  cluster = await startTestCluster();
  custom = cluster.admin.makeApiClient(CustomObjectsApi);
  await cluster.admin
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: OTHER_NAMESPACE } } });
  await applyObjects(cluster.admin, readManifest('webhook.yaml'));
  controller = await startControllerProcess({
    runDirectory: cluster.server.runDirectory,
    kubeconfigPath: cluster.kubeconfigPath('controller'),
    name: 'controller-webhook',
  });
  await publishWebhookEndpoint(controller.webhookPort);
  const admission = cluster.admin.makeApiClient(AdmissionregistrationV1Api);
  await eventually(
    'the controller to inject its CA and switch the webhooks to failurePolicy Fail',
    async () => {
      const configuration = await admission.readValidatingWebhookConfiguration({
        name: 'metallb-webhook-configuration',
      });
      const ready = configuration.webhooks?.every(
        (webhook) => webhook.clientConfig.caBundle && webhook.failurePolicy === 'Fail',
      );
      return ready ? true : undefined;
    },
    { timeoutMs: 120_000, context: () => controller.log() },
  );
});

afterAll(async () => {
  await controller?.stop();
  await cluster?.stop();
});

describe('validating webhooks through the real API server', () => {
  it('W4: the controller fills Secret metallb-webhook-cert and the caBundle is its CA', async () => {
    const secret = await cluster.admin
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: 'metallb-webhook-cert', namespace: SYSTEM_NAMESPACE });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    const configuration = await cluster.admin
      .makeApiClient(AdmissionregistrationV1Api)
      .readValidatingWebhookConfiguration({ name: 'metallb-webhook-configuration' });
    for (const webhook of configuration.webhooks ?? [])
      expect(webhook.clientConfig.caBundle).toBe(secret.data?.['ca.crt']);
  });

  it("W2: a pool outside metallb-system is refused with MetalLB's message", async () => {
    const pool = {
      ...poolManifest('stray', ['198.51.100.0/28']),
      metadata: { name: 'stray', namespace: OTHER_NAMESPACE },
    };
    expect(await create('ipaddresspools', pool)).toBe(
      denied(POOL_WEBHOOK, 'resource must be created in metallb-system namespace'),
    );
  });

  it("V2: a pool with a bad CIDR is refused with the controller's (MetalLB's) message", async () => {
    expect(await create('ipaddresspools', poolManifest('bad', ['198.51.100.0/33']))).toBe(
      denied(
        POOL_WEBHOOK,
        'parsing address pool bad: invalid CIDR "198.51.100.0/33" in pool "bad": invalid CIDR "198.51.100.0/33"',
      ),
    );
  });

  it('V8, W7: an overlapping pool is refused, the new pool named as MetalLB names it (the live list, then the new one)', async () => {
    expect(await create('ipaddresspools', poolManifest('z-first', ['198.51.100.0/24']))).toBe('created');
    expect(await create('ipaddresspools', poolManifest('a-second', ['198.51.100.128/25']))).toBe(
      denied(
        POOL_WEBHOOK,
        'CIDR "198.51.100.128/25" in pool "a-second" overlaps with already defined CIDR "198.51.100.0/24"',
      ),
    );
  });

  it('W1: an update is validated too (an invalid edit of a live pool is refused, the pool unchanged)', async () => {
    const pools = resource('ipaddresspools');
    const live = (await custom.getNamespacedCustomObject({ ...pools, name: 'z-first' })) as {
      spec: { addresses: string[] };
    };
    const edit = { ...live, spec: { ...live.spec, addresses: ['198.51.100.0-198.51.100'] } };
    const message = await custom
      .replaceNamespacedCustomObject({ ...pools, name: 'z-first', body: edit })
      .then(
        () => 'replaced',
        (error: { body?: string }) => (JSON.parse(error.body ?? '{}') as { message?: string }).message,
      );
    expect(message).toBe(
      denied(
        POOL_WEBHOOK,
        'parsing address pool z-first: invalid CIDR "198.51.100.0-198.51.100" in pool "z-first": invalid IP range "198.51.100.0-198.51.100": invalid end IP "198.51.100"',
      ),
    );
    const after = (await custom.getNamespacedCustomObject({ ...pools, name: 'z-first' })) as {
      spec: { addresses: string[] };
    };
    expect(after.spec.addresses).toEqual(['198.51.100.0/24']);
  });

  it('W2, V9: L2Advertisements are validated: wrong namespace and duplicate pool names refused, a valid one created', async () => {
    expect(await create('l2advertisements', l2Advertisement('stray', {}, OTHER_NAMESPACE))).toBe(
      denied(L2_WEBHOOK, 'resource must be created in metallb-system namespace'),
    );
    expect(
      await create('l2advertisements', l2Advertisement('twice', { ipAddressPools: ['z-first', 'z-first'] })),
    ).toBe(denied(L2_WEBHOOK, 'duplicate definition of ipAddressPools "z-first"'));
    expect(await create('l2advertisements', l2Advertisement('fine', { ipAddressPools: ['z-first'] }))).toBe(
      'created',
    );
  });

  it('W1: with failurePolicy Fail and the controller down, a pool is refused rather than let through unvalidated', async () => {
    await controller.stop();
    const message = await create('ipaddresspools', poolManifest('unchecked', ['203.0.113.0/28']));
    expect(message).toContain(`failed calling webhook "${POOL_WEBHOOK}"`);
    controller = await startControllerProcess({
      runDirectory: cluster.server.runDirectory,
      kubeconfigPath: cluster.kubeconfigPath('controller'),
      name: 'controller-webhook-2',
    });
    await publishWebhookEndpoint(controller.webhookPort);
    const created = await eventually(
      'the restarted controller to admit a valid pool',
      async () => {
        const outcome = await create('ipaddresspools', poolManifest('unchecked', ['203.0.113.0/28']));
        return outcome === 'created' ? outcome : undefined;
      },
      { timeoutMs: 60_000, context: () => controller.log() },
    );
    expect(created).toBe('created');
  });
});
