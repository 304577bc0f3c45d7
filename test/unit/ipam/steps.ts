// A tiny scenario language for allocator tables: every row lists its own steps, so no row depends
// on another (STYLE "every row stands alone").
import type { Pool } from '../../../src/config/index.js';
import { type AllocateRequest, Allocator, type Outcome } from '../../../src/ipam/index.js';
import { makeRequest } from './fixtures.js';

/** One allocator call. */
export type Step =
  | { readonly assign: string; readonly ips: readonly string[]; readonly with?: Partial<AllocateRequest> }
  | { readonly allocate: string; readonly with?: Partial<AllocateRequest> }
  | { readonly fromPool: string; readonly pool: string; readonly with?: Partial<AllocateRequest> }
  | { readonly topUp: string; readonly with?: Partial<AllocateRequest> }
  | { readonly unassign: string };

/** What a row expects from its last step: the addresses, or the refusal's code and message. */
export type Want = readonly string[] | { readonly code: string; readonly message: string };

/** Runs one step and returns its outcome (unassign reports the holding it freed). */
export function runStep(allocator: Allocator, step: Step): Outcome {
  if ('unassign' in step) {
    const held = allocator.holdingOf(step.unassign);
    allocator.unassign(step.unassign);
    return { ok: true, ips: held?.ips ?? [], pool: held?.pool ?? '' };
  }
  if ('assign' in step) return allocator.assign(makeRequest(step.assign, step.with), step.ips);
  if ('fromPool' in step) return allocator.allocateFromPool(makeRequest(step.fromPool, step.with), step.pool);
  if ('topUp' in step) return allocator.allocateAdditionalFamily(makeRequest(step.topUp, step.with));
  return allocator.allocate(makeRequest(step.allocate, step.with));
}

/** Runs every step on a fresh allocator; earlier steps must succeed. Returns the last outcome. */
export function runScenario(
  pools: readonly Pool[],
  steps: readonly Step[],
): { outcome: Outcome; allocator: Allocator } {
  const allocator = new Allocator(pools);
  let outcome: Outcome | undefined;
  steps.forEach((step, index) => {
    outcome = runStep(allocator, step);
    if (index < steps.length - 1 && !outcome.ok) {
      throw new Error(`setup step ${index + 1} failed: ${outcome.message}`);
    }
  });
  if (!outcome) throw new Error('a scenario needs at least one step');
  return { outcome, allocator };
}

/** The comparable shape of an outcome. */
export function shapeOf(outcome: Outcome): Want {
  return outcome.ok ? outcome.ips : { code: outcome.code, message: outcome.message };
}
