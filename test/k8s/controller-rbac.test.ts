// RBAC is really enforced: with one verb removed from deploy/'s controller role the controller
// fails visibly (403 in its log, update-error metric, no IP), and recovers once the role is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControllerProcess, startControllerProcess } from './harness/controller-process.js';
import { applyObjects, readManifest, startTestCluster, type TestCluster } from './harness/index.js';
import { ingressOf, poolManifest, serviceManifest, userClients } from './harness/objects.js';
import { eventually } from './harness/waiting.js';

let cluster: TestCluster;
let controller: ControllerProcess | undefined;

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await controller?.stop();
  await cluster?.stop();
});

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

/** deploy/'s controller ClusterRole without the `update` verb on services/status. */
function roleWithoutStatusUpdate() {
  const role = readManifest('rbac.yaml').find(
    (object) => object.kind === 'ClusterRole' && object.metadata?.name === 'metallb-system:controller',
  ) as { rules: Rule[] } & Parameters<typeof applyObjects>[1][number];
  const rules = role.rules.filter((rule) => !rule.resources?.includes('services/status'));
  expect(rules.length).toBe(role.rules.length - 1);
  return { ...role, rules };
}

describe('RBAC enforcement', () => {
  it('D6: without update on services/status the controller fails visibly, and recovers when the verb is back', async () => {
    const user = userClients(cluster.admin);
    await applyObjects(cluster.admin, [roleWithoutStatusUpdate()]);
    await user.createNamespace('rbac');
    await user.createPool(poolManifest('rbac-pool', ['203.0.113.0/28']));
    controller = await startControllerProcess({
      runDirectory: cluster.server.runDirectory,
      kubeconfigPath: cluster.kubeconfigPath('controller'),
      name: 'reduced-role',
    });
    await user.createService(serviceManifest('rbac', 'denied'));
    const running = controller;
    const denied = (line: string) =>
      line.includes('failed to write service status') && line.includes('"status":403');
    await eventually('a 403 on services/status in the controller log', () =>
      running.log(300).split('\n').some(denied) ? true : undefined,
    );
    const metrics = await running.get('/metrics');
    expect(metrics.body).toMatch(/^metallb_k8s_client_update_errors_total [1-9]/m);
    expect(ingressOf(await user.readService('rbac', 'denied'))).toEqual([]);
    await applyObjects(cluster.admin, readManifest('rbac.yaml'));
    const recovered = await eventually(
      'the IP once the role is restored',
      async () => {
        const ips = ingressOf(await user.readService('rbac', 'denied'));
        return ips.length > 0 ? ips : undefined;
      },
      { timeoutMs: 120_000, context: () => running.log() },
    );
    expect(recovered).toEqual(['203.0.113.0']);
  });
});
