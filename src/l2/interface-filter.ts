// Which interfaces the data plane uses, and for which family (MetalLB L1–L6, Q11, Q18). Pure: the
// watcher feeds it the rtnetlink dump (link-dump.ts turns it into LinkInfo).

/** MetalLB's default exclusion list (L1, metallb: config/native/exclude-l2-config.yaml), matched unanchored. */
export const DEFAULT_EXCLUDED_INTERFACES: readonly RegExp[] = [
  /^docker.*/,
  /^cbr.*/,
  /^dummy.*/,
  /^virbr.*/,
  /^lxcbr.*/,
  /^veth.*/,
  /^lo$/,
  /^cali.*/,
  /^tunl.*/,
  /^flannel.*/,
  /^kube-ipvs.*/,
  /^cni.*/,
  /^nodelocaldns.*/,
  /^lxc.*/,
];

/** One address of a link (RTM_GETADDR); scope by name when it has one (RT_SCOPE_*). */
export interface LinkAddress {
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLength: number;
  readonly scope: 'global' | 'site' | 'link' | 'host' | 'nowhere' | number;
}

/** One link as rtnetlink describes it (RTM_GETLINK, with its RTM_GETADDR addresses). */
export interface LinkInfo {
  readonly name: string;
  readonly index: number;
  readonly mac: string;
  /** IFF_* names as iproute2 prints them: UP, LOWER_UP, BROADCAST, NOARP, … */
  readonly flags: readonly string[];
  /** Set when the link is a bond slave, bridge port or VRF member (L4). */
  readonly master?: string;
  readonly hasIPv6LinkLocal: boolean;
  /** IFLA_OPERSTATE by RFC 2863 name (UP, DOWN, LOWERLAYERDOWN, …). */
  readonly operstate?: string;
  /** IFLA_INFO_KIND (bridge, bond, vlan, veth, …); absent for physical devices. */
  readonly kind?: string;
  readonly addresses?: readonly LinkAddress[];
}

/** Why an interface is not used; undefined reason = used. */
export type InterfaceSkipReason = 'excluded' | 'notSelected' | 'down' | 'enslaved' | 'noArp' | 'noFamily';

/** What the data plane does on one interface. */
export interface InterfaceState {
  readonly name: string;
  readonly index: number;
  readonly mac: string;
  /** Administratively up with carrier (IFF_UP and IFF_LOWER_UP). */
  readonly up: boolean;
  /** Used for ARP and/or NDP. */
  readonly usable: boolean;
  /** ARP responder here: usable and BROADCAST (L5). */
  readonly arp: boolean;
  /** NDP responder here: usable and an IPv6 link-local address (L6). */
  readonly ndp: boolean;
  readonly skipReason?: InterfaceSkipReason;
}

/** Selection options: MetalLB's exclusion list (L1) and the standalone `interfaces:` list. */
export interface InterfaceSelection {
  readonly exclude: readonly RegExp[];
  readonly only?: readonly string[];
}

/** Whether `name` is excluded (L1: any pattern matching anywhere in the name). */
export function isExcluded(name: string, exclude: readonly RegExp[]): boolean {
  return exclude.some((pattern) => new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test(name));
}

function skipReason(
  link: LinkInfo,
  selection: InterfaceSelection,
  up: boolean,
): InterfaceSkipReason | undefined {
  if (isExcluded(link.name, selection.exclude)) return 'excluded';
  if (selection.only && !selection.only.includes(link.name)) return 'notSelected';
  if (!up) return 'down';
  // L4: a bond slave or bridge port is not used; the bond or bridge itself is (metallb#316/#349).
  if (link.master !== undefined) return 'enslaved';
  if (link.flags.includes('NOARP')) return 'noArp';
  return undefined;
}

/** The state of one link under `selection` (L1–L6). */
export function interfaceState(link: LinkInfo, selection: InterfaceSelection): InterfaceState {
  const up = link.flags.includes('UP') && link.flags.includes('LOWER_UP');
  const base = { name: link.name, index: link.index, mac: link.mac, up };
  const reason = skipReason(link, selection, up);
  if (reason) return { ...base, usable: false, arp: false, ndp: false, skipReason: reason };
  // Q18: each family is decided on its own: ARP needs BROADCAST (L5), NDP a link-local (L6).
  const arp = link.flags.includes('BROADCAST');
  const ndp = link.hasIPv6LinkLocal;
  if (!arp && !ndp) return { ...base, usable: false, arp, ndp, skipReason: 'noFamily' };
  return { ...base, usable: true, arp, ndp };
}

/** States of every link, sorted by name so that equal inputs give equal outputs. */
export function selectInterfaces(
  links: readonly LinkInfo[],
  selection: InterfaceSelection,
): InterfaceState[] {
  return links
    .map((link) => interfaceState(link, selection))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Known interfaces (L2): every link not excluded by name, whatever its state. */
export function knownInterfaces(links: readonly LinkInfo[], exclude: readonly RegExp[]): string[] {
  return links.filter((link) => !isExcluded(link.name, exclude)).map((link) => link.name);
}
