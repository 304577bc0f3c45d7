import type { KubeConfig } from '@kubernetes/client-node';
import {
  applyClusterManifests,
  kubeConfigFor,
  mintServiceAccountToken,
  SYSTEM_NAMESPACE,
  writeKubeConfig,
} from './bootstrap.js';
import { type RunningApiServer, startApiServerProcesses } from './cluster.js';

export { applyObjects, readManifest, SYSTEM_NAMESPACE } from './bootstrap.js';

/** The identities the harness mints credentials for; daemons use their deploy/ ServiceAccount. */
export type Identity = 'admin' | 'controller' | 'speaker';

/** A real API server with deploy/'s CRDs and RBAC applied and a kubeconfig per identity. */
export interface TestCluster {
  readonly server: RunningApiServer;
  readonly admin: KubeConfig;
  /** Path of the kubeconfig file for `identity` (ServiceAccount tokens for the daemons). */
  kubeconfigPath(identity: Identity): string;
  /** A client config for `identity`. */
  configFor(identity: Identity): KubeConfig;
  /** Restarts kube-apiserver mid-test; etcd (and so every object) survives. */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts etcd + kube-apiserver, applies deploy/ (namespace, CRDs, RBAC) and mints the controller and
 * speaker ServiceAccount tokens through TokenRequest. Call `stop()` in afterAll; a crashed run is
 * swept by the next one.
 */
export async function startTestCluster(): Promise<TestCluster> {
  const server = await startApiServerProcesses();
  try {
    const admin = kubeConfigFor(server.url, 'ferrolb-admin', server.adminToken);
    await applyClusterManifests(admin);
    const configs = new Map<Identity, KubeConfig>([['admin', admin]]);
    for (const account of ['controller', 'speaker'] as const) {
      const token = await mintServiceAccountToken(admin, account);
      configs.set(
        account,
        kubeConfigFor(server.url, `system:serviceaccount:${SYSTEM_NAMESPACE}:${account}`, token),
      );
    }
    const paths = new Map(
      [...configs].map(([identity, config]) => [
        identity,
        writeKubeConfig(config, server.runDirectory, identity),
      ]),
    );
    return {
      server,
      admin,
      kubeconfigPath: (identity) => paths.get(identity) ?? '',
      configFor: (identity) => configs.get(identity) ?? admin,
      restartApiServer: () => server.restart(),
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
