import {
  type KubeConfig,
  type KubernetesObject,
  type ListPromise,
  makeInformer,
} from '@kubernetes/client-node';
import { WATCH_RESTART_INITIAL_MS, WATCH_RESTART_MAXIMUM_MS } from '../config/defaults.js';
import { ErrorCode } from '../errors.js';
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
  return new ResourceWatch(options);
}

class ResourceWatch<T extends KubernetesObject> implements WatchedCollection<T> {
  readonly synced: Promise<void>;
  private readonly objects = new Map<string, T>();
  private readonly informer: ReturnType<typeof makeInformer<T>>;
  private stopped = false;
  private backoffMs = INITIAL_BACKOFF_MS;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private markSynced: () => void = () => {};

  constructor(private readonly options: WatchOptions<T>) {
    this.synced = new Promise<void>((resolve) => {
      this.markSynced = resolve;
    });
    this.informer = makeInformer<T>(options.config, options.path, options.list);
    this.informer.on('add', (object) => this.upsert(object));
    this.informer.on('update', (object) => this.upsert(object));
    this.informer.on('delete', (object) => this.remove(object));
    this.informer.on('connect', () => {
      this.backoffMs = INITIAL_BACKOFF_MS;
    });
    this.informer.on('error', (error) => this.scheduleRestart(error));
    void this.start();
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  private upsert(object: T): void {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    this.objects.set(key, object);
    if (previous === undefined || this.options.isRelevantChange(previous, object)) {
      this.options.onChange({ key, previous, current: object });
    }
  }

  private remove(object: T): void {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    this.objects.delete(key);
    this.options.onChange({ key, previous, current: undefined });
  }

  private async start(): Promise<void> {
    const failuresBefore = this.failures;
    try {
      await this.informer.start();
      // A failed list is reported through 'error' while start() still resolves.
      if (!this.stopped && this.failures === failuresBefore) this.markSynced();
    } catch (error) {
      this.scheduleRestart(error);
    }
  }

  private scheduleRestart(error: unknown): void {
    if (this.stopped) return;
    this.failures += 1;
    this.options.onError?.(error);
    this.options.logger.warn(
      {
        code: ErrorCode.kubernetes,
        path: this.options.path,
        status: statusCodeOf(error),
        retryInMs: this.backoffMs,
        error: String(error),
      },
      'watch failed, restarting',
    );
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.start(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAXIMUM_BACKOFF_MS);
  }
}
