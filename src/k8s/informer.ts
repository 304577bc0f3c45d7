import {
  type KubeConfig,
  type KubernetesObject,
  type ListPromise,
  makeInformer,
} from '@kubernetes/client-node';
import { WATCH_RESTART_INITIAL_MS, WATCH_RESTART_MAXIMUM_MS } from '../config/defaults.js';
import type { Logger } from '../log.js';
import { objectKey, statusCodeOf } from './client.js';

/** One relevant change of a watched object: `current` undefined means deleted. */
export interface Change<T> {
  readonly key: string;
  readonly previous: T | undefined;
  readonly current: T | undefined;
}

/** What `watchResource` needs: where to list and watch, and what counts as a change. */
export interface WatchOptions<T extends KubernetesObject> {
  readonly config: KubeConfig;
  /** API path of the collection, e.g. `/api/v1/services`. */
  readonly path: string;
  readonly list: ListPromise<T>;
  /** True when the difference between two versions matters to the caller (diff before acting). */
  readonly isRelevantChange: (previous: T, current: T) => boolean;
  readonly onChange: (change: Change<T>) => void;
  readonly logger: Logger;
  /** Called after each failed list or watch; the watch restarts by itself with backoff. */
  readonly onError?: (error: unknown) => void;
}

/** A watched collection: a local cache that follows the API server. */
export interface WatchedCollection<T> {
  get(key: string): T | undefined;
  list(): T[];
  /** Resolves once the first full list has been delivered. */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

const INITIAL_BACKOFF_MS = WATCH_RESTART_INITIAL_MS;
const MAXIMUM_BACKOFF_MS = WATCH_RESTART_MAXIMUM_MS;

/**
 * Lists and watches one collection. client-node's informer reports every status update and stops on
 * any error (toolchain.md §4), so this keeps its own copy to diff against, and restarts the informer
 * with exponential backoff until it connects again.
 */
export function watchResource<T extends KubernetesObject>(options: WatchOptions<T>): WatchedCollection<T> {
  const objects = new Map<string, T>();
  const informer = makeInformer<T>(options.config, options.path, options.list);
  let stopped = false;
  let backoffMs = INITIAL_BACKOFF_MS;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });

  const upsert = (object: T) => {
    const key = objectKey(object);
    const previous = objects.get(key);
    objects.set(key, object);
    if (previous === undefined || options.isRelevantChange(previous, object)) {
      options.onChange({ key, previous, current: object });
    }
  };
  informer.on('add', upsert);
  informer.on('update', upsert);
  informer.on('delete', (object) => {
    const key = objectKey(object);
    const previous = objects.get(key);
    objects.delete(key);
    options.onChange({ key, previous, current: undefined });
  });
  informer.on('connect', () => {
    backoffMs = INITIAL_BACKOFF_MS;
  });

  const start = async () => {
    const failuresBefore = failures;
    try {
      await informer.start();
      // A failed list is reported through 'error' while start() still resolves.
      if (!stopped && failures === failuresBefore) markSynced();
    } catch (error) {
      scheduleRestart(error);
    }
  };
  const scheduleRestart = (error: unknown) => {
    if (stopped) return;
    failures += 1;
    options.onError?.(error);
    options.logger.warn(
      { path: options.path, status: statusCodeOf(error), retryInMs: backoffMs, error: String(error) },
      'watch failed, restarting',
    );
    clearTimeout(restartTimer);
    restartTimer = setTimeout(start, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAXIMUM_BACKOFF_MS);
  };
  informer.on('error', scheduleRestart);
  void start();

  return {
    get: (key) => objects.get(key),
    list: () => [...objects.values()],
    synced,
    stop: async () => {
      stopped = true;
      clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
