// MetalLB's interface exclusion list (L1): `announcedInterfacesToExclude` in
// /etc/metallb/excludel2.yaml (ConfigMap `metallb-excludel2`), joined and matched unanchored.
import { parse } from 'yaml';

/** Where MetalLB's DaemonSet mounts the ConfigMap (D3). */
export const METALLB_EXCLUDE_CONFIG_PATH = '/etc/metallb/excludel2.yaml';

/** The patterns, or why the document is unusable (naming the field). */
export type ExcludeParse =
  | { readonly ok: true; readonly patterns: readonly RegExp[] }
  | { readonly ok: false; readonly reason: string };

/** Parses an excludel2.yaml document; every entry must be a string that compiles as a RegExp. */
export function parseExcludeConfig(text: string): ExcludeParse {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    return { ok: false, reason: `not YAML: ${(error as Error).message}` };
  }
  const list = (document as { announcedInterfacesToExclude?: unknown } | null)?.announcedInterfacesToExclude;
  if (list === undefined || list === null) return { ok: true, patterns: [] };
  if (!Array.isArray(list)) return { ok: false, reason: 'announcedInterfacesToExclude: expected a list' };
  const patterns: RegExp[] = [];
  for (const [index, entry] of list.entries()) {
    if (typeof entry !== 'string')
      return { ok: false, reason: `announcedInterfacesToExclude[${index}]: expected a string` };
    try {
      patterns.push(new RegExp(entry));
    } catch (error) {
      return { ok: false, reason: `announcedInterfacesToExclude[${index}]: ${(error as Error).message}` };
    }
  }
  return { ok: true, patterns };
}
