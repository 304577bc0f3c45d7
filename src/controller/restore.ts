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
  return restoreThenAllocateEach(services, target, (decision) => decision);
}

/**
 * restoreThenAllocate, each Decision passed through `keep` as soon as it is made: what the caller
 * keeps of it (`plan` keeps one line of output), so the rest is garbage at once.
 */
export function restoreThenAllocateEach<T>(
  services: readonly ServiceSpec[],
  target: Config | Allocator,
  keep: (decision: Decision) => T,
): T[] {
  const allocator = target instanceof Allocator ? target : new Allocator(target.pools);
  const kept = new Array<T>(services.length);
  const done = new Uint8Array(services.length);
  const holders: { service: ServiceSpec; index: number }[] = [];
  services.forEach((service, index) => {
    if (service.ingressIPs.length > 0) holders.push({ service, index });
  });
  holders.sort((a, b) => b.service.ingressIPs.length - a.service.ingressIPs.length);
  for (const { service, index } of holders) {
    const decision = convergeService(service, allocator, true);
    if (decision === undefined) continue;
    kept[index] = keep(decision);
    done[index] = 1;
  }
  services.forEach((service, index) => {
    if (done[index] === 0) kept[index] = keep(convergeService(service, allocator, false) as Decision);
  });
  return kept;
}
