// DESIGN "VIPs are never interface addresses": in standalone mode only ferrolb may answer ARP
// for a VIP, so the kernel must not (arp_ignore >= 1: answer only for addresses on the
// receiving interface) and must not source ARP from a VIP (arp_announce = 2). The kernel uses
// the larger of conf/all and conf/<interface> for both, so either place satisfies it.
import { readFile, writeFile } from 'node:fs/promises';
import { interfaceNameProblem } from './cluster.js';

/** The values standalone mode requires (minimums: larger values are stricter and fine). */
export const REQUIRED_ARP_SETTINGS = { arp_ignore: 1, arp_announce: 2 } as const;

type Setting = keyof typeof REQUIRED_ARP_SETTINGS;

function settingPath(scope: string, setting: Setting): string {
  return `/proc/sys/net/ipv4/conf/${scope}/${setting}`;
}

async function readSetting(scope: string, setting: Setting): Promise<number> {
  return Number.parseInt((await readFile(settingPath(scope, setting), 'utf8')).trim(), 10);
}

/**
 * Makes sure the kernel will not answer ARP for VIPs on `interfaces` (or on every interface,
 * through conf/all, when undefined). Returns the settings it changed, as `scope.setting=value`.
 * Throws an Error saying which setting could not be set and why (the caller refuses to start).
 */
export async function ensureArpSettings(interfaces: readonly string[] | undefined): Promise<string[]> {
  const scopes = interfaces ?? ['all'];
  // FILE's spec.interfaces was validated at load (issue 12 #9); this keeps any other caller from
  // building a path outside conf/ all the same, before anything is read or written.
  for (const [index, scope] of (interfaces ?? []).entries()) {
    const problem = interfaceNameProblem(scope);
    if (problem) throw new Error(`spec.interfaces[${index}]: not a valid interface name: ${problem}`);
  }
  const changed: string[] = [];
  for (const scope of scopes) {
    for (const setting of Object.keys(REQUIRED_ARP_SETTINGS) as Setting[]) {
      const required = REQUIRED_ARP_SETTINGS[setting];
      const effective = Math.max(await readSetting('all', setting), await readSettingOrZero(scope, setting));
      if (effective >= required) continue;
      try {
        await writeFile(settingPath(scope, setting), `${required}\n`);
      } catch (error) {
        throw new Error(
          `cannot set net.ipv4.conf.${scope}.${setting}=${required} (needed so the kernel never answers ARP for a VIP): ${(error as Error).message}`,
        );
      }
      changed.push(`${scope}.${setting}=${required}`);
    }
  }
  return changed;
}

async function readSettingOrZero(scope: string, setting: Setting): Promise<number> {
  try {
    return await readSetting(scope, setting);
  } catch {
    // The interface does not exist (yet): nothing to read; writing will say why it failed.
    return 0;
  }
}
