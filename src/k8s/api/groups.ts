// The calls the daemons make, one method each, named and shaped as client-node's so a reader who
// knows client-node knows these. Object types are client-node's (types only: nothing is loaded).
// Every patch is a JSON merge patch: CRDs take no strategic merge (toolchain §4) and it is all we send.
import type {
  CoreV1Event,
  KubernetesObject,
  V1Deployment,
  V1Lease,
  V1PodList,
  V1Secret,
  V1Service,
  V1SubjectAccessReview,
  V1TokenReview,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { KubeTransport } from './transport.js';

const MERGE_PATCH = 'application/merge-patch+json';

interface Named {
  readonly name: string;
}
interface InNamespace {
  readonly namespace: string;
}
interface WithBody<T> {
  readonly body: T;
}

/** A namespaced object's collection path, e.g. `/api/v1/namespaces/x/secrets`. */
function collection(prefix: string, namespace: string, plural: string): string {
  return `${prefix}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
}

function item(prefix: string, where: InNamespace & Named, plural: string): string {
  return `${collection(prefix, where.namespace, plural)}/${encodeURIComponent(where.name)}`;
}

const CORE = '/api/v1';

export class CoreV1Api {
  constructor(private readonly transport: KubeTransport) {}

  readNamespacedSecret(where: InNamespace & Named): Promise<V1Secret> {
    return this.transport.call('GET', item(CORE, where, 'secrets'));
  }

  createNamespacedSecret(request: InNamespace & WithBody<V1Secret>): Promise<V1Secret> {
    return this.transport.call('POST', collection(CORE, request.namespace, 'secrets'), {
      body: request.body,
    });
  }

  replaceNamespacedSecret(request: InNamespace & Named & WithBody<V1Secret>): Promise<V1Secret> {
    return this.transport.call('PUT', item(CORE, request, 'secrets'), { body: request.body });
  }

  readNamespacedService(where: InNamespace & Named): Promise<V1Service> {
    return this.transport.call('GET', item(CORE, where, 'services'));
  }

  replaceNamespacedServiceStatus(request: InNamespace & Named & WithBody<V1Service>): Promise<V1Service> {
    return this.transport.call('PUT', `${item(CORE, request, 'services')}/status`, { body: request.body });
  }

  createNamespacedEvent(request: InNamespace & WithBody<CoreV1Event>): Promise<CoreV1Event> {
    return this.transport.call('POST', collection(CORE, request.namespace, 'events'), { body: request.body });
  }

  patchNamespacedEvent(request: InNamespace & Named & WithBody<object>): Promise<CoreV1Event> {
    return this.transport.call('PATCH', item(CORE, request, 'events'), {
      body: request.body,
      contentType: MERGE_PATCH,
    });
  }

  listNamespacedPod(
    request: InNamespace & { readonly labelSelector?: string; readonly fieldSelector?: string },
  ): Promise<V1PodList> {
    const { labelSelector, fieldSelector } = request;
    return this.transport.call('GET', collection(CORE, request.namespace, 'pods'), {
      query: { labelSelector, fieldSelector },
    });
  }
}

/** A custom resource's collection: `group`, `version`, `plural`. */
interface CustomResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

function customPrefix(resource: CustomResource): string {
  return `/apis/${resource.group}/${resource.version}`;
}

export class CustomObjectsApi {
  constructor(private readonly transport: KubeTransport) {}

  listNamespacedCustomObject(request: CustomResource & InNamespace): Promise<{ items?: KubernetesObject[] }> {
    return this.transport.call('GET', collection(customPrefix(request), request.namespace, request.plural));
  }

  createNamespacedCustomObject(request: CustomResource & InNamespace & WithBody<object>): Promise<object> {
    const path = collection(customPrefix(request), request.namespace, request.plural);
    return this.transport.call('POST', path, { body: request.body });
  }

  patchNamespacedCustomObjectStatus(
    request: CustomResource & InNamespace & Named & WithBody<object>,
  ): Promise<object> {
    return this.transport.call('PATCH', `${item(customPrefix(request), request, request.plural)}/status`, {
      body: request.body,
      contentType: MERGE_PATCH,
    });
  }

  deleteNamespacedCustomObject(request: CustomResource & InNamespace & Named): Promise<object> {
    return this.transport.call('DELETE', item(customPrefix(request), request, request.plural));
  }
}

const COORDINATION = '/apis/coordination.k8s.io/v1';

export class CoordinationV1Api {
  constructor(private readonly transport: KubeTransport) {}

  readNamespacedLease(where: InNamespace & Named): Promise<V1Lease> {
    return this.transport.call('GET', item(COORDINATION, where, 'leases'));
  }

  createNamespacedLease(request: InNamespace & WithBody<V1Lease>): Promise<V1Lease> {
    const path = collection(COORDINATION, request.namespace, 'leases');
    return this.transport.call('POST', path, { body: request.body });
  }

  replaceNamespacedLease(request: InNamespace & Named & WithBody<V1Lease>): Promise<V1Lease> {
    return this.transport.call('PUT', item(COORDINATION, request, 'leases'), { body: request.body });
  }
}

export class AppsV1Api {
  constructor(private readonly transport: KubeTransport) {}

  readNamespacedDeployment(where: InNamespace & Named): Promise<V1Deployment> {
    return this.transport.call('GET', item('/apis/apps/v1', where, 'deployments'));
  }
}

const WEBHOOK_CONFIGURATIONS = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

export class AdmissionregistrationV1Api {
  constructor(private readonly transport: KubeTransport) {}

  readValidatingWebhookConfiguration(where: Named): Promise<V1ValidatingWebhookConfiguration> {
    return this.transport.call('GET', `${WEBHOOK_CONFIGURATIONS}/${encodeURIComponent(where.name)}`);
  }

  replaceValidatingWebhookConfiguration(
    request: Named & WithBody<V1ValidatingWebhookConfiguration>,
  ): Promise<V1ValidatingWebhookConfiguration> {
    const path = `${WEBHOOK_CONFIGURATIONS}/${encodeURIComponent(request.name)}`;
    return this.transport.call('PUT', path, { body: request.body });
  }
}

export class AuthenticationV1Api {
  constructor(private readonly transport: KubeTransport) {}

  createTokenReview(request: WithBody<V1TokenReview>): Promise<V1TokenReview> {
    const path = '/apis/authentication.k8s.io/v1/tokenreviews';
    return this.transport.call('POST', path, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', ...request.body },
    });
  }
}

export class AuthorizationV1Api {
  constructor(private readonly transport: KubeTransport) {}

  createSubjectAccessReview(request: WithBody<V1SubjectAccessReview>): Promise<V1SubjectAccessReview> {
    const path = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
    const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', ...request.body };
    return this.transport.call('POST', path, { body });
  }
}
