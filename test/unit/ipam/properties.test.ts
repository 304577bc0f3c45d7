// fast-check properties of the allocator (issue 2 item 5), time-boxed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBuggyAddress, type Pool, parseAddress, poolFor } from '../../../src/config/index.js';
import { Allocator, FreeIndex, poolCapacity } from '../../../src/ipam/index.js';
import { makePool, makeRequest } from './fixtures.js';

const RUNS = { numRuns: 150, interruptAfterTimeLimit: 8000 };

describe('FreeIndex', () => {
  it('A18: lowestFree always equals the naive lowest free usable address', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('takeLowest' as const) }),
      fc.record({ kind: fc.constant('take' as const), at: fc.nat(600) }),
      fc.record({ kind: fc.constant('release' as const), at: fc.nat(600) }),
    );
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.nat(300),
        fc.array(operation, { maxLength: 300 }),
        (avoid, start, operations) => {
          const first = BigInt(start);
          const last = first + 599n;
          const index = new FreeIndex(first, last, avoid);
          const used = new Set<bigint>();
          const usable = (value: bigint) =>
            value >= first && value <= last && !(avoid && isBuggyAddress({ family: 'IPv4', value }));
          const naiveLowest = () => {
            for (let value = first; value <= last; value += 1n)
              if (usable(value) && !used.has(value)) return value;
            return undefined;
          };
          for (const step of operations) {
            const target = step.kind === 'takeLowest' ? index.lowestFree() : first + BigInt(step.at);
            if (target === undefined || !usable(target)) continue;
            if (step.kind === 'release' && used.has(target)) {
              index.release(target);
              used.delete(target);
            } else if (step.kind !== 'release' && !used.has(target)) {
              index.take(target);
              used.add(target);
            }
            expect(index.lowestFree()).toBe(naiveLowest());
          }
        },
      ),
      RUNS,
    );
  });
});

const POOLS: readonly Pool[] = [
  makePool('alpha', { addresses: ['10.0.0.0/29', '1000::/125'], avoidBuggyIPs: true }),
  makePool('beta', { addresses: ['10.0.1.250-10.0.2.3'] }),
  makePool('gamma', { addresses: ['10.0.3.0/30'], shared: true }),
];
const CANDIDATE_IPS = [
  '10.0.0.0',
  '10.0.0.1',
  '10.0.0.2',
  '10.0.1.255',
  '10.0.2.0',
  '10.0.3.1',
  '10.0.3.2',
  '1000::1',
  '9.9.9.9',
];

const serviceName = fc.integer({ min: 0, max: 7 }).map((index) => `ns/s${index}`);
const requestArbitrary = fc.record({
  sharingKey: fc.constantFrom('', 'k1', 'k2'),
  backendKey: fc.constantFrom('', 'app=a'),
  port: fc.constantFrom(53, 80, 443),
  protocol: fc.constantFrom('TCP', 'UDP'),
  family: fc.constantFrom('IPv4' as const, 'IPv6' as const, 'dual' as const),
});
const operation = fc.oneof(
  fc.record({ kind: fc.constant('allocate' as const), service: serviceName, request: requestArbitrary }),
  fc.record({
    kind: fc.constant('fromPool' as const),
    service: serviceName,
    request: requestArbitrary,
    pool: fc.constantFrom('alpha', 'beta', 'gamma'),
  }),
  fc.record({
    kind: fc.constant('assign' as const),
    service: serviceName,
    request: requestArbitrary,
    ip: fc.constantFrom(...CANDIDATE_IPS),
  }),
  fc.record({ kind: fc.constant('unassign' as const), service: serviceName }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

/** Applies one step; true when it changed or confirmed the Service's holding. */
function apply(allocator: Allocator, step: Operation): boolean {
  if (step.kind === 'unassign') {
    allocator.unassign(step.service);
    return false;
  }
  const { request: shape } = step;
  const request = makeRequest(step.service, {
    sharingKey: shape.sharingKey,
    backendKey: shape.backendKey,
    ports: [{ protocol: shape.protocol, port: shape.port }],
    family: shape.family,
    policy: shape.family === 'dual' ? 'RequireDualStack' : 'SingleStack',
  });
  if (step.kind === 'allocate') return allocator.allocate(request).ok;
  if (step.kind === 'fromPool') return allocator.allocateFromPool(request, step.pool).ok;
  return allocator.assign(request, [step.ip]).ok;
}

type RequestShape = typeof requestArbitrary extends fc.Arbitrary<infer T> ? T : never;

interface Use {
  readonly service: string;
  readonly request: RequestShape;
}

describe('Allocator invariants', () => {
  it('A26: no address is held by two Services that may not share it; every address is in its pool and not buggy', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const allocator = new Allocator(POOLS);
        const latest = new Map<string, RequestShape>();
        for (const step of operations) {
          if (apply(allocator, step) && step.kind !== 'unassign') latest.set(step.service, step.request);
          if (!allocator.holdingOf(step.service)) latest.delete(step.service);
        }
        const byIP = new Map<string, Use[]>();
        for (const [service, request] of latest) {
          const holding = allocator.holdingOf(service);
          if (!holding) continue;
          for (const ip of holding.ips) {
            const pool = poolFor({ pools: POOLS, poolsByName: new Map(), l2Advertisements: [] }, ip);
            expect(pool?.name).toBe(holding.pool);
            const address = parseAddress(ip);
            if (pool?.avoidBuggyIPs && address) expect(isBuggyAddress(address)).toBe(false);
            byIP.set(ip, [...(byIP.get(ip) ?? []), { service, request }]);
          }
        }
        for (const [ip, users] of byIP) {
          if (users.length < 2) continue;
          const shared = POOLS.find(
            (pool) => pool.name === allocator.holdingOf(users[0]?.service ?? '')?.pool,
          )?.shared;
          const ports = users.map(({ request }) => `${request.protocol}/${request.port}`);
          expect(new Set(ports).size, `ports on ${ip}`).toBe(users.length);
          const backends = new Set(users.map(({ request }) => request.backendKey));
          expect(backends.size, `backend keys on ${ip}`).toBe(1);
          if (!shared) {
            const keys = new Set(users.map(({ request }) => request.sharingKey));
            expect(
              [...keys].filter((key) => key !== ''),
              `sharing keys on ${ip}`,
            ).toHaveLength(1);
            expect(keys.has(''), `an unkeyed user on ${ip}`).toBe(false);
          }
        }
      }),
      RUNS,
    );
  });

  it('M3: pool counts equal the distinct addresses held, so a shared address counts once', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const allocator = new Allocator(POOLS);
        for (const step of operations) apply(allocator, step);
        for (const pool of POOLS) {
          const distinct = new Set<string>();
          const services = new Set<string>();
          for (let index = 0; index <= 7; index += 1) {
            const holding = allocator.holdingOf(`ns/s${index}`);
            if (holding?.pool !== pool.name) continue;
            services.add(`ns/s${index}`);
            for (const ip of holding.ips) distinct.add(ip);
          }
          const stats = allocator.stats(pool.name);
          expect(stats?.inUse.total).toBe(distinct.size);
          expect(stats?.services).toBe(services.size);
        }
      }),
      RUNS,
    );
  });

  it('A25: release then allocate never leaks capacity', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const allocator = new Allocator(POOLS);
        for (const step of operations) apply(allocator, step);
        for (let index = 0; index <= 7; index += 1) allocator.unassign(`ns/s${index}`);
        for (const pool of POOLS) expect(allocator.stats(pool.name)?.inUse.total).toBe(0);
        const capacity = Number(poolCapacity(POOLS[1] as Pool).ipv4);
        let granted = 0;
        for (let index = 0; index < capacity + 2; index += 1) {
          if (allocator.allocateFromPool(makeRequest(`fill/s${index}`), 'beta').ok) granted += 1;
        }
        expect(granted).toBe(capacity);
      }),
      RUNS,
    );
  });
});
