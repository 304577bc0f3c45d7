// R4: which ServiceL2Status objects this node must create, update and delete so that exactly one
// exists per Service it announces, and none for the others (non-owners delete their copies). Pure.
import { type Fields, isFields } from '../config/index.js';
import type { DesiredL2Status } from './types.js';

/** A ServiceL2Status this node wrote earlier, as read back from the API. */
export interface ExistingL2Status extends DesiredL2Status {
  readonly name: string;
}

/** The changes that bring the existing objects to the desired set. */
export interface StatusPlan {
  readonly create: readonly DesiredL2Status[];
  /** Same Service, different interfaces: only `status.interfaces` may change (the rest is immutable). */
  readonly update: readonly { readonly name: string; readonly status: DesiredL2Status }[];
  readonly remove: readonly string[];
}

function serviceKeyOf(status: DesiredL2Status): string {
  return `${status.serviceNamespace}/${status.serviceName}`;
}

function sameInterfaces(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => b[index] === name);
}

/** Reads one ServiceL2Status object; undefined when it lacks a name or its Service fields. */
export function readL2Status(object: unknown): ExistingL2Status | undefined {
  if (!isFields(object) || !isFields(object.metadata)) return undefined;
  const status: Fields = isFields(object.status) ? object.status : {};
  const name = object.metadata.name;
  const { serviceName, serviceNamespace, node } = status;
  if (typeof name !== 'string') return undefined;
  const interfaces = (Array.isArray(status.interfaces) ? status.interfaces : [])
    .map((entry) => (isFields(entry) && typeof entry.name === 'string' ? entry.name : ''))
    .filter((entry) => entry !== '');
  return {
    name,
    serviceName: typeof serviceName === 'string' ? serviceName : '',
    serviceNamespace: typeof serviceNamespace === 'string' ? serviceNamespace : '',
    node: typeof node === 'string' ? node : '',
    interfaces,
  };
}

/**
 * Diffs this node's existing objects against the desired ones. An object for another node, for a
 * Service no longer announced, or a duplicate for the same Service is removed; an object whose
 * status was never written (empty Service fields) is removed and created again.
 */
export function planStatusChanges(
  desired: readonly DesiredL2Status[],
  existing: readonly ExistingL2Status[],
): StatusPlan {
  const wanted = new Map(desired.map((status) => [serviceKeyOf(status), status]));
  const kept = new Set<string>();
  const update: { name: string; status: DesiredL2Status }[] = [];
  const remove: string[] = [];
  for (const object of existing) {
    const key = serviceKeyOf(object);
    const status = wanted.get(key);
    if (!status || kept.has(key) || object.node !== status.node) {
      remove.push(object.name);
      continue;
    }
    kept.add(key);
    if (!sameInterfaces(object.interfaces, status.interfaces)) update.push({ name: object.name, status });
  }
  const create = desired.filter((status) => !kept.has(serviceKeyOf(status)));
  return { create, update, remove };
}
