import {
  Annotation,
  type Family,
  formatAddress,
  goQuote,
  goQuoteList,
  parseAddress,
  readAnnotation,
  type ServiceSpec,
} from '../config/index.js';
import { type AllocateRequest, backendKeyFor, type ServiceFamily } from '../ipam/index.js';

/** A family, or MetalLB's error text when it cannot be determined (`ipfamily.ForAddresses`). */
export type FamilyResult =
  | { readonly ok: true; readonly family: ServiceFamily }
  | { readonly ok: false; readonly message: string };

/** `ipfamily.ForAddresses`: 1 address gives its family, 2 of different families give dual. */
export function familyOfAddresses(ips: readonly string[]): FamilyResult {
  const addresses = ips.map(parseAddress);
  if (ips.length < 1 || ips.length > 2) {
    return {
      ok: false,
      message: `IPFamilyForAddresses: invalid ips length ${ips.length} ${goQuoteList(ips)}`,
    };
  }
  if (addresses.some((address) => address === undefined)) {
    return { ok: false, message: `IPFamilyForAddresses: Invalid address ${goQuoteList(ips)}` };
  }
  const [first, second] = addresses;
  if (!second) return { ok: true, family: first?.family ?? 'IPv4' };
  if (first?.family === second.family) {
    return { ok: false, message: `IPFamilyForAddresses: same address family ${goQuoteList(ips)}` };
  }
  return { ok: true, family: 'dual' };
}

/** N6: the Service family from its cluster IPs (or the families `plan` assumed for it). */
export function serviceFamily(service: ServiceSpec): FamilyResult {
  if (service.clusterIPs.length > 0) return familyOfAddresses(service.clusterIPs);
  return familyOfFamilies(service.clusterFamilies);
}

function familyOfFamilies(families: readonly Family[]): FamilyResult {
  const distinct = new Set(families);
  if (families.length === 0 || families.length > 2 || distinct.size !== families.length) {
    return { ok: false, message: `IPFamilyForAddresses: invalid ips length ${families.length} []` };
  }
  return { ok: true, family: distinct.size === 2 ? 'dual' : (families[0] as Family) };
}

/** Requested addresses (N2, N3): canonical text and their family, or MetalLB's error. */
export type DesiredIPs =
  | { readonly ok: true; readonly ips: readonly string[]; readonly family: ServiceFamily | undefined }
  | { readonly ok: false; readonly message: string };

/** `getDesiredLbIPs`: the loadBalancerIPs annotation or `spec.loadBalancerIP`, never both (N2, N3). */
export function desiredIPs(service: ServiceSpec): DesiredIPs {
  const annotation = readAnnotation(service.annotations, Annotation.loadBalancerIPs) ?? '';
  const specIP = service.loadBalancerIP;
  if (annotation === '' && specIP === '') return { ok: true, ips: [], family: undefined };
  if (annotation !== '' && specIP !== '') {
    return {
      ok: false,
      message: `service can not have both ${Annotation.loadBalancerIPs.current} and svc.Spec.LoadBalancerIP`,
    };
  }
  if (annotation === '') {
    const address = parseAddress(specIP);
    if (!address) return { ok: false, message: `invalid spec.loadBalancerIP ${goQuote(specIP)}` };
    return { ok: true, ips: [formatAddress(address)], family: address.family };
  }
  const addresses = annotation.split(',').map((item) => parseAddress(item.trim()));
  if (addresses.some((address) => address === undefined)) {
    return { ok: false, message: `invalid ${Annotation.loadBalancerIPs.current}: ${goQuote(annotation)}` };
  }
  const ips = addresses.map((address) => formatAddress(address as NonNullable<typeof address>));
  const family = familyOfAddresses(ips);
  if (!family.ok) return family;
  return { ok: true, ips, family: family.family };
}

/** The allocator request for a Service (A26 keys, N6 family and primary family). */
export function allocateRequestFor(service: ServiceSpec, family: ServiceFamily): AllocateRequest {
  return {
    serviceKey: service.key,
    namespace: service.namespace,
    labels: service.labels,
    ports: service.ports,
    sharingKey: readAnnotation(service.annotations, Annotation.allowSharedIP) ?? '',
    backendKey: backendKeyFor(service.externalTrafficPolicy, service.selector),
    family,
    policy: service.ipFamilyPolicy,
    primaryFamily: service.ipFamilies[0] === 'IPv6' ? 'IPv6' : 'IPv4',
  };
}

/** Whether two address lists hold the same addresses, compared on copies (Q1: never re-sort ingress). */
export function sameAddressSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sortedA = [...a].sort();
  const sortedB = [...b].sort();
  return sortedA.every((ip, index) => ip === sortedB[index]);
}
