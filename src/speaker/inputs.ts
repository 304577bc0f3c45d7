// Builds one reconcile's inputs from the caches, gossip and the data plane. Pure over its
// arguments: the shell passes plain lists, so this is tested without an API server.
import type { Config, ConfigInput, NamespaceInfo } from '../config/index.js';
import type { InterfaceHealth } from '../election/index.js';
import { endpointsByService, readNode, readService } from './objects.js';
import type { InterfaceReport, MemberReport } from './ports.js';
import type { SpeakerInputs, SpeakerService } from './types.js';

/** The raw lists one reconcile reads. */
export interface RawWorld {
  readonly services: readonly unknown[];
  readonly endpointSlices: readonly unknown[];
  readonly nodes: readonly unknown[];
  readonly namespaces: readonly unknown[];
  readonly pools: readonly unknown[];
  readonly advertisements: readonly unknown[];
}

/** A Service that could not be read: logged by the shell, never fatal. */
export interface ServiceProblem {
  readonly key: string;
  readonly field: string;
  readonly message: string;
}

function metadataOf(object: unknown): { name?: unknown; namespace?: unknown; labels?: unknown } {
  const metadata = (object as { metadata?: unknown } | null)?.metadata;
  return typeof metadata === 'object' && metadata !== null ? metadata : {};
}

function describe(kind: string, object: unknown): string {
  const { name, namespace } = metadataOf(object);
  return `${kind} ${String(namespace ?? '')}/${String(name ?? '')}`;
}

/** The config module's input from the watched pools, advertisements and Namespaces (V5). */
export function configInputOf(world: RawWorld): ConfigInput {
  const namespaces: NamespaceInfo[] = world.namespaces.flatMap((object) => {
    const { name, labels } = metadataOf(object);
    if (typeof name !== 'string') return [];
    const plain = typeof labels === 'object' && labels !== null ? (labels as Record<string, string>) : {};
    return [{ name, labels: plain }];
  });
  const source = (kind: string) => (object: unknown) => ({
    source: describe(kind, object),
    object: (typeof object === 'object' && object !== null ? object : {}) as Record<string, unknown>,
  });
  return {
    pools: world.pools.map(source('IPAddressPool')),
    l2Advertisements: world.advertisements.map(source('L2Advertisement')),
    namespaces,
  };
}

/** Interface health of every gossip member, from its `interfaces` metadata (DESIGN election, Q10). */
export function interfaceHealthOf(members: readonly MemberReport[]): InterfaceHealth {
  const health: Record<string, Record<string, boolean>> = {};
  for (const member of members) {
    const interfaces = member.metadata.interfaces;
    if (typeof interfaces !== 'object' || interfaces === null) continue;
    health[member.name] = Object.fromEntries(
      Object.entries(interfaces).filter((entry): entry is [string, boolean] => typeof entry[1] === 'boolean'),
    );
  }
  return health;
}

/** L2: interfaces that exist here for the L13 check: every one not excluded or deselected. */
export function localInterfacesOf(reports: readonly InterfaceReport[]): string[] {
  return reports
    .filter((report) => report.skipReason !== 'excluded' && report.skipReason !== 'notSelected')
    .map((report) => report.name);
}

/** What gossip publishes about this node: each existing interface (L2) and whether it can answer now. */
export function healthMetadataOf(reports: readonly InterfaceReport[]): Record<string, boolean> {
  const existing = new Set(localInterfacesOf(reports));
  return Object.fromEntries(
    reports
      .filter((report) => existing.has(report.name))
      .map((report) => [report.name, report.up && report.usable]),
  );
}

/** Everything `reconcile` reads, plus the Services that could not be read. */
export function assembleInputs(
  world: RawWorld,
  context: {
    readonly base: Pick<SpeakerInputs, 'nodeName' | 'loadBalancerClass' | 'ignoreExcludeLb'>;
    readonly config: Config | undefined;
    readonly members?:
      | { readonly live: readonly string[]; readonly all: readonly MemberReport[] }
      | undefined;
    readonly interfaces?: readonly InterfaceReport[] | undefined;
  },
): { readonly inputs: SpeakerInputs; readonly problems: readonly ServiceProblem[] } {
  const services: SpeakerService[] = [];
  const problems: ServiceProblem[] = [];
  for (const object of world.services) {
    const read = readService(object);
    if (read.ok) services.push(read.value);
    else problems.push({ key: read.key, field: read.field, message: read.message });
  }
  const { members, interfaces } = context;
  const inputs: SpeakerInputs = {
    ...context.base,
    services,
    endpoints: endpointsByService(world.endpointSlices),
    nodes: world.nodes.flatMap((object) => readNode(object) ?? []),
    config: context.config,
    ...(members ? { liveMembers: members.live, interfaceHealth: interfaceHealthOf(members.all) } : {}),
    ...(interfaces ? { localInterfaces: localInterfacesOf(interfaces) } : {}),
  };
  return { inputs, problems };
}
