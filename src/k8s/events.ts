import { randomBytes } from 'node:crypto';
import type { CoreV1Event } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { CoreV1Api } from './api/index.js';
import { statusCodeOf } from './client.js';

/** The object an Event is about. */
export interface EventSubject {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
}

/** One Event: MetalLB's reason and message format (metallb-behaviour §6). */
export interface EventRecord {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** Source components, as MetalLB reports them (§6). */
export type EventComponent = 'metallb-controller' | 'metallb-speaker';

/** Records core/v1 Events; failures are logged and never thrown, an Event is best-effort. */
export interface EventRecorder {
  record(subject: EventSubject, event: EventRecord): Promise<void>;
}

function eventBody(
  component: EventComponent,
  host: string,
  subject: EventSubject,
  event: EventRecord,
): CoreV1Event {
  const now = new Date();
  return {
    metadata: {
      name: `${subject.name}.${randomBytes(8).toString('hex')}`,
      namespace: subject.namespace,
    },
    involvedObject: {
      kind: subject.kind,
      apiVersion: subject.apiVersion,
      namespace: subject.namespace,
      name: subject.name,
      uid: subject.uid,
      resourceVersion: subject.resourceVersion,
    },
    type: event.type,
    reason: event.reason,
    message: event.message,
    source: { component, host },
    reportingComponent: component,
    reportingInstance: host,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}

/** How many repeated Events are remembered for aggregation (client-go's LRU size). */
const SERIES_CACHE_SIZE = 4096;

/** The Event already written for one (object, type, reason, message), and how often it happened. */
interface Series {
  readonly name: string;
  count: number;
}

function seriesKey(subject: EventSubject, event: EventRecord): string {
  return JSON.stringify([
    subject.kind,
    subject.namespace,
    subject.name,
    subject.uid ?? '',
    event.type,
    event.reason,
    event.message,
  ]);
}

/**
 * An Event recorder writing as `component` from `host` (node or pod name). A repeat of an Event
 * already written (same object, type, reason and message) raises that Event's `count` and
 * `lastTimestamp` instead of creating another object, as client-go's recorder does for MetalLB
 * (`kubectl describe` shows "x12 over 5m"); MetalLB's per-reconcile repeats (Q8: EV5
 * AdditionalAssignFailed) then stay one Event. A series whose Event has expired starts anew.
 */
export function createEventRecorder(
  core: CoreV1Api,
  options: { component: EventComponent; host: string; logger: Logger },
): EventRecorder {
  const series = new Map<string, Series>();
  const remember = (key: string, entry: Series) => {
    series.delete(key);
    series.set(key, entry);
    if (series.size > SERIES_CACHE_SIZE) series.delete(series.keys().next().value as string);
  };
  const warn = (subject: EventSubject, event: EventRecord, error: unknown) =>
    options.logger.warn(
      { object: `${subject.namespace}/${subject.name}`, reason: event.reason, status: statusCodeOf(error) },
      'failed to record event',
    );
  const create = async (key: string, subject: EventSubject, event: EventRecord) => {
    const body = eventBody(options.component, options.host, subject, event);
    try {
      await core.createNamespacedEvent({ namespace: subject.namespace, body });
      remember(key, { name: body.metadata?.name ?? '', count: 1 });
    } catch (error) {
      warn(subject, event, error);
    }
  };
  return {
    async record(subject, event) {
      const key = seriesKey(subject, event);
      const known = series.get(key);
      if (!known) return create(key, subject, event);
      try {
        await core.patchNamespacedEvent({
          namespace: subject.namespace,
          name: known.name,
          body: { count: known.count + 1, lastTimestamp: new Date() },
        });
        known.count++;
        remember(key, known);
      } catch (error) {
        if (statusCodeOf(error) !== 404) return warn(subject, event, error);
        series.delete(key);
        await create(key, subject, event);
      }
    },
  };
}
