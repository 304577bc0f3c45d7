import { randomBytes } from 'node:crypto';
import type { V1OwnerReference } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { AppsV1Api, CoreV1Api } from './api/index.js';
import { statusCodeOf } from './client.js';

/** ML3: the speaker reads this key of the Secret. */
export const MEMBERLIST_SECRET_KEY = 'secretkey';

/** ML3: unpadded standard base64 of 16 random bytes (22 characters), as MetalLB generates it. */
export function newMemberlistSecretValue(): string {
  return randomBytes(16).toString('base64').replace(/=+$/, '');
}

async function deploymentOwner(
  apps: AppsV1Api,
  target: { namespace: string; deployment: string },
): Promise<V1OwnerReference[] | undefined> {
  try {
    const deployment = await apps.readNamespacedDeployment({
      name: target.deployment,
      namespace: target.namespace,
    });
    const uid = deployment.metadata?.uid;
    if (!uid) return undefined;
    return [{ apiVersion: 'apps/v1', kind: 'Deployment', name: target.deployment, uid }];
  } catch (error) {
    // Outside a Deployment (tests, `kubectl run`) the Secret simply has no owner.
    if (statusCodeOf(error) === 404) return undefined;
    throw error;
  }
}

/**
 * Creates the gossip Secret when it is absent (ML3), owned by the controller Deployment when there
 * is one. An existing Secret is never touched: rotating it would split the speakers' keyring.
 */
export async function ensureMemberlistSecret(
  clients: { core: CoreV1Api; apps: AppsV1Api },
  target: { namespace: string; secretName: string; deployment: string; logger: Logger },
): Promise<'exists' | 'created'> {
  try {
    await clients.core.readNamespacedSecret({ name: target.secretName, namespace: target.namespace });
    return 'exists';
  } catch (error) {
    if (statusCodeOf(error) !== 404) throw error;
  }
  const ownerReferences = await deploymentOwner(clients.apps, target);
  try {
    await clients.core.createNamespacedSecret({
      namespace: target.namespace,
      body: {
        metadata: { name: target.secretName, namespace: target.namespace, ownerReferences },
        type: 'Opaque',
        stringData: { [MEMBERLIST_SECRET_KEY]: newMemberlistSecretValue() },
      },
    });
  } catch (error) {
    // The other replica won the race: its Secret is as good as ours.
    if (statusCodeOf(error) === 409) return 'exists';
    throw error;
  }
  target.logger.info({ secret: `${target.namespace}/${target.secretName}` }, 'created memberlist secret');
  return 'created';
}
