// Runs `ferrolb standalone` on lab nodes as real child processes (node bin/ferrolb.js, after
// the build), with the same FILE on every node, and finds who owns a VIP from the client.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab, LabNode } from './lab.js';
import { resolveMac } from './lab-probes.js';
import { spawnInNs, tryInNs } from './netns.js';

/** The compiled CLI the lab runs (bin/ferrolb.js loads dist/). */
export const FERROLB_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/ferrolb.js');
/** The standalone metrics port inside each node namespace. */
export const LAB_METRICS_PORT = 7472;

/** One Service of the lab's FILE. */
export interface LabService {
  readonly name: string;
  /** Requested IPs (loadBalancerIPs annotation); absent: allocated from the pool. */
  readonly ips?: readonly string[];
  readonly dualStack?: boolean;
}

/** What goes into the lab's FILE. */
export interface LabFileOptions {
  readonly pools: readonly { readonly name: string; readonly addresses: readonly string[] }[];
  readonly services: readonly LabService[];
  readonly secretKeyFile?: string;
  readonly gossipPort?: number;
  readonly interfaces?: readonly string[];
}

function serviceDocument(service: LabService): string {
  const annotations = service.ips
    ? `\n  annotations: {metallb.io/loadBalancerIPs: "${service.ips.join(',')}"}`
    : '';
  const families = service.dualStack
    ? '\n  ipFamilyPolicy: RequireDualStack\n  ipFamilies: [IPv4, IPv6]'
    : '';
  return `apiVersion: v1
kind: Service
metadata:
  name: ${service.name}
  namespace: default${annotations}
spec:
  type: LoadBalancer${families}
  ports: [{port: 80, protocol: TCP}]`;
}

/** The text of a standalone FILE for this lab (every node a member). */
export function labFile(lab: Lab, options: LabFileOptions): string {
  const pools = options.pools.map(
    (pool) => `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: ${pool.name}, namespace: metallb-system}
spec:
  addresses: [${pool.addresses.map((entry) => `"${entry}"`).join(', ')}]`,
  );
  const members = lab.nodes.map((node) => `  - {name: ${node.name}, address: ${node.ipv4}}`).join('\n');
  const gossip = [
    `port: ${options.gossipPort ?? 7946}`,
    ...(options.secretKeyFile ? [`secretKeyFile: ${options.secretKeyFile}`] : []),
  ].join(', ');
  const interfaces = options.interfaces ? `\n  interfaces: [${options.interfaces.join(', ')}]` : '';
  const cluster = `apiVersion: ferrolb.io/v1alpha1
kind: Cluster
metadata: {name: ${lab.prefix}}
spec:
  members:
${members}
  gossip: {${gossip}}${interfaces}`;
  return [...pools, ...options.services.map(serviceDocument), cluster].join('\n---\n');
}

/** A temporary directory for FILEs, keys and logs. */
export function labDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'ferrolb-lab-'));
}

/** Writes `text` to `dir/name` and returns the path. */
export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** One running `ferrolb standalone`. */
export class Speaker {
  private readonly exited: Promise<number | null>;

  constructor(
    readonly node: LabNode,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  }

  /** Sends `signal` (SIGKILL for a crash, SIGTERM for a graceful stop). */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with the exit code once the process is gone. */
  waitExit(): Promise<number | null> {
    return this.exited;
  }

  /** The speaker's log so far (pino JSON lines). */
  log(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  /** Whether /readyz answers 200 inside the node's namespace. */
  isReady(): boolean {
    const result = tryInNs(this.node.namespace, 'curl', [
      '-sf',
      '-m',
      '1',
      `http://127.0.0.1:${LAB_METRICS_PORT}/readyz`,
    ]);
    return result.status === 0;
  }

  /** The /metrics text, or '' when unreachable. */
  metrics(): string {
    return tryInNs(this.node.namespace, 'curl', [
      '-s',
      '-m',
      '2',
      `http://127.0.0.1:${LAB_METRICS_PORT}/metrics`,
    ]).output;
  }
}

/** Starts `ferrolb standalone --config configPath --node <node>` inside the node's namespace. */
export function startSpeaker(
  lab: Lab,
  node: LabNode,
  options: { configPath: string; logDirectory: string; extraArgs?: readonly string[] },
): Speaker {
  const logFile = join(options.logDirectory, `${node.name}.log`);
  const output = openSync(logFile, 'a');
  const args = [
    FERROLB_BIN,
    'standalone',
    '--config',
    options.configPath,
    '--node',
    node.name,
    ...(options.extraArgs ?? []),
  ];
  const child = spawnInNs(node.namespace, process.execPath, args, { stdio: ['ignore', output, output] });
  lab.track(child);
  return new Speaker(node, child, logFile);
}

/** The lab node whose MAC answers for `ip` from the client, or undefined. */
export function ownerFromClient(lab: Lab, ip: string): LabNode | undefined {
  const mac = resolveMac(lab, ip);
  return mac ? lab.nodeByMac(mac) : undefined;
}
