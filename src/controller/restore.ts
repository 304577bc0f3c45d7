import type { Config, ServiceSpec } from '../config/index.js';
import { Allocator } from '../ipam/index.js';
import { convergeService, type Decision } from './converge.js';

/**
 * C8, DESIGN "Allocation": every Service that holds ingress IPs re-claims them before any new
 * address is chosen (more IPs first, as MetalLB sorts, stably); then the rest are allocated in the
 * given order. So a restart never moves an IP the configuration still allows, and the result for
 * restored Services does not depend on the order they are listed in. Shared by the Kubernetes
 * controller, `plan` and the standalone mode. Returns one Decision per Service, in input order.
 */
export function restoreThenAllocate(
  services: readonly ServiceSpec[],
  target: Config | Allocator,
): Decision[] {
  const allocator = target instanceof Allocator ? target : new Allocator(target.pools);
  const decisions = new Array<Decision | undefined>(services.length);
  const holders = services
    .map((service, index) => ({ service, index }))
    .filter(({ service }) => service.ingressIPs.length > 0)
    .sort((a, b) => b.service.ingressIPs.length - a.service.ingressIPs.length);
  for (const { service, index } of holders) decisions[index] = convergeService(service, allocator, true);
  services.forEach((service, index) => {
    decisions[index] ??= convergeService(service, allocator, false);
  });
  return decisions as Decision[];
}
