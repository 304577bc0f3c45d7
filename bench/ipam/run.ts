// IPAM benchmark (issue 2 item 6): ferrolb's allocator against a naive scan-the-pool baseline,
// both measured in this run. The baseline walks each CIDR address by address and looks every
// address up by its text, as MetalLB's getIPFromCIDR does (A18).
import { cpus, loadavg } from 'node:os';
import { buildConfig, type Cidr, formatAddress, type Pool } from '../../src/config/index.js';
import { type AllocateRequest, Allocator, type ServiceFamily } from '../../src/ipam/index.js';

const SERVICES = 100_000;
const FILL_RATIO = 0.9;
const BASELINE_SAMPLES = 200;
const FERROLB_SAMPLES = 20_000;

function pools(): readonly Pool[] {
  const objects = [
    { name: 'v4-a', addresses: ['10.0.0.0/16'] },
    { name: 'v4-b', addresses: ['10.1.0.0/16'], avoidBuggyIPs: true },
    { name: 'v6', addresses: ['fd00:1::/112'] },
  ].map(({ name, ...spec }) => ({ source: name, object: { metadata: { name }, spec } }));
  const built = buildConfig(
    { pools: objects, l2Advertisements: [], namespaces: [] },
    { namespace: 'metallb-system' },
  );
  if (built.problems.length > 0) throw new Error(JSON.stringify(built.problems));
  return built.config.pools;
}

function request(serviceKey: string, family: ServiceFamily): AllocateRequest {
  return {
    serviceKey,
    namespace: 'bench',
    labels: {},
    ports: [{ protocol: 'TCP', port: 80 }],
    sharingKey: '',
    backendKey: '',
    family,
    policy: 'SingleStack',
    primaryFamily: 'IPv4',
  };
}

/** MetalLB's way: walk the CIDR from its first address, format each, look it up. */
function naiveLowestFree(cidr: Cidr, used: ReadonlySet<string>): string | undefined {
  for (let value = cidr.first; value <= cidr.last; value += 1n) {
    const text = formatAddress({ family: cidr.family, value });
    if (!used.has(text)) return text;
  }
  return undefined;
}

function nanosecondsPer(count: number, work: (index: number) => void): number {
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index += 1) work(index);
  return Number(process.hrtime.bigint() - started) / count;
}

function allocateMany(
  allocator: Allocator,
  count: number,
  naming: { prefix: string; family: (index: number) => ServiceFamily },
): void {
  const { prefix, family } = naming;
  for (let index = 0; index < count; index += 1) {
    const outcome = allocator.allocate(request(`${prefix}/${index}`, family(index)));
    if (!outcome.ok) throw new Error(`allocation ${index} failed: ${outcome.message}`);
  }
}

/**
 * JIT warm-up on a throwaway allocator, so the timed runs measure compiled code, not the
 * interpreter (STYLE "Benchmarks", as undici's benchmarks run warm-up rounds first).
 */
function warmUp(): void {
  const allocator = new Allocator(pools());
  allocateMany(allocator, 20_000, { prefix: 'warm', family: (index) => (index % 3 === 2 ? 'IPv6' : 'IPv4') });
  for (let index = 0; index < 5_000; index += 1) allocator.unassign(`warm/${index}`);
  const cidr = pools()[0]?.cidrs[0] as Cidr;
  naiveLowestFree(
    cidr,
    new Set(
      Array.from({ length: 2000 }, (_, value) =>
        formatAddress({ family: 'IPv4', value: cidr.first + BigInt(value) }),
      ),
    ),
  );
}

function hundredThousand(): void {
  const allocator = new Allocator(pools());
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  // Two IPv4 Services for each IPv6 one: fills v4-a, spills into v4-b, and a third of the /112.
  allocateMany(allocator, SERVICES, {
    prefix: 'many',
    family: (index) => (index % 3 === 2 ? 'IPv6' : 'IPv4'),
  });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const stats = allocator.poolNames().map((name) => `${name}=${allocator.stats(name)?.inUse.total}`);
  console.log(
    `100k Services: ${elapsedMs.toFixed(0)} ms wall (${cpuMs.toFixed(0)} ms CPU), ` +
      `${((elapsedMs * 1e6) / SERVICES).toFixed(0)} ns/allocation`,
  );
  console.log(
    `  in use: ${stats.join(' ')}; heap growth during the run: ${heapMiB.toFixed(1)} MiB (target: < 1000 ms)`,
  );
}

/** The first 1000 allocations into an empty /16, both ways (the naive one grows with every address taken). */
function sequentialBaseline(): void {
  const count = 1000;
  const pool = pools()[0] as Pool;
  const cidr = pool.cidrs[0] as Cidr;
  const used = new Set<string>();
  const naive = nanosecondsPer(count, () => {
    used.add(naiveLowestFree(cidr, used) as string);
  });
  const allocator = new Allocator([pool]);
  const ferrolb = nanosecondsPer(count, (index) => {
    allocator.allocate(request(`first/${index}`, 'IPv4'));
  });
  console.log(
    `first ${count} allocations into ${cidr.text}: ferrolb ${ferrolb.toFixed(0)} ns/allocation, ` +
      `naive scan ${naive.toFixed(0)} ns/allocation -> ${(naive / ferrolb).toFixed(0)}x`,
  );
}

function atNinetyPercent(poolName: string, family: ServiceFamily): void {
  const pool = pools().find((candidate) => candidate.name === poolName) as Pool;
  const cidr = pool.cidrs[0] as Cidr;
  const size = Number(cidr.last - cidr.first + 1n);
  const allocator = new Allocator([pool]);
  allocateMany(allocator, Math.floor(size * FILL_RATIO), { prefix: 'fill', family: () => family });
  const used = new Set<string>();
  for (let index = 0; index < Math.floor(size * FILL_RATIO); index += 1) {
    const ips = allocator.holdingOf(`fill/${index}`)?.ips ?? [];
    for (const ip of ips) used.add(ip);
  }
  const ferrolb = nanosecondsPer(FERROLB_SAMPLES, (index) => {
    allocator.allocate(request(`probe/${index}`, family));
    allocator.unassign(`probe/${index}`);
  });
  const baseline = nanosecondsPer(BASELINE_SAMPLES, () => {
    naiveLowestFree(cidr, used);
  });
  console.log(
    `90% fill of ${cidr.text}: ferrolb ${ferrolb.toFixed(0)} ns/allocation (allocate + release), ` +
      `naive scan ${baseline.toFixed(0)} ns/allocation (find only) -> ${(baseline / ferrolb).toFixed(0)}x (target: >= 100x)`,
  );
}

// Wall time on a shared machine includes waiting for a core; the load average and CPU time say how much.
const load = () => loadavg()[0]?.toFixed(1) ?? '?';
console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), load ${load()}`,
);
warmUp();
hundredThousand();
atNinetyPercent('v4-a', 'IPv4');
atNinetyPercent('v6', 'IPv6');
sequentialBaseline();
console.log(`load average at the end: ${load()}`);
