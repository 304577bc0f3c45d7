// A pool outside metallb-system that got past admission (webhooks off, or created before they were
// registered) is never used (W2, C2) and, unlike in MetalLB, not silent: the controller's
// ConfigurationState turns Invalid naming it, and its log says so once (issue 13 item 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControllerProcess, startControllerProcess } from './harness/controller-process.js';
import { startTestCluster, type TestCluster } from './harness/index.js';
import { ingressOf, poolManifest, serviceManifest, userClients } from './harness/objects.js';
import { eventually } from './harness/waiting.js';

const STRAY_NAMESPACE = 'webhook-stray';
const STRAY_MESSAGE = `IPAddressPool ${STRAY_NAMESPACE}/stray: not in namespace metallb-system, ignored`;

let cluster: TestCluster;
let controller: ControllerProcess;

beforeAll(async () => {
  cluster = await startTestCluster();
  controller = await startControllerProcess({
    runDirectory: cluster.server.runDirectory,
    kubeconfigPath: cluster.kubeconfigPath('controller'),
    name: 'controller-stray',
    extraArgs: ['--webhook-mode=disabled'],
  });
});

afterAll(async () => {
  await controller?.stop();
  await cluster?.stop();
});

describe('a pool in the wrong namespace', () => {
  it('W2: surfaces in ConfigurationState and the log, is not used, and clears when deleted', async () => {
    const user = userClients(cluster.admin);
    await user.createNamespace(STRAY_NAMESPACE);
    await user.createPool(poolManifest('good', ['203.0.113.0/28']));
    const stray = {
      ...poolManifest('stray', ['198.51.100.0/28']),
      metadata: { name: 'stray', namespace: STRAY_NAMESPACE },
    };
    await user.custom.createNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: STRAY_NAMESPACE,
      plural: 'ipaddresspools',
      body: stray,
    });
    const state = await eventually(
      'ConfigurationState controller to name the stray pool',
      async () => {
        const current = await user.readConfigurationState('controller');
        return current.status?.result === 'Invalid' ? current : undefined;
      },
      { context: () => controller.log() },
    );
    expect(state.status?.errorSummary).toBe(`poolReconcilerValid: ${STRAY_MESSAGE}`);
    const warnings = controller
      .log(400)
      .split('\n')
      .filter((line) => line.includes('IPAddressPool outside the MetalLB namespace is ignored'));
    expect(warnings.length).toBe(1);
    expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({
      pool: `${STRAY_NAMESPACE}/stray`,
      namespace: 'metallb-system',
    });
    // The stray pool's addresses are never handed out; the good pool still serves.
    await user.createNamespace('stray-apps');
    await user.createService(
      serviceManifest('stray-apps', 'web', { annotations: { 'metallb.io/address-pool': 'stray' } }),
    );
    await user.createService(serviceManifest('stray-apps', 'ok'));
    const ok = await eventually('an IP from the good pool', async () => {
      const ips = ingressOf(await user.readService('stray-apps', 'ok'));
      return ips.length > 0 ? ips : undefined;
    });
    expect(ok).toEqual(['203.0.113.0']);
    expect(ingressOf(await user.readService('stray-apps', 'web'))).toEqual([]);
    await user.custom.deleteNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: STRAY_NAMESPACE,
      plural: 'ipaddresspools',
      name: 'stray',
    });
    const cleared = await eventually('ConfigurationState controller Valid again', async () => {
      const current = await user.readConfigurationState('controller');
      return current.status?.result === 'Valid' ? current : undefined;
    });
    expect(cleared.status?.errorSummary).toBe('');
  });
});
