// deploy/ as the API server and a MetalLB user see it: every kustomization object passes
// server-side validation, and the workloads carry the security settings DESIGN and D2/D3 require.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type KubernetesObject,
  KubernetesObjectApi,
  type V1DaemonSet,
  type V1Deployment,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { readManifest, startTestCluster, type TestCluster } from './harness/index.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

const kustomization = parse(readFileSync(join(REPOSITORY_ROOT, 'deploy', 'kustomization.yaml'), 'utf8')) as {
  resources: string[];
};
const workload = <T>(file: string, kind: string) =>
  readManifest(file).find((object) => object.kind === kind) as T;

describe('deploy/', () => {
  it.each(kustomization.resources)(
    'DESIGN deploy: %s passes server-side validation (dry run)',
    async (file) => {
      const client = KubernetesObjectApi.makeApiClient(cluster.admin);
      for (const object of readManifest(file)) {
        const name = `${object.kind}/${object.metadata?.name}`;
        // The harness already created namespace, CRDs and RBAC: for those a conflict proves the same.
        const outcome = await client.create(object as KubernetesObject, undefined, 'All').then(
          () => 'valid',
          (error: { code?: number; body?: unknown }) =>
            error.code === 409 ? 'valid' : `${name}: ${String(error.body)}`,
        );
        expect(outcome).toBe('valid');
      }
    },
  );

  it('D3, issue 11: the speaker runs on the host network as uid 0 with NET_RAW added, everything else dropped, probes and port 7946 TCP+UDP', () => {
    const speaker = workload<V1DaemonSet>('speaker.yaml', 'DaemonSet');
    const pod = speaker.spec?.template.spec;
    const container = pod?.containers[0];
    expect(pod?.hostNetwork).toBe(true);
    expect(container?.securityContext?.capabilities).toEqual({ drop: ['ALL'], add: ['NET_RAW'] });
    // A non-root uid gets no effective capability from `add` (no ambient capabilities).
    expect(container?.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false });
    expect(container?.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(container?.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
    const gossip = container?.ports
      ?.filter((port) => port.containerPort === 7946)
      .map((port) => port.protocol);
    expect(gossip?.sort()).toEqual(['TCP', 'UDP']);
    expect(container?.env?.map((variable) => variable.name)).toContain('METALLB_NODE_NAME');
  });

  it('D2: the controller runs 2 replicas, non-root, read-only root filesystem, all capabilities dropped', () => {
    const controller = workload<V1Deployment>('controller.yaml', 'Deployment');
    const pod = controller.spec?.template.spec;
    const container = pod?.containers[0];
    expect(controller.spec?.replicas).toBe(2);
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    expect(container?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it.each([
    {
      rule: 'R1: IPAddressPool printer columns',
      file: 'crds/metallb.io_ipaddresspools.yaml',
      want: ['Auto Assign', 'Avoid Buggy IPs', 'Addresses'],
    },
    {
      rule: 'R3: L2Advertisement printer columns',
      file: 'crds/metallb.io_l2advertisements.yaml',
      want: ['IPAddressPools', 'IPAddressPool Selectors', 'Interfaces', 'Node Selectors'],
    },
    {
      rule: 'R4: ServiceL2Status printer columns',
      file: 'crds/metallb.io_servicel2statuses.yaml',
      want: ['Allocated Node', 'Service Name', 'Service Namespace'],
    },
  ])('$rule match MetalLB', ({ file, want }) => {
    const crd = readManifest(file)[0] as {
      spec: { versions: { additionalPrinterColumns: { name: string }[] }[] };
    };
    expect(crd.spec.versions[0]?.additionalPrinterColumns.map((column) => column.name)).toEqual(want);
  });

  it('R1/V4: the API server applies MetalLB defaults (autoAssign true, avoidBuggyIPs false)', async () => {
    const client = KubernetesObjectApi.makeApiClient(cluster.admin);
    const created = (await client.create({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'defaults', namespace: 'metallb-system' },
      spec: { addresses: ['203.0.113.0/28'] },
    } as KubernetesObject)) as KubernetesObject & { spec?: Record<string, unknown> };
    expect(created.spec).toEqual({ addresses: ['203.0.113.0/28'], autoAssign: true, avoidBuggyIPs: false });
  });
});
