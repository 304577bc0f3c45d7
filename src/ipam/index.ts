export { Allocator, type HoldingView } from './allocator.js';
export { cidrCapacity, type PoolCapacity, poolCapacity } from './capacity.js';
export { FreeIndex } from './free-index.js';
export { FAMILY_NAME, genericPools, isPoolCompatible, pinnedPools } from './pool-choice.js';
export { backendKeyFor, portText, type SharingKey, sharingError } from './sharing.js';
export type {
  AllocateRequest,
  Granted,
  Outcome,
  PoolChange,
  PoolReason,
  PoolStats,
  Refusal,
  RefusalCode,
  ServiceFamily,
  ServiceRequest,
} from './types.js';
export { refuse } from './types.js';
