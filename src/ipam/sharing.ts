import { goQuote, type ServicePort } from '../config/index.js';

/** The sharing identity of one use of an address (A26). */
export interface SharingKey {
  readonly sharing: string;
  readonly backend: string;
}

/** `TCP/80`, as MetalLB's `Port.String()` (A28). */
export function portText(port: ServicePort): string {
  return `${port.protocol}/${port.port}`;
}

/**
 * A27/A28: MetalLB's `sharingOK`. In a shared pool (DESIGN "Shared pools") the allow-shared-ip keys
 * do not matter; only the backend keys (the Local-policy selectors) must still be equal.
 */
export function sharingError(
  existing: SharingKey,
  requested: SharingKey,
  sharedPool: boolean,
): string | undefined {
  if (!sharedPool) {
    if (existing.sharing === '') return 'existing service does not allow sharing';
    if (requested.sharing === '') return 'new service does not allow sharing';
    if (existing.sharing !== requested.sharing) {
      return `sharing key ${goQuote(requested.sharing)} does not match existing sharing key ${goQuote(existing.sharing)}`;
    }
  }
  if (existing.backend !== requested.backend) {
    return `backend key ${goQuote(requested.backend)} does not match existing sharing key ${goQuote(existing.backend)}`;
  }
  return undefined;
}

/** k8salloc.BackendKey: the selector as sorted `k=v` pairs for Local policy, else `''` (A26). */
export function backendKeyFor(
  externalTrafficPolicy: 'Cluster' | 'Local',
  selector: Readonly<Record<string, string>>,
): string {
  if (externalTrafficPolicy !== 'Local') return '';
  return Object.keys(selector)
    .sort()
    .map((key) => `${key}=${selector[key]}`)
    .join(',');
}
