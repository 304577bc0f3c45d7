import { randomBytes } from 'node:crypto';
import type { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
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

/** An Event recorder writing as `component` from `host` (node or pod name). */
export function createEventRecorder(
  core: CoreV1Api,
  options: { component: EventComponent; host: string; logger: Logger },
): EventRecorder {
  return {
    async record(subject, event) {
      const body = eventBody(options.component, options.host, subject, event);
      try {
        await core.createNamespacedEvent({ namespace: subject.namespace, body });
      } catch (error) {
        options.logger.warn(
          {
            object: `${subject.namespace}/${subject.name}`,
            reason: event.reason,
            status: statusCodeOf(error),
          },
          'failed to record event',
        );
      }
    },
  };
}
