import type { IncomingMessage } from 'node:http';
import type { KubernetesObject } from '@kubernetes/client-node';
import { WATCH_RESTART_INITIAL_MS, WATCH_RESTART_MAXIMUM_MS } from '../config/defaults.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { KubeClient } from './api/index.js';
import { objectKey, statusCodeOf } from './client.js';

/** One relevant change of a watched object: `current` undefined means deleted. */
export interface Change<T> {
  readonly key: string;
  readonly previous: T | undefined;
  readonly current: T | undefined;
}

/** What `watchResource` needs: where to list and watch, and what counts as a change. */
export interface WatchOptions<T extends KubernetesObject> {
  readonly client: KubeClient;
  /** API path of the collection, e.g. `/api/v1/services`. */
  readonly path: string;
  /** Only objects with these labels are listed and watched (the API server filters). */
  readonly labelSelector?: string;
  /** True when the difference between two versions matters to the caller (diff before acting). */
  readonly isRelevantChange: (previous: T, current: T) => boolean;
  readonly onChange: (change: Change<T>) => void;
  readonly logger: Logger;
  /** Called after each failed list or watch; the watch restarts by itself with backoff. */
  readonly onError?: (error: unknown) => void;
  /**
   * Cuts a delivered object down to what the caller reads, in place, before it is cached. Only for
   * objects the caller never writes back.
   */
  readonly slim?: (object: T) => void;
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

/** The server ends a watch after this long (client-go picks 5 to 10 minutes at random). */
const WATCH_MIN_SECONDS = 300;
const WATCH_SPREAD_SECONDS = 300;
/** A watch the server did not end this long after its timeout is dead (a silent connection): open another. */
const WATCH_GRACE_MS = 30_000;

/** A watch ERROR event: 410 Gone means the resourceVersion is too old and only a new list helps. */
class WatchError extends Error {
  constructor(
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T & { code?: number; message?: string };
}

/**
 * Lists and watches one collection, as client-go's reflector does: list, then watch from the list's
 * resourceVersion, watch again when the server ends a watch, list again on 410 Gone, and after any
 * other failure list again with exponential backoff. A relist reports what changed meanwhile,
 * deletions included. Only changes the caller finds relevant are reported (status updates are not).
 */
export function watchResource<T extends KubernetesObject>(options: WatchOptions<T>): WatchedCollection<T> {
  return new ResourceWatch(options);
}

class ResourceWatch<T extends KubernetesObject> implements WatchedCollection<T> {
  readonly synced: Promise<void>;
  private readonly objects = new Map<string, T>();
  private stopped = false;
  private backoffMs = INITIAL_BACKOFF_MS;
  private resourceVersion = '';
  private restartTimer: NodeJS.Timeout | undefined;
  private aborter = new AbortController();
  private markSynced: () => void = () => {};

  constructor(private readonly options: WatchOptions<T>) {
    this.synced = new Promise<void>((resolve) => {
      this.markSynced = resolve;
    });
    void this.cycle(true);
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
    this.aborter.abort();
  }

  private async cycle(relist: boolean): Promise<void> {
    if (this.stopped) return;
    try {
      if (relist) await this.relist();
      await this.watchOnce();
      if (!this.stopped) void this.cycle(false);
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof WatchError && error.code === 410) {
        this.options.logger.debug({ path: this.options.path }, 'watch expired, listing again');
        void this.cycle(true);
        return;
      }
      this.scheduleRestart(error);
    }
  }

  private async relist(): Promise<void> {
    const list = await this.options.client.transport.call<{
      metadata?: { resourceVersion?: string };
      items?: T[];
    }>('GET', this.options.path, { query: { labelSelector: this.options.labelSelector } });
    const seen = new Set<string>();
    for (const object of list.items ?? []) seen.add(this.upsert(object));
    for (const key of [...this.objects.keys()]) {
      if (!seen.has(key)) this.remove(key);
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.backoffMs = INITIAL_BACKOFF_MS;
    this.markSynced();
  }

  /** Resolves when the server ends the watch; rejects when it fails. */
  private async watchOnce(): Promise<void> {
    const timeoutSeconds = WATCH_MIN_SECONDS + Math.floor(Math.random() * WATCH_SPREAD_SECONDS);
    this.aborter = new AbortController();
    let silent = false;
    const deadline = setTimeout(
      () => {
        silent = true;
        this.aborter.abort();
      },
      timeoutSeconds * 1000 + WATCH_GRACE_MS,
    );
    try {
      const query = {
        watch: true,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
        labelSelector: this.options.labelSelector,
      };
      const response = await this.options.client.transport.stream(
        this.options.path,
        query,
        this.aborter.signal,
      );
      await this.consume(response);
    } catch (error) {
      // A watch the server never ended is replaced like one it ended, not reported as a failure.
      if (!silent || this.stopped) throw error;
    } finally {
      clearTimeout(deadline);
    }
  }

  private consume(response: IncomingMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      let pending = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        pending += chunk;
        // Lines are read by position; only the unfinished tail is kept (no copy of the rest per line).
        let start = 0;
        for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
          const line = pending.slice(start, newline);
          start = newline + 1;
          try {
            if (line.trim() !== '') this.apply(JSON.parse(line) as WatchEvent<T>);
          } catch (error) {
            response.destroy();
            reject(error);
            return;
          }
        }
        pending = pending.slice(start);
      });
      response.on('end', resolve);
      response.on('error', reject);
      response.on('close', () => reject(new Error(`watch of ${this.options.path} closed`)));
    });
  }

  private apply(event: WatchEvent<T>): void {
    const { type, object } = event;
    if (type === 'ERROR')
      throw new WatchError(object.code, `watch of ${this.options.path}: ${object.message}`);
    const version = object.metadata?.resourceVersion;
    if (version) this.resourceVersion = version;
    if (type === 'BOOKMARK') return;
    if (type === 'DELETED') this.remove(objectKey(object));
    else this.upsert(object);
  }

  private upsert(object: T): string {
    // Nothing reads managedFields, and a status update keeps the live ones (server-side field manager).
    if (object.metadata) delete object.metadata.managedFields;
    this.options.slim?.(object);
    const key = objectKey(object);
    const previous = this.objects.get(key);
    this.objects.set(key, object);
    if (previous === undefined || this.options.isRelevantChange(previous, object)) {
      this.options.onChange({ key, previous, current: object });
    }
    return key;
  }

  private remove(key: string): void {
    const previous = this.objects.get(key);
    if (previous === undefined) return;
    this.objects.delete(key);
    this.options.onChange({ key, previous, current: undefined });
  }

  private scheduleRestart(error: unknown): void {
    if (this.stopped) return;
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
    this.restartTimer = setTimeout(() => void this.cycle(true), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAXIMUM_BACKOFF_MS);
  }
}
