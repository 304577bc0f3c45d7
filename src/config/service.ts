import { type Family, parseAddress } from './address.js';
import { arrayAt, FieldProblem, type Fields, integerAt, objectAt, stringAt, stringMapAt } from './fields.js';
import type { Parsed } from './pool.js';

/** `spec.ipFamilyPolicy`; absent means SingleStack (N6). */
export type FamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

/** One `spec.ports` entry as sharing sees it (A26): protocol defaults to TCP. */
export interface ServicePort {
  readonly protocol: string;
  readonly port: number;
}

/** A v1 Service reduced to what allocation and election read. */
export interface ServiceSpec {
  /** `namespace/name`, the key used everywhere. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  /** `spec.clusterIPs`, or `[spec.clusterIP]` when the list is empty and the field is set (N6). */
  readonly clusterIPs: readonly string[];
  /**
   * Families the Service family is taken from (N6): those of `clusterIPs`. `plan` and the standalone
   * mode fill it for Services written without cluster IPs (DESIGN plan contract).
   */
  readonly clusterFamilies: readonly Family[];
  readonly ipFamilies: readonly Family[];
  readonly ipFamilyPolicy: FamilyPolicy;
  readonly ports: readonly ServicePort[];
  readonly labels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly loadBalancerClass: string | undefined;
  readonly annotations: Readonly<Record<string, string>>;
  /** `spec.loadBalancerIP`, `''` when unset (N2). */
  readonly loadBalancerIP: string;
  /** `status.loadBalancer.ingress[].ip`, entries without an IP skipped (A4). */
  readonly ingressIPs: readonly string[];
}

const POLICIES: ReadonlySet<string> = new Set(['SingleStack', 'PreferDualStack', 'RequireDualStack']);

/** Parses a v1 Service object; `defaultNamespace` applies when metadata has none. */
export function parseService(object: Fields, defaultNamespace: string): Parsed<ServiceSpec> {
  try {
    const metadata = objectAt(object.metadata, 'metadata');
    const name = stringAt(metadata.name, 'metadata.name');
    if (name === '') throw new FieldProblem('metadata.name', 'missing name');
    const namespace =
      stringAt(metadata.namespace, 'metadata.namespace', defaultNamespace) || defaultNamespace;
    const spec = objectAt(object.spec, 'spec');
    const clusterIPs = readClusterIPs(spec);
    const value: ServiceSpec = {
      key: `${namespace}/${name}`,
      namespace,
      name,
      type: stringAt(spec.type, 'spec.type', 'ClusterIP'),
      clusterIPs,
      clusterFamilies: familiesOf(clusterIPs),
      ipFamilies: arrayAt(spec.ipFamilies, 'spec.ipFamilies', readFamily),
      ipFamilyPolicy: readPolicy(spec.ipFamilyPolicy),
      ports: arrayAt(spec.ports, 'spec.ports', readPort),
      labels: stringMapAt(metadata.labels, 'metadata.labels'),
      selector: stringMapAt(spec.selector, 'spec.selector'),
      externalTrafficPolicy: readTrafficPolicy(spec.externalTrafficPolicy),
      loadBalancerClass:
        spec.loadBalancerClass == null
          ? undefined
          : stringAt(spec.loadBalancerClass, 'spec.loadBalancerClass'),
      annotations: stringMapAt(metadata.annotations, 'metadata.annotations'),
      loadBalancerIP: stringAt(spec.loadBalancerIP, 'spec.loadBalancerIP'),
      ingressIPs: readIngress(object.status),
    };
    return { ok: true, value };
  } catch (error) {
    if (error instanceof FieldProblem) return { ok: false, field: error.field, message: error.reason };
    throw error;
  }
}

function readClusterIPs(spec: Fields): string[] {
  const list = arrayAt(spec.clusterIPs, 'spec.clusterIPs', (item, field) => stringAt(item, field));
  if (list.length > 0) return list;
  const single = stringAt(spec.clusterIP, 'spec.clusterIP');
  return single === '' ? [] : [single];
}

/** The families of cluster IPs that parse; `None` (headless) and garbage give none. */
function familiesOf(addresses: readonly string[]): Family[] {
  return addresses.flatMap((text) => {
    const address = parseAddress(text);
    return address ? [address.family] : [];
  });
}

function readFamily(value: unknown, field: string): Family {
  const family = stringAt(value, field);
  if (family !== 'IPv4' && family !== 'IPv6') throw new FieldProblem(field, `unknown IP family "${family}"`);
  return family;
}

function readPolicy(value: unknown): FamilyPolicy {
  const policy = stringAt(value, 'spec.ipFamilyPolicy', 'SingleStack');
  if (!POLICIES.has(policy)) throw new FieldProblem('spec.ipFamilyPolicy', `unknown policy "${policy}"`);
  return policy as FamilyPolicy;
}

function readTrafficPolicy(value: unknown): 'Cluster' | 'Local' {
  const policy = stringAt(value, 'spec.externalTrafficPolicy', 'Cluster');
  if (policy !== 'Cluster' && policy !== 'Local') {
    throw new FieldProblem('spec.externalTrafficPolicy', `unknown policy "${policy}"`);
  }
  return policy;
}

function readPort(value: unknown, field: string): ServicePort {
  const fields = objectAt(value, field);
  const port = integerAt(fields.port, `${field}.port`, 0);
  if (port < 1 || port > 65535) throw new FieldProblem(`${field}.port`, 'must be between 1 and 65535');
  return { protocol: stringAt(fields.protocol, `${field}.protocol`, 'TCP') || 'TCP', port };
}

function readIngress(status: unknown): string[] {
  const loadBalancer = objectAt(objectAt(status, 'status').loadBalancer, 'status.loadBalancer');
  const entries = arrayAt(loadBalancer.ingress, 'status.loadBalancer.ingress', (item, field) =>
    stringAt(objectAt(item, field).ip, `${field}.ip`),
  );
  return entries.filter((ip) => ip !== '');
}
