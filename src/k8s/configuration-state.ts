// ConfigurationState (metallb-behaviour R6): one object per component saying whether it accepted
// the configuration, so `kubectl get configurationstates -n metallb-system` shows a bad pool
// without reading logs. The controller writes `controller` (condition poolReconcilerValid), each
// speaker `speaker-<node>` (configReconcilerValid).

import { ConfigurationStateLabel } from '../config/annotations.js';
import { CONFIGURATION_STATE_RETRY_MS } from '../config/defaults.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { CustomObjectsApi } from './api/index.js';
import { statusCodeOf } from './client.js';

const RESOURCE = { group: 'metallb.io', version: 'v1beta1', plural: 'configurationstates' } as const;

/** Which component writes, and so the object's name, labels and condition type. */
export type ConfigurationStateComponent =
  | { readonly type: 'controller' }
  | { readonly type: 'speaker'; readonly nodeName: string };

/** The configuration problem of a component, or undefined when it accepted the configuration. */
export type ConfigurationProblem = string | undefined;

export function configurationStateName(component: ConfigurationStateComponent): string {
  return component.type === 'controller' ? 'controller' : `speaker-${component.nodeName}`;
}

function conditionType(component: ConfigurationStateComponent): string {
  return component.type === 'controller' ? 'poolReconcilerValid' : 'configReconcilerValid';
}

function labelsOf(component: ConfigurationStateComponent): Record<string, string> {
  return component.type === 'controller'
    ? { [ConfigurationStateLabel.componentType]: 'controller' }
    : {
        [ConfigurationStateLabel.componentType]: 'speaker',
        [ConfigurationStateLabel.nodeName]: component.nodeName,
      };
}

/** The status MetalLB writes for one reconciler's verdict (R6). */
export function configurationStatus(
  component: ConfigurationStateComponent,
  problem: ConfigurationProblem,
  now: Date,
): Record<string, unknown> {
  const type = conditionType(component);
  return {
    result: problem === undefined ? 'Valid' : 'Invalid',
    errorSummary: problem === undefined ? '' : `${type}: ${problem}`,
    conditions: [
      {
        type,
        status: problem === undefined ? 'True' : 'False',
        reason: problem === undefined ? 'Reconciled' : 'ConfigurationError',
        message: problem ?? '',
        lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    ],
  };
}

/**
 * Writes one component's ConfigurationState when its verdict changes: creates the object if
 * missing, then patches its status. Writes are serialised; a failure is logged and retried.
 */
export class ConfigurationStateWriter {
  private written: string | undefined;
  private wanted: { problem: ConfigurationProblem } | undefined;
  private running = false;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly custom: CustomObjectsApi,
    private readonly target: { readonly namespace: string; readonly component: ConfigurationStateComponent },
    private readonly logger: Logger,
  ) {}

  /** Records the component's current verdict; written unless it is what was last written. */
  report(problem: ConfigurationProblem): void {
    this.wanted = { problem };
    void this.flush();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async flush(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      // Loops so that a verdict reported during a write is written next.
      while (this.wanted && !this.stopped) {
        const { problem } = this.wanted;
        const key = JSON.stringify([problem]);
        if (key === this.written) return;
        try {
          await this.write(problem);
          this.written = key;
        } catch (error) {
          this.logger.warn(
            {
              code: ErrorCode.kubernetes,
              configurationState: this.name(),
              status: statusCodeOf(error),
              error: String(error),
            },
            'cannot write ConfigurationState; retrying',
          );
          clearTimeout(this.retry);
          this.retry = setTimeout(() => void this.flush(), CONFIGURATION_STATE_RETRY_MS).unref();
          return;
        }
      }
    } finally {
      this.running = false;
    }
  }

  private name(): string {
    return `${this.target.namespace}/${configurationStateName(this.target.component)}`;
  }

  private async write(problem: ConfigurationProblem): Promise<void> {
    const { namespace, component } = this.target;
    const name = configurationStateName(component);
    const patchStatus = () =>
      this.custom.patchNamespacedCustomObjectStatus({
        ...RESOURCE,
        namespace,
        name,
        body: { status: configurationStatus(component, problem, new Date()) },
      });
    try {
      await patchStatus();
      return;
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw error;
    }
    try {
      await this.custom.createNamespacedCustomObject({
        ...RESOURCE,
        namespace,
        body: {
          apiVersion: `${RESOURCE.group}/${RESOURCE.version}`,
          kind: 'ConfigurationState',
          metadata: { name, namespace, labels: labelsOf(component) },
        },
      });
    } catch (error) {
      // Another controller replica of an earlier term created it meanwhile.
      if (statusCodeOf(error) !== 409) throw error;
    }
    await patchStatus();
  }
}
