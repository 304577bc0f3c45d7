// The fields of the core Kubernetes objects `plan` reads (core/v1 as of Kubernetes 1.37), so a
// typo in a Service is refused the way the API server refuses it. The CRDs' own schemas come from
// deploy/crds (one place for those facts); only their `metadata` is ObjectMeta from here.
import type { FieldSchema } from './strict-fields.js';

const SCALAR: FieldSchema = {};
const ANY_MAP: FieldSchema = { additionalProperties: true };
const LIST: FieldSchema = { items: SCALAR };
const OPEN: FieldSchema = { open: true };

function object(...names: readonly string[]): Record<string, FieldSchema> {
  return Object.fromEntries(names.map((name) => [name, SCALAR]));
}

/** metav1.ObjectMeta. */
export const OBJECT_META: FieldSchema = {
  properties: {
    ...object(
      'name',
      'generateName',
      'namespace',
      'selfLink',
      'uid',
      'resourceVersion',
      'generation',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
    ),
    labels: ANY_MAP,
    annotations: ANY_MAP,
    finalizers: LIST,
    managedFields: OPEN,
    ownerReferences: {
      items: { properties: object('apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion') },
    },
  },
};

const CONDITIONS: FieldSchema = {
  items: {
    properties: object('type', 'status', 'observedGeneration', 'lastTransitionTime', 'reason', 'message'),
  },
};

const SERVICE_SPEC: FieldSchema = {
  properties: {
    ...object(
      'clusterIP',
      'type',
      'sessionAffinity',
      'loadBalancerIP',
      'externalName',
      'externalTrafficPolicy',
      'healthCheckNodePort',
      'publishNotReadyAddresses',
      'ipFamilyPolicy',
      'allocateLoadBalancerNodePorts',
      'loadBalancerClass',
      'internalTrafficPolicy',
      'trafficDistribution',
    ),
    ports: {
      items: { properties: object('name', 'protocol', 'appProtocol', 'port', 'targetPort', 'nodePort') },
    },
    selector: ANY_MAP,
    clusterIPs: LIST,
    externalIPs: LIST,
    loadBalancerSourceRanges: LIST,
    ipFamilies: LIST,
    sessionAffinityConfig: { properties: { clientIP: { properties: object('timeoutSeconds') } } },
  },
};

const SERVICE_STATUS: FieldSchema = {
  properties: {
    loadBalancer: {
      properties: {
        ingress: {
          items: {
            properties: {
              ...object('ip', 'hostname', 'ipMode'),
              ports: { items: { properties: object('port', 'protocol', 'error') } },
            },
          },
        },
      },
    },
    conditions: CONDITIONS,
  },
};

/** core/v1 Service. */
export const SERVICE: FieldSchema = {
  properties: {
    ...object('apiVersion', 'kind'),
    metadata: OBJECT_META,
    spec: SERVICE_SPEC,
    status: SERVICE_STATUS,
  },
};

/** core/v1 Namespace. */
export const NAMESPACE: FieldSchema = {
  properties: {
    ...object('apiVersion', 'kind'),
    metadata: OBJECT_META,
    spec: { properties: { finalizers: LIST } },
    status: { properties: { ...object('phase'), conditions: CONDITIONS } },
  },
};

/** A CRD's schema with `metadata` read as ObjectMeta (CRDs declare it as a bare object). */
export function withObjectMeta(schema: FieldSchema): FieldSchema {
  return { ...schema, properties: { ...schema.properties, metadata: OBJECT_META } };
}
