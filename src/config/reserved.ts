// Address blocks no pool may hold (issue 12 #5): announcing one would claim an address that is not
// unicast, or not on the link, or this host's own (loopback). A ferrolb addition: MetalLB accepts
// them (metallb-behaviour.md V1–V8 have no such check). Pure.
import { formatAddress } from './address.js';
import { type Cidr, cidrsOverlap, parseAddressesEntry } from './cidr.js';

/** Each block with the name the error gives it (RFC 6890 registries; RFC 4291 for IPv6). */
const RESERVED_BLOCKS: readonly (readonly [string, string])[] = [
  ['0.0.0.0/8', '"this network"'], // RFC 1122 §3.2.1.3
  ['127.0.0.0/8', 'loopback'], // RFC 1122 §3.2.1.3
  ['169.254.0.0/16', 'link-local'], // RFC 3927
  ['224.0.0.0/4', 'multicast'], // RFC 5771
  ['255.255.255.255/32', 'limited broadcast'], // RFC 919
  ['::/128', 'unspecified'], // RFC 4291 §2.5.2
  ['::1/128', 'loopback'], // RFC 4291 §2.5.3
  ['::ffff:0:0/96', 'IPv4-mapped'], // RFC 4291 §2.5.5.2: read as IPv4 (E9), so it could be any of the above
  ['fe80::/10', 'link-local'], // RFC 4291 §2.5.6
  ['ff00::/8', 'multicast'], // RFC 4291 §2.7
];

interface ReservedBlock {
  readonly cidr: Cidr;
  readonly kind: string;
}

const BLOCKS: readonly ReservedBlock[] = RESERVED_BLOCKS.map(([text, kind]) => {
  const parsed = parseAddressesEntry(text);
  const cidr = parsed.ok ? parsed.cidrs[0] : undefined;
  if (!cidr) throw new Error(`reserved block ${text} does not parse`);
  return { cidr, kind };
});

/** The first reserved address `cidr` holds and why it is reserved, or undefined. */
export function reservedAddressIn(
  cidr: Cidr,
): { readonly address: string; readonly kind: string } | undefined {
  const block = BLOCKS.find((candidate) => cidrsOverlap(candidate.cidr, cidr));
  if (!block) return undefined;
  // biome-ignore lint/complexity/useMathMinMax: these are bigints, which Math.max does not take
  const first = cidr.first > block.cidr.first ? cidr.first : block.cidr.first;
  return {
    address: formatAddress({ family: cidr.family, value: first }),
    kind: `${block.kind} ${block.cidr.text}`,
  };
}
