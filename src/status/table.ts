// `ferrolb status` output: one row per LoadBalancer Service, answering "which IP, from which pool,
// announced by which node" and, when there is no IP or no owner, why (pure).
import type { StatusEvent, StatusOwner, StatusService, StatusSnapshot } from './snapshot.js';

/** One line of the table, every cell already text. */
export interface StatusRow {
  readonly service: string;
  readonly ips: string;
  readonly pool: string;
  readonly node: string;
  readonly interfaces: string;
  readonly note: string;
}

/** Column headers, in kubectl's style. */
export const STATUS_HEADERS: StatusRow = {
  service: 'SERVICE',
  ips: 'IPS',
  pool: 'POOL',
  node: 'NODE',
  interfaces: 'INTERFACES',
  note: 'NOTE',
};

/** Shown in a cell that has no value. */
export const NONE = '-';

/** R4: a ServiceL2Status without interfaces means the Service is announced on every usable interface. */
export const ALL_INTERFACES = '(all)';

const COLUMNS = ['service', 'ips', 'pool', 'node', 'interfaces', 'note'] as const;

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function latestWarning(events: readonly StatusEvent[]): StatusEvent | undefined {
  return events.reduce<StatusEvent | undefined>(
    (latest, event) => (latest === undefined || event.timeMs >= latest.timeMs ? event : latest),
    undefined,
  );
}

function describeEvent(event: StatusEvent | undefined): string {
  return event ? `${event.reason}: ${event.message}` : '';
}

/** The speakers' Event source (metallb-behaviour §6): only their warnings explain a missing owner. */
export const SPEAKER_COMPONENT = 'metallb-speaker';

/** Why a Service has no IP, or why nobody announces it; empty when all is well. */
function noteFor(
  service: StatusService,
  owners: readonly StatusOwner[],
  events: readonly StatusEvent[],
): string {
  const warning = describeEvent(latestWarning(events));
  if (service.ips.length === 0) {
    if (warning) return `no IP: ${warning}`;
    if (service.loadBalancerClass) {
      return `no IP: loadBalancerClass ${service.loadBalancerClass} (only a controller started with --lb-class ${service.loadBalancerClass} handles it)`;
    }
    return 'no IP yet: no controller has acted on it (is the controller running?)';
  }
  // An old AllocationFailed says nothing about a Service that has an IP now: only speakers' warnings.
  const speakerWarning = describeEvent(
    latestWarning(events.filter((event) => event.component === SPEAKER_COMPONENT)),
  );
  if (owners.length === 0)
    return speakerWarning ? `not announced: ${speakerWarning}` : 'not announced by any node';
  if (owners.length > 1) return 'announced by more than one node (changing owner?)';
  return '';
}

function interfacesOf(owners: readonly StatusOwner[]): string {
  if (owners.length === 0) return NONE;
  const names = [...new Set(owners.flatMap((owner) => owner.interfaces))].sort();
  return names.length === 0 ? ALL_INTERFACES : names.join(',');
}

/** One row per LoadBalancer Service, sorted by namespace then name. */
export function buildStatusRows(snapshot: Omit<StatusSnapshot, 'refusals'>): StatusRow[] {
  const ownersByService = groupBy(snapshot.owners, (owner) => key(owner.serviceNamespace, owner.serviceName));
  const eventsByService = groupBy(snapshot.events, (event) => key(event.namespace, event.name));
  return [...snapshot.services]
    .sort((left, right) => compare(left.namespace, right.namespace) || compare(left.name, right.name))
    .map((service) => {
      const serviceKey = key(service.namespace, service.name);
      const owners = ownersByService.get(serviceKey) ?? [];
      return {
        service: serviceKey,
        ips: service.ips.length > 0 ? service.ips.join(',') : NONE,
        pool: service.pool ?? NONE,
        node: owners.length > 0 ? [...new Set(owners.map((owner) => owner.node))].sort().join(',') : NONE,
        interfaces: interfacesOf(owners),
        note: noteFor(service, owners, eventsByService.get(serviceKey) ?? []),
      };
    });
}

/** Plain code-point order, so output does not depend on the locale. */
function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(keyOf(item));
    if (group) group.push(item);
    else groups.set(keyOf(item), [item]);
  }
  return groups;
}

/** The rows as aligned columns under a header line (the last column is not padded). */
export function formatStatusTable(rows: readonly StatusRow[]): string {
  if (rows.length === 0) return 'No Services of type LoadBalancer found.\n';
  const all = [STATUS_HEADERS, ...rows];
  const widths = COLUMNS.map((column) => Math.max(...all.map((row) => row[column].length)));
  const lines = all.map((row) =>
    COLUMNS.map((column, index) =>
      index === COLUMNS.length - 1 ? row[column] : row[column].padEnd(widths[index] ?? 0),
    )
      .join('  ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}
