import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { REPOSITORY_ROOT } from './binaries.js';

/** The MetalLB namespace every deploy/ object lives in. */
export const SYSTEM_NAMESPACE = 'metallb-system';

/** deploy/ files the harness applies, in dependency order (no workloads: the tests run the daemons). */
export const CLUSTER_MANIFESTS = [
  'namespace.yaml',
  'crds/metallb.io_ipaddresspools.yaml',
  'crds/metallb.io_l2advertisements.yaml',
  'crds/metallb.io_servicel2statuses.yaml',
  'crds/metallb.io_configurationstates.yaml',
  'rbac.yaml',
  'metrics-rbac.yaml',
] as const;

/** A kubeconfig for `server` authenticating with a bearer token; test certificates are self-signed. */
export function kubeConfigFor(server: string, user: string, token: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromClusterAndUser({ name: 'ferrolb-test', server, skipTLSVerify: true }, { name: user, token });
  return config;
}

/** Every object of a deploy/ file (or of any YAML file with an absolute path). */
export function readManifest(path: string): KubernetesObject[] {
  const absolute = path.startsWith('/') ? path : join(REPOSITORY_ROOT, 'deploy', path);
  return parseAllDocuments(readFileSync(absolute, 'utf8'))
    .map((document) => document.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null);
}

/** One JSON request as `config`'s user; resolves to status and parsed body. */
function rawRequest(config: KubeConfig, call: { method: string; path: string; body?: unknown }) {
  const server = config.getCurrentCluster()?.server ?? '';
  const token = config.getCurrentUser()?.token ?? '';
  return new Promise<{ status: number; body: { metadata?: { resourceVersion?: string } } }>(
    (resolve, reject) => {
      const outgoing = request(
        `${server}${call.path}`,
        {
          method: call.method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          rejectUnauthorized: false,
        },
        (response) => {
          let text = '';
          response.on('data', (chunk) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : {} }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(call.body === undefined ? undefined : JSON.stringify(call.body));
    },
  );
}

/**
 * CRDs go out as plain JSON: client-node's typed serializer maps schema keys through its model
 * (`default` is the model's `_default`), so a plain YAML object would lose every default and CEL rule.
 */
async function applyCustomResourceDefinition(config: KubeConfig, object: KubernetesObject): Promise<void> {
  const collection = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const created = await rawRequest(config, { method: 'POST', path: collection, body: object });
  if (created.status === 201) return;
  if (created.status !== 409)
    throw new Error(`creating CRD ${object.metadata?.name}: HTTP ${created.status}`);
  const path = `${collection}/${object.metadata?.name}`;
  const live = await rawRequest(config, { method: 'GET', path });
  const body = {
    ...object,
    metadata: { ...object.metadata, resourceVersion: live.body.metadata?.resourceVersion },
  };
  const replaced = await rawRequest(config, { method: 'PUT', path, body });
  if (replaced.status !== 200)
    throw new Error(`replacing CRD ${object.metadata?.name}: HTTP ${replaced.status}`);
}

/** Creates each object, or replaces it when it exists (kubectl-apply-like, without the merge). */
export async function applyObjects(config: KubeConfig, objects: readonly KubernetesObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(config);
  for (const object of objects) {
    if (object.kind === 'CustomResourceDefinition') {
      await applyCustomResourceDefinition(config, object);
      continue;
    }
    try {
      await client.create(object);
    } catch (error) {
      if (!(error instanceof ApiException) || error.code !== 409) throw error;
      const live = await client.read(object as Parameters<typeof client.read>[0]);
      await client.replace({
        ...object,
        metadata: { ...object.metadata, resourceVersion: live.metadata?.resourceVersion },
      });
    }
  }
}

async function waitForCustomResources(config: KubeConfig): Promise<void> {
  const custom = config.makeApiClient(CustomObjectsApi);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      for (const plural of ['ipaddresspools', 'l2advertisements', 'servicel2statuses', 'configurationstates'])
        await custom.listNamespacedCustomObject({
          group: 'metallb.io',
          version: 'v1beta1',
          namespace: SYSTEM_NAMESPACE,
          plural,
        });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** A ServiceAccount token from the TokenRequest API, so the daemon is checked against its deploy/ roles. */
export async function mintServiceAccountToken(config: KubeConfig, serviceAccount: string): Promise<string> {
  const core = config.makeApiClient(CoreV1Api);
  const response = await core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace: SYSTEM_NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: 24 * 3600 } },
  });
  const token = response.status?.token;
  if (!token) throw new Error(`TokenRequest for ${serviceAccount} returned no token`);
  return token;
}

/** Applies deploy/'s namespace, CRDs, RBAC and webhook objects and waits until the CRDs serve. */
export async function applyClusterManifests(admin: KubeConfig): Promise<void> {
  for (const file of CLUSTER_MANIFESTS) await applyObjects(admin, readManifest(file));
  // The webhooks' RBAC, Secret and Service, so every controller manages its certificates as in a
  // cluster; not the registration, which only webhook tests apply (with an endpoint to reach).
  const webhook = readManifest('webhook.yaml').filter(
    (object) => object.kind !== 'ValidatingWebhookConfiguration',
  );
  await applyObjects(admin, webhook);
  await waitForCustomResources(admin);
}

/** Writes `config` as a kubeconfig file and returns its path. */
export function writeKubeConfig(config: KubeConfig, directory: string, identity: string): string {
  const path = join(directory, `kubeconfig-${identity}.yaml`);
  writeFileSync(path, config.exportConfig(), { mode: 0o600 });
  return path;
}
