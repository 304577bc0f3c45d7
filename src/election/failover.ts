// What counts as a failover, for both speakers (ferrolb_failover_events_total): one definition, so
// the Kubernetes speaker and `ferrolb standalone` count the same thing.

/**
 * IPs this node gained that another node owned before: each is one failover event
 * (ferrolb_failover_events_total). IPs nobody owned before (start, new Services) are not.
 */
export function failoversGained(
  nodeName: string,
  previousOwners: ReadonlyMap<string, string>,
  gained: readonly string[],
): string[] {
  return gained.filter((ip) => {
    const before = previousOwners.get(ip);
    return before !== undefined && before !== nodeName;
  });
}
