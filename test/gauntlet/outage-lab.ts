// The outage trio (issue 12): three `ferrolb standalone` nodes and a client in a lab of their own
// beside the Kubernetes one. Standalone is where a VIP's data path follows its owner (the owner
// alone holds the local route, so only it answers the client's pings), which makes the client's
// kept neighbour cache matter: a stale entry pointing at a node that no longer owns the VIP is an
// outage the pinging client sees. Kubernetes speakers have no such data path in the lab (nothing
// answers a ping there), so the outage faults run here. Keyed gossip, plaintext on demand.
import { hashOrder } from '../../src/election/index.js';
import { Lab, type LabNode } from '../helpers/lab.js';
import { LAB_METRICS_PORT, labFile, type Speaker, startSpeaker, writeFile } from '../helpers/lab-speakers.js';
import { OutageMeter } from './outage.js';
import { firstAnswer, metricSum, namespaceMetrics, runInNamespace } from './probes.js';

/** The trio's pools; addresses overlap the Kubernetes lab's only in another set of namespaces. */
const POOLS = [{ name: 'trio', addresses: ['203.0.113.0/28', '2001:db8:1::5:0/124'] }];
const QUIET_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type GossipMode = 'keyed' | 'plaintext';

/** The dual-stack Service's IPs; its IPv4 one is its hash key (E9). */
const DUAL_IPS = ['203.0.113.14', '2001:db8:1::5:e'];

/**
 * The trio's Services: the dual-stack one, plus one IPv4 Service (from .1 to .12) for each node
 * the dual-stack one does not elect, so every node owns a VIP (election hash order, E8).
 */
export function trioServices(
  nodes: readonly string[],
): { name: string; ips: string[]; dualStack?: boolean }[] {
  const services: { name: string; ips: string[]; dualStack?: boolean }[] = [
    { name: 'trio-dual', ips: DUAL_IPS, dualStack: true },
  ];
  const owners = new Set([hashOrder(nodes, DUAL_IPS[0] as string)[0]]);
  for (let last = 1; last <= 12 && owners.size < nodes.length; last += 1) {
    const ip = `203.0.113.${last}`;
    const owner = hashOrder(nodes, ip)[0];
    if (owners.has(owner)) continue;
    owners.add(owner);
    services.push({ name: `trio-${services.length}`, ips: [ip] });
  }
  return services;
}

/** The running trio. */
export class OutageLab {
  readonly meter: OutageMeter;
  readonly speakers = new Map<string, Speaker>();
  /** Every VIP with its Service's first IP (the election's hash key, E9). */
  readonly vips = new Map<string, string>();
  private readonly expectedExits = new Set<Speaker>();
  private readonly configs: Record<GossipMode, string>;
  mode: GossipMode = 'keyed';

  private constructor(
    readonly lab: Lab,
    readonly logDirectory: string,
    private readonly onCrash: (what: string) => void,
  ) {
    this.meter = new OutageMeter(lab.clientNamespace);
    const services = trioServices(lab.nodes.map((node) => node.name));
    for (const service of services) for (const ip of service.ips) this.vips.set(ip, service.ips[0] as string);
    const secretKeyFile = writeFile(logDirectory, 'trio-key', 'gauntlet-trio-secret-22');
    this.configs = {
      keyed: writeFile(
        logDirectory,
        'trio-keyed.yaml',
        labFile(lab, { pools: POOLS, services, secretKeyFile }),
      ),
      plaintext: writeFile(logDirectory, 'trio-plaintext.yaml', labFile(lab, { pools: POOLS, services })),
    };
  }

  /** Builds the lab `prefix` and starts the three speakers (keyed), the meter and waits for quiet. */
  static async create(
    prefix: string,
    logDirectory: string,
    onCrash: (what: string) => void,
  ): Promise<OutageLab> {
    const lab = Lab.create({ prefix, nodeCount: 3, httpServers: false });
    const trio = new OutageLab(lab, logDirectory, onCrash);
    trio.start(lab.nodes.map((node) => node.name));
    trio.meter.watch(trio.vips.keys());
    return trio;
  }

  /** Starts the speaker of each named node that is not running. */
  start(names: readonly string[]): void {
    for (const name of names) {
      if (this.speakers.has(name)) continue;
      const node = this.lab.node(name);
      const speaker = startSpeaker(this.lab, node, {
        configPath: this.configs[this.mode],
        logDirectory: this.logDirectory,
      });
      this.speakers.set(name, speaker);
      void speaker.waitExit().then((code) => {
        if (this.expectedExits.delete(speaker)) return;
        this.speakers.delete(name);
        this.onCrash(`trio speaker ${name} exited with code ${code}\n${speaker.log().slice(-2000)}`);
      });
    }
  }

  /** Sends `signal` and waits for the exit; resolves to the exit code. */
  async stop(name: string, signal: NodeJS.Signals): Promise<number | null> {
    const speaker = this.speakers.get(name);
    if (!speaker) return null;
    this.expectedExits.add(speaker);
    speaker.kill(signal);
    const code = await speaker.waitExit();
    this.speakers.delete(name);
    return code;
  }

  /** SIGSTOP or SIGCONT one speaker. */
  signal(name: string, signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.speakers.get(name)?.kill(signal);
  }

  /** Waits until each named speaker serves /readyz; false after `timeoutMs`. */
  async waitReady(names: readonly string[], timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (const name of names) {
      const node = this.lab.node(name);
      const args = ['-sf', '-m', '1', `http://127.0.0.1:${LAB_METRICS_PORT}/readyz`];
      while ((await runInNamespace(node.namespace, 'curl', { args, timeoutMs: 3_000 })).status !== 0) {
        if (Date.now() > deadline) return false;
        await sleep(250);
      }
    }
    return true;
  }

  /** The node that must own `ip` when every node runs (E8 over the Service's first IP). */
  expectedOwner(ip: string): LabNode {
    const names = this.lab.nodes.map((node) => node.name);
    return this.lab.node(hashOrder(names, this.vips.get(ip) ?? ip)[0] as string);
  }

  /** A node that owns at least one VIP, and those VIPs. */
  ownerOf(pick: (names: string[]) => string): { node: LabNode; ips: string[] } {
    const owners = [...new Set([...this.vips.keys()].map((ip) => this.expectedOwner(ip).name))];
    const node = this.lab.node(pick(owners));
    return { node, ips: [...this.vips.keys()].filter((ip) => this.expectedOwner(ip).name === node.name) };
  }

  /** The quiet state: every VIP answered by its expected owner and answering pings; the problems left. */
  async quiet(timeoutMs = QUIET_TIMEOUT_MS): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const problems: string[] = [];
      for (const ip of this.vips.keys()) {
        const mac = await firstAnswer(this.lab.clientNamespace, ip);
        const want = this.expectedOwner(ip);
        if (mac !== want.mac.toLowerCase())
          problems.push(
            `${ip}: answered by ${this.lab.nodeByMac(mac ?? '')?.name ?? mac ?? 'nobody'}, expected ${want.name}`,
          );
      }
      if (!this.meter.allAnswering()) problems.push(`pings unanswered: ${this.meter.ips.join(',')}`);
      if (problems.length === 0 || Date.now() > deadline) return problems;
      await sleep(1_000);
    }
  }

  /** Restarts every speaker with the keyed or the plaintext FILE (SIGTERM first). */
  async useMode(mode: GossipMode): Promise<void> {
    const names = this.lab.nodes.map((node) => node.name);
    for (const name of names) await this.stop(name, 'SIGTERM');
    this.mode = mode;
    this.start(names);
    await this.waitReady(names);
  }

  /** Sum of one metric across the running speakers. */
  async metric(name: string, labelParts: readonly string[] = []): Promise<number> {
    const texts = await Promise.all(
      this.lab.nodes.map((node) => namespaceMetrics(node.namespace, LAB_METRICS_PORT)),
    );
    return texts.reduce((sum, text) => sum + metricSum(text, name, labelParts), 0);
  }

  /** The same metric per node. */
  async metricByNode(name: string, labelParts: readonly string[] = []): Promise<Map<string, number>> {
    const values = new Map<string, number>();
    for (const node of this.lab.nodes)
      values.set(
        node.name,
        metricSum(await namespaceMetrics(node.namespace, LAB_METRICS_PORT), name, labelParts),
      );
    return values;
  }

  async destroy(): Promise<void> {
    this.meter.stop();
    for (const name of [...this.speakers.keys()]) {
      this.signal(name, 'SIGCONT');
      await this.stop(name, 'SIGKILL');
    }
    this.lab.destroy();
  }
}
