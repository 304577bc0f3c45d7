// A lab with `ferrolb standalone` running on every node: writes the shared FILE and key, starts
// and stops the speakers, and waits for the client to see the owners the election predicts.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashOrder } from '../../src/election/index.js';
import { ROUTE_PROTOCOL } from '../../src/standalone/routes.js';
import type { Lab, LabNode } from './lab.js';
import { fetchName, forgetNeighbour, resolveMac, waitFor } from './lab-probes.js';
import {
  type LabFileOptions,
  labDirectory,
  labFile,
  type Speaker,
  startSpeaker,
  writeFile,
} from './lab-speakers.js';
import { tryInNs } from './netns.js';

const DIST_MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

/** Throws unless the compiled CLI exists (the lab runs the real binary: `make build` first). */
export function requireBuild(): void {
  if (!existsSync(DIST_MAIN))
    throw new Error(`${DIST_MAIN} missing: run \`make build\` (npx tsc -p tsconfig.build.json) first`);
}

/** Speakers of one lab, all running the same FILE. */
export class LabCluster {
  readonly directory = labDirectory();
  readonly speakers = new Map<string, Speaker>();
  configPath = '';

  constructor(readonly lab: Lab) {}

  /**
   * Writes FILE (and the shared gossip key unless `secretKeyFile` is given) as `fileName`, and
   * makes it the default FILE of start().
   */
  writeConfig(
    options: Omit<LabFileOptions, 'secretKeyFile'> & { secretKeyFile?: string },
    fileName = 'ferrolb.yaml',
  ): string {
    const secretKeyFile =
      options.secretKeyFile ?? writeFile(this.directory, 'key', 'lab-shared-secret-22chr');
    this.configPath = writeFile(this.directory, fileName, labFile(this.lab, { ...options, secretKeyFile }));
    return this.configPath;
  }

  /** Starts a speaker on each named node (default all), optionally with another FILE. */
  start(
    names: readonly string[] = this.lab.nodes.map((node) => node.name),
    configPath = this.configPath,
  ): void {
    for (const name of names) {
      const node = this.lab.node(name);
      this.speakers.set(name, startSpeaker(this.lab, node, { configPath, logDirectory: this.directory }));
    }
  }

  /** The running speaker on `name`. */
  speaker(name: string): Speaker {
    const speaker = this.speakers.get(name);
    if (!speaker) throw new Error(`no speaker on ${name}`);
    return speaker;
  }

  /** Kills one speaker with `signal` and waits for it to exit; returns its exit code. */
  async stop(name: string, signal: NodeJS.Signals): Promise<number | null> {
    const speaker = this.speaker(name);
    speaker.kill(signal);
    const code = await speaker.waitExit();
    this.speakers.delete(name);
    return code;
  }

  /**
   * SIGKILLs every speaker still running and removes the local routes killed speakers leave
   * behind (a restarted speaker would flush them itself), so the next test starts clean.
   */
  async stopAll(): Promise<void> {
    await Promise.all([...this.speakers.keys()].map((name) => this.stop(name, 'SIGKILL')));
    for (const node of this.lab.nodes) {
      for (const family of ['-4', '-6']) {
        tryInNs(node.namespace, 'ip', [family, 'route', 'flush', 'table', 'local', 'proto', ROUTE_PROTOCOL]);
      }
    }
  }

  /** The logs of every speaker started so far, for failure messages. */
  logs(): string {
    return [...this.speakers.values()]
      .map((speaker) => `--- ${speaker.node.name}\n${speaker.log().slice(-4000)}`)
      .join('\n');
  }
}

/** The owner the election must pick for `ip` among `live` nodes (E8: first in hash order). */
export function expectedOwner(live: readonly string[], ip: string): string {
  return hashOrder(live, ip)[0] as string;
}

/** Waits until the client resolves `ip` to the MAC of node `name` (ARP or NDP). */
export function waitForOwner(lab: Lab, ip: string, name: string, timeoutMs = 45_000): Promise<string> {
  const want = lab.node(name).mac;
  return waitFor(() => (resolveMac(lab, ip) === want ? want : undefined), {
    timeoutMs,
    intervalMs: 100,
    what: `${ip} to resolve to ${name} (${want})`,
  });
}

/** Waits until curl through `ip` reaches node `name`'s HTTP server. */
export function waitForFetch(lab: Lab, ip: string, name: string, timeoutMs = 45_000): Promise<string> {
  return waitFor(() => (fetchName(lab, ip, 1) === name ? name : undefined), {
    timeoutMs,
    intervalMs: 100,
    what: `curl http://${ip}/ to answer ${name}`,
  });
}

/**
 * The negative DESIGN asks of every lab test: nothing answers for `ip` (no ARP/NDP reply, no
 * HTTP), so the kernel can never be mistaken for ferrolb. Returns what answered, if anything.
 */
export function whoAnswers(lab: Lab, ip: string): string | undefined {
  // Ask afresh: an entry cached while ferrolb ran must not stand in for an answer now.
  forgetNeighbour(lab, ip);
  const mac = resolveMac(lab, ip);
  if (mac) return `MAC ${mac}`;
  const name = fetchName(lab, ip, 1);
  return name === undefined ? undefined : `HTTP ${name}`;
}

/** ferrolb's local routes left in a node's namespace (ROUTE_PROTOCOL in table local). */
export function localRoutes(node: LabNode): string {
  const v4 = tryInNs(node.namespace, 'ip', [
    'route',
    'show',
    'table',
    'local',
    'proto',
    ROUTE_PROTOCOL,
  ]).output;
  const v6 = tryInNs(node.namespace, 'ip', [
    '-6',
    'route',
    'show',
    'table',
    'local',
    'proto',
    ROUTE_PROTOCOL,
  ]).output;
  return `${v4}${v6}`.trim();
}
