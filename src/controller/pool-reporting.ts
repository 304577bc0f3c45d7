import { POOL_STATUS_DELAY_MS } from '../config/defaults.js';
import type { CustomObjectsApi } from '../k8s/api/index.js';
import { statusCodeOf, writePoolStatus } from '../k8s/index.js';
import type { Logger } from '../log.js';
import { gauge } from '../metrics/registry.js';
import type { PoolUsage } from './engine.js';

const REPORT_DELAY_MS = POOL_STATUS_DELAY_MS;

function setGauges(usage: PoolUsage): void {
  const labels = { pool: usage.name };
  const total = (a: bigint, b: bigint) => Number(a + b);
  gauge('allocatorAddressesTotal').set(labels, total(usage.capacityIPv4, usage.capacityIPv6));
  gauge('allocatorIPv4AddressesTotal').set(labels, Number(usage.capacityIPv4));
  gauge('allocatorIPv6AddressesTotal').set(labels, Number(usage.capacityIPv6));
  gauge('allocatorAddressesInUseTotal').set(labels, total(usage.assignedIPv4, usage.assignedIPv6));
  gauge('allocatorIPv4AddressesInUseTotal').set(labels, Number(usage.assignedIPv4));
  gauge('allocatorIPv6AddressesInUseTotal').set(labels, Number(usage.assignedIPv6));
  // Q16: MetalLB registers this gauge but never sets it; ferrolb does.
  gauge('allocatorServicesAllocatedTotal').set(labels, usage.services);
}

const POOL_GAUGES = [
  'allocatorAddressesTotal',
  'allocatorIPv4AddressesTotal',
  'allocatorIPv6AddressesTotal',
  'allocatorAddressesInUseTotal',
  'allocatorIPv4AddressesInUseTotal',
  'allocatorIPv6AddressesInUseTotal',
  'allocatorServicesAllocatedTotal',
] as const;

function statusText(usage: PoolUsage): string {
  return [usage.assignedIPv4, usage.assignedIPv6, usage.availableIPv4, usage.availableIPv6].join(',');
}

/**
 * Keeps the allocator gauges (M3) and IPAddressPool.status (R2) in step with the allocator. Status
 * is written only when a pool's counts changed; series of deleted pools are removed (M3).
 */
export class PoolReporter {
  private readonly written = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly custom: CustomObjectsApi,
    private readonly usage: () => readonly PoolUsage[],
    private readonly logger: Logger,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.report();
    }, REPORT_DELAY_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private async report(): Promise<void> {
    const pools = this.usage();
    const present = new Set(pools.map((pool) => pool.name));
    for (const name of [...this.written.keys()].filter((name) => !present.has(name))) {
      this.written.delete(name);
      for (const key of POOL_GAUGES) gauge(key).remove({ pool: name });
    }
    for (const pool of pools) {
      setGauges(pool);
      const text = statusText(pool);
      if (this.written.get(pool.name) === text) continue;
      try {
        await writePoolStatus(this.custom, pool, pool);
        this.written.set(pool.name, text);
      } catch (error) {
        this.logger.warn(
          { pool: pool.name, status: statusCodeOf(error), error: String(error) },
          'failed to write pool status',
        );
      }
    }
  }
}
