import type { V1Service } from '@kubernetes/client-node';
import type { CoreV1Api } from './api/index.js';
import { statusCodeOf } from './client.js';
import { type ServiceAllocationStatus, withAllocationStatus } from './service-status.js';

/** How a status write ended. */
export type StatusWriteOutcome =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'written'; readonly attempts: number; readonly service: V1Service }
  | { readonly kind: 'gone' };

const MAXIMUM_ATTEMPTS = 5;

/**
 * Writes ingress and the pool annotation in one `services/status` update (A11). The update carries
 * the resourceVersion it was computed from; on 409 Conflict the Service is re-read and the write is
 * recomputed, so a concurrent edit is never overwritten (toolchain.md §4 optimistic concurrency).
 * A deleted Service is not an error. Other failures (403, 5xx) are thrown to the caller.
 */
export async function writeServiceStatus(
  core: CoreV1Api,
  known: V1Service,
  desired: ServiceAllocationStatus,
): Promise<StatusWriteOutcome> {
  const name = known.metadata?.name ?? '';
  const namespace = known.metadata?.namespace ?? '';
  let current = known;
  for (let attempt = 1; ; attempt += 1) {
    const body = withAllocationStatus(current, desired);
    if (body === undefined) return { kind: 'unchanged' };
    try {
      const service = await core.replaceNamespacedServiceStatus({ name, namespace, body });
      return { kind: 'written', attempts: attempt, service };
    } catch (error) {
      const status = statusCodeOf(error);
      if (status === 404) return { kind: 'gone' };
      if (status !== 409 || attempt >= MAXIMUM_ATTEMPTS) throw error;
    }
    try {
      current = await core.readNamespacedService({ name, namespace });
    } catch (error) {
      if (statusCodeOf(error) === 404) return { kind: 'gone' };
      throw error;
    }
  }
}
