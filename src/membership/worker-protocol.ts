import type { LogLevel, MembershipEvent } from './engine-types.js';
import type { Member, MembershipStats, Seed } from './types.js';

/** Messages from the main thread to the membership worker. */
export type ToWorker =
  | { readonly type: 'setMetadata'; readonly metadata: Record<string, unknown> }
  | { readonly type: 'join'; readonly seeds: readonly Seed[] }
  | { readonly type: 'setAllowedMembers'; readonly allowed: ReadonlyMap<string, string> | undefined }
  | { readonly type: 'leave'; readonly timeoutMs: number }
  | { readonly type: 'stop' }
  | { readonly type: 'stats' };

/** Messages from the membership worker to the main thread. */
export type FromWorker =
  | { readonly type: 'ready'; readonly port: number; readonly members: Member[] }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'change'; readonly members: Member[] }
  | { readonly type: 'event'; readonly event: MembershipEvent }
  | { readonly type: 'stats'; readonly stats: MembershipStats }
  | {
      readonly type: 'log';
      readonly level: LogLevel;
      readonly message: string;
      readonly fields: Record<string, unknown>;
    }
  | { readonly type: 'stopped' };
