import type { KubeConfig } from '@kubernetes/client-node';
import { logger } from '../log.js';
import { PooledKubeConfig } from './pooled-config.js';

/**
 * The client configuration, as MetalLB and kubectl resolve it: `--kubeconfig` first, then the
 * KUBECONFIG environment variable, then the in-cluster ServiceAccount (DESIGN command-line contract).
 */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const config = new PooledKubeConfig();
  if (kubeconfigPath) {
    config.loadFromFile(kubeconfigPath);
    logger.debug({ kubeconfig: kubeconfigPath }, 'using kubeconfig file');
    return config;
  }
  if (process.env.KUBECONFIG) {
    config.loadFromDefault();
    logger.debug({ kubeconfig: process.env.KUBECONFIG }, 'using KUBECONFIG');
    return config;
  }
  config.loadFromCluster();
  logger.debug('using in-cluster configuration');
  return config;
}

/** `namespace/name`, the service key used everywhere (metallb-behaviour terms). */
export function objectKey(object: { metadata?: { namespace?: string; name?: string } }): string {
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name ?? '';
  return namespace ? `${namespace}/${name}` : name;
}

/** The HTTP status of a client-node ApiException (or of a plain error carrying one), else undefined. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}
