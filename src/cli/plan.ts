import { UsageError } from '../errors.js';

/** `ferrolb plan`: placeholder until the allocator lands (issue 2). */
export async function planMain(_args: readonly string[]): Promise<number> {
  throw new UsageError('plan is not implemented yet');
}
