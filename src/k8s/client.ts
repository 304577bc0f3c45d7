import { logger } from '../log.js';
import { KubeClient, resolveKubeTarget } from './api/index.js';

/**
 * The client configuration, as MetalLB and kubectl resolve it: `--kubeconfig` first, then the
 * KUBECONFIG environment variable, then the in-cluster ServiceAccount (DESIGN command-line contract).
 */
export function loadKubeConfig(kubeconfigPath?: string): KubeClient {
  const target = resolveKubeTarget(kubeconfigPath);
  logger.debug({ kubeconfig: target.source, server: target.server }, 'API server client configured');
  return new KubeClient(target);
}

/** `namespace/name`, the service key used everywhere (metallb-behaviour terms). */
export function objectKey(object: { metadata?: { namespace?: string; name?: string } }): string {
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name ?? '';
  return namespace ? `${namespace}/${name}` : name;
}

/** The HTTP status of a KubeApiError or client-node ApiException (or any error carrying one), else undefined. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}
