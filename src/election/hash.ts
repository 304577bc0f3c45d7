import { createHash } from 'node:crypto';
import { goIPString } from './ip-string.js';

/** SHA-256 of the UTF-8 of `node + "#" + ip`, the key MetalLB sorts candidates by (E8). */
export function electionDigest(node: string, ip: string): Buffer {
  return createHash('sha256').update(`${node}#${ip}`, 'utf8').digest();
}

/**
 * `nodes` in ascending byte order of SHA-256(`node#ip`), with `ip` first rewritten to Go's
 * `net.IP.String()` form so every speaker, ferrolb or MetalLB, hashes the same text (E8, E9).
 * Every node must get the same order whatever order its inputs came in, so ties (duplicate
 * names only) fall back to the name.
 */
export function hashOrder(nodes: readonly string[], ip: string): string[] {
  const text = goIPString(ip) ?? ip;
  const keyed = nodes.map((node) => ({ node, digest: electionDigest(node, text) }));
  keyed.sort((a, b) => Buffer.compare(a.digest, b.digest) || compareText(a.node, b.node));
  return keyed.map((entry) => entry.node);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
