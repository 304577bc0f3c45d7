import type { V1Service } from '@kubernetes/client-node';
import {
  type Config,
  DEFAULT_SERVICE_NAMESPACE,
  type Fields,
  parseService,
  type ServiceSpec,
} from '../config/index.js';
import { Allocator, type PoolStats } from '../ipam/index.js';
import type { Logger } from '../log.js';
import { converge, type Decision, forgetService } from './converge.js';
import type { AllocationEngine, PoolUsage, ServiceDecision } from './engine.js';
import { restoreThenAllocate } from './restore.js';

function toServiceDecision(decision: Decision): ServiceDecision {
  return { ips: decision.ingress, pool: decision.pool, events: decision.events, sync: decision.sync };
}

function nonNegative(value: bigint): bigint {
  return value < 0n ? 0n : value;
}

/**
 * The engine over the pure core: src/ipam's Allocator holds the state, converge and
 * restoreThenAllocate decide. API objects are parsed here; one that does not parse is logged with
 * its field and skipped, never thrown (daemons never crash on input).
 */
export function createAllocationEngine(logger: Logger): AllocationEngine {
  return new AllocatorEngine(logger);
}

class AllocatorEngine implements AllocationEngine {
  private readonly allocator = new Allocator();
  private config: Config | undefined;

  constructor(private readonly logger: Logger) {}

  setConfig(next: Config): void {
    this.config = next;
    this.allocator.setPools(next.pools);
  }

  restoreThenAllocate(services: readonly V1Service[]): ReadonlyMap<string, ServiceDecision> {
    const specs = services
      .map((service) => this.parse(service))
      .filter((spec): spec is ServiceSpec => spec !== undefined);
    const decisions = restoreThenAllocate(specs, this.allocator);
    return new Map(decisions.map((decision) => [decision.serviceKey, toServiceDecision(decision)]));
  }

  converge(key: string, service: V1Service | undefined): ServiceDecision | undefined {
    if (service === undefined) {
      return { ips: [], pool: undefined, events: [], sync: forgetService(key, this.allocator) };
    }
    const spec = this.parse(service);
    return spec ? toServiceDecision(converge(spec, this.allocator)) : undefined;
  }

  poolUsage(): readonly PoolUsage[] {
    return this.allocator.poolNames().flatMap((name) => {
      const stats = this.allocator.stats(name);
      return stats ? [this.usageOf(name, stats)] : [];
    });
  }

  private usageOf(name: string, stats: PoolStats): PoolUsage {
    const assignedIPv4 = BigInt(stats.inUse.ipv4);
    const assignedIPv6 = BigInt(stats.inUse.ipv6);
    return {
      name,
      namespace: this.config?.poolsByName.get(name)?.namespace ?? '',
      capacityIPv4: stats.capacity.ipv4,
      capacityIPv6: stats.capacity.ipv6,
      assignedIPv4,
      assignedIPv6,
      availableIPv4: nonNegative(stats.capacity.ipv4 - assignedIPv4),
      availableIPv6: nonNegative(stats.capacity.ipv6 - assignedIPv6),
      services: stats.services,
    };
  }

  private parse(service: V1Service): ServiceSpec | undefined {
    const parsed = parseService(service as unknown as Fields, DEFAULT_SERVICE_NAMESPACE);
    if (parsed.ok) return parsed.value;
    const key = `${service.metadata?.namespace}/${service.metadata?.name}`;
    this.logger.error(
      { service: key, field: parsed.field, reason: parsed.message },
      'cannot read Service, skipped',
    );
    return undefined;
  }
}
