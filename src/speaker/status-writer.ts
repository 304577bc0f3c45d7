// Applies a ServiceL2Status plan (R4) through the API (I/O shell). Objects are created with
// MetalLB's name and labels, then their status is written through the status subresource (a
// create ignores `status` when the CRD has that subresource).
import { mapLimited } from '../concurrency.js';
import { ServiceL2StatusLabel } from '../config/annotations.js';
import { type CustomObjectsApi, MAX_CALL_SOCKETS } from '../k8s/api/index.js';
import { statusCodeOf } from '../k8s/index.js';
import type { Logger } from '../log.js';
import type { ExistingL2Status, StatusPlan } from './status-plan.js';
import type { DesiredL2Status } from './types.js';

const GROUP = { group: 'metallb.io', version: 'v1beta1', plural: 'servicel2statuses' } as const;

/**
 * R4: named by the API server from MetalLB's GenerateName `l2-` (five characters of 27): a name
 * made here from five hex digits collided about once in 200 creates at 10,000 Services (issue 14).
 */
const STATUS_GENERATE_NAME = 'l2-';

function statusBody(status: DesiredL2Status) {
  return {
    status: {
      node: status.node,
      serviceName: status.serviceName,
      serviceNamespace: status.serviceNamespace,
      interfaces: status.interfaces.map((name) => ({ name })),
    },
  };
}

async function writeStatus(
  custom: CustomObjectsApi,
  namespace: string,
  name: string,
  status: DesiredL2Status,
) {
  await custom.patchNamespacedCustomObjectStatus({ ...GROUP, namespace, name, body: statusBody(status) });
}

/** R4: the speaker pod owns its ServiceL2Status objects, so deleting the pod deletes them too. */
export interface StatusOwner {
  readonly name: string;
  readonly uid: string;
}

async function createStatus(
  custom: CustomObjectsApi,
  target: { readonly namespace: string; readonly owner: StatusOwner | undefined },
  status: DesiredL2Status,
): Promise<string> {
  const { namespace, owner } = target;
  const body = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'ServiceL2Status',
    metadata: {
      generateName: STATUS_GENERATE_NAME,
      namespace,
      labels: {
        [ServiceL2StatusLabel.node]: status.node,
        [ServiceL2StatusLabel.serviceName]: status.serviceName,
        [ServiceL2StatusLabel.serviceNamespace]: status.serviceNamespace,
      },
      ...(owner
        ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: owner.name, uid: owner.uid }] }
        : {}),
    },
  };
  const created = (await custom.createNamespacedCustomObject({ ...GROUP, namespace, body })) as {
    metadata?: { name?: unknown };
  };
  const name = created.metadata?.name;
  if (typeof name !== 'string') throw new Error('the API server returned a ServiceL2Status without a name');
  await writeStatus(custom, namespace, name, status);
  return name;
}

/** The result of applying a plan: whether every step succeeded, and what was created. */
export interface StatusPlanResult {
  readonly complete: boolean;
  /** Created objects, for the caller to count as existing until its cache shows them. */
  readonly created: readonly ExistingL2Status[];
}

/**
 * Applies every step of `plan`; a failed step is logged and `complete` is false so the caller
 * retries later. A 404 on delete means it is already gone, which is the goal.
 */
export async function applyStatusPlan(
  custom: CustomObjectsApi,
  context: {
    readonly namespace: string;
    readonly owner: StatusOwner | undefined;
    readonly plan: StatusPlan;
    readonly logger: Logger;
  },
): Promise<StatusPlanResult> {
  const { namespace, owner, plan, logger } = context;
  const created: ExistingL2Status[] = [];
  const attempt = async (what: string, service: string, write: () => Promise<unknown>) => {
    try {
      await write();
      logger.debug({ service, action: what }, 'ServiceL2Status written');
      return true;
    } catch (error) {
      if (what === 'delete' && statusCodeOf(error) === 404) return true;
      logger.warn(
        { service, action: what, status: statusCodeOf(error), error: String(error) },
        'ServiceL2Status write failed',
      );
      return false;
    }
  };
  const key = (status: DesiredL2Status) => `${status.serviceNamespace}/${status.serviceName}`;
  const create = async (status: DesiredL2Status) => {
    created.push({ name: await createStatus(custom, { namespace, owner }, status), ...status });
  };
  const writes: (() => Promise<boolean>)[] = [
    ...plan.create.map((status) => () => attempt('create', key(status), () => create(status))),
    ...plan.update.map(
      ({ name, status }) =>
        () =>
          attempt('update', key(status), () => writeStatus(custom, namespace, name, status)),
    ),
    ...plan.remove.map(
      (name) => () =>
        attempt('delete', name, () => custom.deleteNamespacedCustomObject({ ...GROUP, namespace, name })),
    ),
  ];
  // As many in flight as the API client keeps connections: more would only queue, holding memory.
  const results = await mapLimited(writes, MAX_CALL_SOCKETS, (write) => write());
  return { complete: results.every(Boolean), created };
}
