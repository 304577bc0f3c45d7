// Local routes for owned VIPs (DESIGN "VIPs are never interface addresses"): the owner adds
// `local VIP dev lo` in table local so the kernel accepts traffic for the VIP without the VIP
// ever being an interface address, and removes it when it loses the IP.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Routing protocol number that marks ferrolb's routes, so a restart can find and remove the
 * routes a killed process left behind without touching anyone else's (unassigned in
 * /etc/iproute2/rt_protos).
 */
export const ROUTE_PROTOCOL = '199';

function familyFlag(ip: string): '-4' | '-6' {
  return ip.includes(':') ? '-6' : '-4';
}

/** Adds (or keeps) the local route for `ip`; idempotent. */
export async function addLocalRoute(ip: string): Promise<void> {
  await run('ip', [familyFlag(ip), 'route', 'replace', 'local', ip, 'dev', 'lo', 'proto', ROUTE_PROTOCOL]);
}

/** Removes the local route for `ip`; a route already gone is not an error. */
export async function removeLocalRoute(ip: string): Promise<void> {
  try {
    await run('ip', [familyFlag(ip), 'route', 'del', 'local', ip, 'dev', 'lo', 'table', 'local']);
  } catch (error) {
    if (!String((error as { stderr?: string }).stderr ?? '').includes('No such process')) throw error;
  }
}

/** Removes every route ferrolb added, in both families (leftovers of a killed process). */
export async function flushLocalRoutes(): Promise<void> {
  for (const family of ['-4', '-6']) {
    await run('ip', [family, 'route', 'flush', 'table', 'local', 'proto', ROUTE_PROTOCOL]);
  }
}

/** The VIPs that currently have a ferrolb local route. */
export async function listLocalRoutes(): Promise<string[]> {
  const addresses: string[] = [];
  for (const family of ['-4', '-6']) {
    const { stdout } = await run('ip', [
      '-j',
      family,
      'route',
      'show',
      'table',
      'local',
      'proto',
      ROUTE_PROTOCOL,
    ]);
    const routes = JSON.parse(stdout || '[]') as { dst?: string }[];
    for (const route of routes) if (route.dst) addresses.push(route.dst);
  }
  return addresses;
}
