// The `ferrolb.io/v1alpha1` Cluster document of a standalone FILE (DESIGN "Standalone
// configuration (contract)"): the static member list, gossip settings and interfaces. Pure.
import { isIP } from 'node:net';
import { DEFAULT_GOSSIP_PORT } from '../membership/index.js';

/** apiVersion and kind that mark the Cluster document. */
export const CLUSTER_API_VERSION = 'ferrolb.io/v1alpha1';
export const CLUSTER_KIND = 'Cluster';
/** Label every member carries, as a Kubernetes Node does, so nodeSelectors can name members. */
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** One node of the standalone cluster. */
export interface ClusterMember {
  readonly name: string;
  readonly address: string;
  /**
   * Labels L2Advertisement nodeSelectors match against: always `kubernetes.io/hostname: name`,
   * plus the optional `labels` of the entry (a ferrolb extension; members are not Nodes).
   */
  readonly labels: Readonly<Record<string, string>>;
}

/** The parsed Cluster document. */
export interface ClusterSpec {
  readonly name: string;
  readonly members: readonly ClusterMember[];
  readonly gossipPort: number;
  readonly secretKeyFile?: string;
  /** Undefined: every usable interface. */
  readonly interfaces?: readonly string[];
}

/** The result of parsing: the spec, or the field at fault and why. */
export type ClusterParse =
  | { readonly ok: true; readonly value: ClusterSpec }
  | { readonly ok: false; readonly field: string; readonly reason: string };

type Fields = Readonly<Record<string, unknown>>;

/** Whether a YAML document is the Cluster document. */
export function isClusterDocument(document: unknown): boolean {
  const fields = asObject(document);
  return fields?.apiVersion === CLUSTER_API_VERSION && fields.kind === CLUSTER_KIND;
}

/** Parses and validates one Cluster document; names the first bad field. */
export function parseCluster(document: unknown): ClusterParse {
  const fields = asObject(document) ?? {};
  const name = asObject(fields.metadata)?.name;
  if (typeof name !== 'string' || name === '') return failure('metadata.name', 'must be a non-empty string');
  const spec = asObject(fields.spec);
  if (!spec) return failure('spec', 'must be an object');
  const members = parseMembers(spec.members);
  if (!members.ok) return members;
  const gossip = parseGossip(spec.gossip);
  if (!gossip.ok) return gossip;
  const interfaces = parseInterfaces(spec.interfaces);
  if (!interfaces.ok) return interfaces;
  return {
    ok: true,
    value: { name, members: members.value, ...gossip.value, ...interfaces.value },
  };
}

type Step<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; field: string; reason: string };

function parseMembers(value: unknown): Step<ClusterMember[]> {
  if (!Array.isArray(value) || value.length === 0) return failure('spec.members', 'must be a non-empty list');
  const members: ClusterMember[] = [];
  for (const [index, entry] of value.entries()) {
    const member = parseMember(entry, `spec.members[${index}]`);
    if (!member.ok) return member;
    const duplicate = members.find((other) => other.name === member.value.name);
    if (duplicate)
      return failure(`spec.members[${index}].name`, `duplicate member name "${member.value.name}"`);
    members.push(member.value);
  }
  return { ok: true, value: members };
}

function parseMember(entry: unknown, path: string): Step<ClusterMember> {
  const fields = asObject(entry);
  if (!fields) return failure(path, 'must be an object {name, address}');
  const { name, address } = fields;
  if (typeof name !== 'string' || name === '') return failure(`${path}.name`, 'must be a non-empty string');
  if (typeof address !== 'string' || isIP(address) === 0) {
    return failure(`${path}.address`, `"${String(address)}" is not an IP address`);
  }
  const labels = parseLabels(fields.labels, `${path}.labels`);
  if (!labels.ok) return labels;
  return { ok: true, value: { name, address, labels: { ...labels.value, [HOSTNAME_LABEL]: name } } };
}

function parseLabels(value: unknown, path: string): Step<Record<string, string>> {
  if (value === undefined) return { ok: true, value: {} };
  const fields = asObject(value);
  if (!fields) return failure(path, 'must be a map of strings');
  const labels: Record<string, string> = {};
  for (const [key, label] of Object.entries(fields)) {
    if (typeof label !== 'string') return failure(`${path}.${key}`, 'must be a string');
    labels[key] = label;
  }
  return { ok: true, value: labels };
}

function parseGossip(value: unknown): Step<{ gossipPort: number; secretKeyFile?: string }> {
  if (value === undefined) return { ok: true, value: { gossipPort: DEFAULT_GOSSIP_PORT } };
  const fields = asObject(value);
  if (!fields) return failure('spec.gossip', 'must be an object {port, secretKeyFile}');
  const port = fields.port ?? DEFAULT_GOSSIP_PORT;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    return failure('spec.gossip.port', `${String(port)} is not a port number (1-65535)`);
  }
  const secretKeyFile = fields.secretKeyFile;
  if (secretKeyFile === undefined) return { ok: true, value: { gossipPort: port } };
  if (typeof secretKeyFile !== 'string' || secretKeyFile === '') {
    return failure('spec.gossip.secretKeyFile', 'must be a non-empty path');
  }
  return { ok: true, value: { gossipPort: port, secretKeyFile } };
}

function parseInterfaces(value: unknown): Step<{ interfaces?: readonly string[] }> {
  if (value === undefined) return { ok: true, value: {} };
  if (!Array.isArray(value)) return failure('spec.interfaces', 'must be a list of interface names');
  for (const [index, name] of value.entries()) {
    const problem = interfaceNameProblem(name);
    if (problem) return failure(`spec.interfaces[${index}]`, `not a valid interface name: ${problem}`);
  }
  return { ok: true, value: { interfaces: value as string[] } };
}

/** IFNAMSIZ (linux/if.h) counts the terminating NUL: a name has at most 15 bytes. */
const INTERFACE_NAME_MAX_BYTES = 15;
/** Bytes the kernel's isspace() accepts (lib/ctype.c: \t \n \v \f \r, space and 0xA0). */
const KERNEL_SPACE_BYTES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]);

/**
 * Why `name` is not a name the kernel accepts (net/core/dev.c dev_valid_name), or undefined. The
 * names become /proc/sys paths (arp-sysctl.ts), so '/' and ".." must never get that far (issue 12 #9).
 */
export function interfaceNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'must be a string';
  const bytes = new TextEncoder().encode(name);
  if (bytes.length === 0) return 'empty';
  if (bytes.length > INTERFACE_NAME_MAX_BYTES)
    return `${JSON.stringify(name)} has ${bytes.length} bytes (at most ${INTERFACE_NAME_MAX_BYTES})`;
  if (name === '.' || name === '..') return `${JSON.stringify(name)} is reserved`;
  if (bytes.some((byte) => byte === 0 || byte === 0x2f || byte === 0x3a || KERNEL_SPACE_BYTES.has(byte)))
    return `${JSON.stringify(name)} contains '/', ':', NUL or whitespace`;
  return undefined;
}

function asObject(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

function failure(field: string, reason: string): { ok: false; field: string; reason: string } {
  return { ok: false, field, reason };
}
