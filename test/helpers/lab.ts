// The namespace lab (DESIGN "Real parts in tests"): one namespace holding a bridge, N node
// namespaces and a client namespace, each linked to the bridge by a veth named `eth0`. Nodes run
// a tiny HTTP server answering their own name, so a client fetching a VIP learns which node
// answered. Used by the lab tests, `make demo` and bench/failover.
import type { ChildProcess } from 'node:child_process';
import {
  attachToBridge,
  createBridge,
  createNamespace,
  inNs,
  NETNS_PREFIX,
  sh,
  spawnInNs,
  tryInNs,
} from './netns.js';

/** One node of the lab: its namespace, addresses and the MAC of its `eth0`. */
export interface LabNode {
  readonly name: string;
  readonly namespace: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly mac: string;
  /** The bridge-side end of the node's veth (in the bridge namespace). */
  readonly bridgePort: string;
}

/** A host on the lab's link that is neither a node nor the client (e.g. the lab's API endpoint). */
export interface LabPeer {
  readonly namespace: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

/** How to build a lab. */
export interface LabOptions {
  /** Distinguishes concurrent labs (tests, demo, bench); every namespace name starts with it. */
  readonly prefix: string;
  readonly nodeCount: number;
  /** Start the per-node HTTP server (default true). */
  readonly httpServers?: boolean;
}

/** The client sits at .100 in both families. */
export const CLIENT_IPV4 = '198.51.100.100';
export const CLIENT_IPV6 = '2001:db8:1::100';
/** VIPs come from 203.0.113.0/24 (toolchain T0.2); the client reaches them on-link. */
export const VIP_IPV4_PREFIX = '203.0.113.0/24';
const BRIDGE = 'br0';
const NODE_LETTERS = 'abcdefghijklmnop';

// The HTTP server every node runs: Node's own `http`, one listener per family so an IPv6
// listener never swallows IPv4 (ipv6Only), each answering the node's name.
const HTTP_SERVER_SOURCE = `
const http = require('node:http');
const name = process.argv[1];
const handler = (request, response) => { response.end(name + '\\n'); };
http.createServer(handler).listen({ port: 80, host: '0.0.0.0' });
http.createServer(handler).listen({ port: 80, host: '::', ipv6Only: true });
`;

/** Kills every process left in namespaces starting with `prefix`, then deletes them. */
export function sweepLab(prefix: string): void {
  if (!prefix.startsWith(NETNS_PREFIX))
    throw new Error(`lab prefix ${prefix} must start with ${NETNS_PREFIX}`);
  const names = sh('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`${prefix}-`));
  for (const name of names) {
    // A namespace outlives its deletion while a process holds it: kill them first.
    const pids = tryInNsPids(name);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already exited.
      }
    }
    try {
      sh('ip', ['netns', 'del', name]);
    } catch {
      // Removed concurrently.
    }
  }
}

function tryInNsPids(namespace: string): number[] {
  try {
    return sh('ip', ['netns', 'pids', namespace])
      .split('\n')
      .map((line) => Number.parseInt(line, 10))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  } catch {
    return [];
  }
}

/** Sets the sysctls every lab namespace needs; nodes also get the standalone-mode ARP settings. */
function configureNamespace(namespace: string, isNode: boolean): void {
  const settings = ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'];
  // DESIGN "VIPs are never interface addresses": the kernel must never answer ARP for a VIP.
  if (isNode) settings.push('net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2');
  inNs(namespace, 'sysctl', ['-q', '-w', ...settings]);
}

function addAddresses(namespace: string, ipv4: string, ipv6: string): void {
  inNs(namespace, 'ip', ['addr', 'add', `${ipv4}/24`, 'dev', 'eth0']);
  inNs(namespace, 'ip', ['-6', 'addr', 'add', `${ipv6}/64`, 'dev', 'eth0', 'nodad']);
}

/** A lab of namespaces; `Lab.create` builds it, `destroy` removes all of it (also on exit or SIGINT). */
export class Lab {
  readonly nodes: readonly LabNode[];
  readonly clientNamespace: string;
  readonly bridgeNamespace: string;
  private readonly children = new Set<ChildProcess>();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.destroy();
    process.kill(process.pid, signal);
  };
  private readonly onExit = () => this.destroy();
  private destroyed = false;

  private constructor(
    readonly prefix: string,
    nodes: readonly LabNode[],
  ) {
    this.nodes = nodes;
    this.clientNamespace = `${prefix}-client`;
    this.bridgeNamespace = `${prefix}-br`;
  }

  /** Builds the lab after sweeping leftovers of an earlier run with the same prefix. */
  static create(options: LabOptions): Lab {
    const { prefix, nodeCount } = options;
    if (nodeCount < 1 || nodeCount > NODE_LETTERS.length)
      throw new Error(`nodeCount ${nodeCount} out of range`);
    sweepLab(prefix);
    const bridgeNamespace = `${prefix}-br`;
    createNamespace(bridgeNamespace);
    createBridge(bridgeNamespace, BRIDGE);
    const nodes: LabNode[] = [];
    const lab = new Lab(prefix, nodes);
    lab.installCleanup();
    for (let index = 0; index < nodeCount; index += 1) nodes.push(lab.addNode(index));
    lab.addClient();
    if (options.httpServers !== false) for (const node of nodes) lab.startHttpServer(node);
    return lab;
  }

  private installCleanup(): void {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
    process.once('exit', this.onExit);
  }

  private addNode(index: number): LabNode {
    const name = `node-${NODE_LETTERS[index]}`;
    const namespace = `${this.prefix}-${name}`;
    const bridgePort = `v-${name}`;
    createNamespace(namespace);
    configureNamespace(namespace, true);
    const mac = attachToBridge({
      ns: namespace,
      bridgeNs: this.bridgeNamespace,
      bridge: BRIDGE,
      hostSide: bridgePort,
    });
    const ipv4 = `198.51.100.${11 + index}`;
    const ipv6 = `2001:db8:1::${11 + index}`;
    addAddresses(namespace, ipv4, ipv6);
    return { name, namespace, ipv4, ipv6, mac, bridgePort };
  }

  private addClient(): void {
    createNamespace(this.clientNamespace);
    configureNamespace(this.clientNamespace, false);
    attachToBridge({
      ns: this.clientNamespace,
      bridgeNs: this.bridgeNamespace,
      bridge: BRIDGE,
      hostSide: 'v-client',
    });
    addAddresses(this.clientNamespace, CLIENT_IPV4, CLIENT_IPV6);
    // VIPs live outside the link's /24 but on the same wire: resolve them by ARP, as a LAN host would.
    inNs(this.clientNamespace, 'ip', ['route', 'add', VIP_IPV4_PREFIX, 'dev', 'eth0']);
  }

  /**
   * Adds namespace `<prefix>-<name>` linked to the bridge like a node (its own veth `eth0`, no ARP
   * sysctls: it never answers for a VIP anyway), holding `ipv4`/24 and `ipv6`/64. Swept with the lab.
   */
  addPeer(name: string, addresses: { ipv4: string; ipv6: string }): LabPeer {
    const namespace = `${this.prefix}-${name}`;
    createNamespace(namespace);
    configureNamespace(namespace, false);
    attachToBridge({ ns: namespace, bridgeNs: this.bridgeNamespace, bridge: BRIDGE, hostSide: `v-${name}` });
    addAddresses(namespace, addresses.ipv4, addresses.ipv6);
    return { namespace, ...addresses };
  }

  private startHttpServer(node: LabNode): void {
    this.track(
      spawnInNs(node.namespace, process.execPath, ['-e', HTTP_SERVER_SOURCE, node.name], { stdio: 'ignore' }),
    );
  }

  /** Keeps `child` so that destroy() kills it; returns it. */
  track(child: ChildProcess): ChildProcess {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** The node called `name`. */
  node(name: string): LabNode {
    const found = this.nodes.find((node) => node.name === name);
    if (!found) throw new Error(`no lab node ${name}`);
    return found;
  }

  /** The node whose eth0 has `mac`, if any. */
  nodeByMac(mac: string): LabNode | undefined {
    return this.nodes.find((node) => node.mac.toLowerCase() === mac.toLowerCase());
  }

  /** Runs a program in the client namespace; returns status and output, never throws. */
  inClient(program: string, args: readonly string[]): { status: number; output: string } {
    return tryInNs(this.clientNamespace, program, args);
  }

  /**
   * Cuts a node off the bridge while its link stays up on both ends: the bridge port goes to
   * the STP "disabled" state, which drops every frame in both directions without touching the
   * carrier, so the node still believes its link is fine (a real partition, not an
   * interface-down event its data plane would notice). This kernel has no tc classifiers.
   */
  partition(name: string): void {
    this.setPortState(name, 'disabled');
  }

  /** Undoes partition(). */
  heal(name: string): void {
    this.setPortState(name, 'forwarding');
  }

  private setPortState(name: string, state: 'disabled' | 'forwarding'): void {
    const code = state === 'disabled' ? '0' : '3';
    inNs(this.bridgeNamespace, 'bridge', ['link', 'set', 'dev', this.node(name).bridgePort, 'state', code]);
  }

  /** Kills every process the lab started and deletes its namespaces. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.off('exit', this.onExit);
    for (const child of this.children) child.kill('SIGKILL');
    sweepLab(this.prefix);
  }
}
