import { Annotation, goQuoteList, readAnnotation, type ServiceSpec } from '../config/index.js';
import { type AllocateRequest, type Allocator, type Outcome, refuse } from '../ipam/index.js';
import { desiredIPs } from './service-inputs.js';

/**
 * MetalLB's `allocateIPs`: requested IPs first (A13), else the `address-pool` annotation (A14),
 * else any pool (A15). Requested IPs bypass autoAssign but not the pool's serviceAllocation.
 */
export function allocateIPs(service: ServiceSpec, allocator: Allocator, request: AllocateRequest): Outcome {
  const desired = desiredIPs(service);
  if (!desired.ok) return refuse('notAllowedInConfig', desired.message);
  const desiredPool = readAnnotation(service.annotations, Annotation.addressPool) ?? '';
  if (desired.ips.length > 0) {
    if (desired.family !== request.family) {
      return refuse(
        'wrongFamily',
        `requested loadBalancer IP(s) ${goQuoteList(desired.ips)} does not match the ipFamily of the service`,
      );
    }
    const assigned = allocator.assign(request, desired.ips);
    if (!assigned.ok) return assigned;
    if (desiredPool !== '' && assigned.pool !== desiredPool) {
      allocator.unassign(service.key);
      return refuse(
        'poolNotCompatible',
        `requested loadBalancer IP(s) ${goQuoteList(desired.ips)} is not compatible with requested address pool ${desiredPool}`,
      );
    }
    return assigned;
  }
  if (desiredPool !== '') return allocator.allocateFromPool(request, desiredPool);
  return allocator.allocate(request);
}
