// The chart registers the webhooks and the metrics RBAC exactly as deploy/ does (DESIGN drop-in), and
// `webhook.enabled=false` removes the registration and tells the controller (--webhook-mode=disabled).
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from './harness/index.js';
import { ensureHelm, findObject, renderChart } from './helm-render.js';

let helmBinary: string;
let defaults: KubernetesObject[];

/** Drops the labels Helm adds, so a rendered object compares with its deploy/ original. */
function withoutHelmLabels(object: unknown): unknown {
  if (Array.isArray(object)) return object.map(withoutHelmLabels);
  if (typeof object !== 'object' || object === null) return object;
  return Object.fromEntries(
    Object.entries(object).map(([key, value]) => {
      if (key !== 'labels' || typeof value !== 'object' || value === null)
        return [key, withoutHelmLabels(value)];
      return [
        key,
        Object.fromEntries(
          Object.entries(value).filter(([label]) => !/^(app\.kubernetes\.io|helm\.sh)\//.test(label)),
        ),
      ];
    }),
  );
}

beforeAll(async () => {
  helmBinary = await ensureHelm();
  defaults = await renderChart(helmBinary, { label: 'webhook-defaults' });
});

describe('chart: webhooks and metrics RBAC', () => {
  it.each(
    ['webhook.yaml', 'metrics-rbac.yaml'].flatMap((file) =>
      readManifest(file).map((object) => ({ file, kind: object.kind, name: object.metadata?.name, object })),
    ),
  )('DESIGN drop-in: default render of $kind/$name equals deploy/$file', ({ kind, name, object }) => {
    expect(withoutHelmLabels(findObject(defaults, kind ?? '', name ?? ''))).toEqual(object);
  });

  it('W5: webhook.enabled=false renders no webhook objects and passes --webhook-mode=disabled', async () => {
    const objects = await renderChart(helmBinary, {
      values: { webhook: { enabled: false } },
      label: 'webhook-off',
    });
    expect(objects.some((object) => object.kind === 'ValidatingWebhookConfiguration')).toBe(false);
    expect(objects.some((object) => object.metadata?.name === 'metallb-webhook-service')).toBe(false);
    const controller = findObject<V1Deployment>(objects, 'Deployment', 'controller');
    expect(controller.spec?.template.spec?.containers[0]?.args).toContain('--webhook-mode=disabled');
    expect(controller.spec?.template.spec?.containers[0]?.ports?.map((port) => port.name)).not.toContain(
      'webhook-server',
    );
  });

  it('W1: webhook.failurePolicy names the policy the controller switches to once it serves', async () => {
    const objects = await renderChart(helmBinary, {
      values: { webhook: { failurePolicy: 'Ignore' } },
      label: 'webhook-ignore',
    });
    const configuration = findObject(
      objects,
      'ValidatingWebhookConfiguration',
      'metallb-webhook-configuration',
    );
    expect(configuration.metadata?.annotations?.['ferrolb.io/failure-policy-when-ready']).toBe('Ignore');
  });
});
