// Random churn (issue 7 item 1): Services, endpoints, pools, L2Advertisements and Nodes change
// under ferrolb while it runs. Each operation changes a copy of the model, applies it, and only
// then commits it, so the model always says what the API server holds.
import type { Applier } from './apply.js';
import {
  type AdvertisementModel,
  APP_NAMESPACES,
  CHURNED_POOLS,
  type NodeModel,
  POOL_VARIANTS,
  type PortModel,
  type ServiceFamily,
  type ServiceModel,
  type World,
  ZONES,
} from './model.js';
import type { Random } from './random.js';

const PORT_SETS: readonly (readonly PortModel[])[] = [
  [{ port: 80, protocol: 'TCP' }],
  [{ port: 443, protocol: 'TCP' }],
  [
    { port: 80, protocol: 'TCP' },
    { port: 443, protocol: 'TCP' },
  ],
  [{ port: 53, protocol: 'UDP' }],
  [{ port: 8080, protocol: 'TCP' }],
];
const MAX_SERVICES = 10;

/** How often each family is created: mostly IPv4, as in clusters, but every family every few rounds. */
const FAMILY_WEIGHTS: Readonly<Record<ServiceFamily, number>> = {
  IPv4: 4,
  IPv6: 2,
  PreferDualStack: 1,
  RequireDualStack: 2,
};

/** What a Service of one family may ask for. */
interface FamilyChoices {
  /** Few requested IPs, so requests collide and sharing is exercised (A13, A26-A29). */
  readonly requestedIps: readonly string[];
  /**
   * Sharing keys of this family only: Services that share an IP then hash the same first ingress
   * IP and elect one node (E9). A dual-stack Service sharing its IPv6 with an IPv6-only one would
   * hash a different IP and may legitimately be announced from two nodes, as in MetalLB.
   */
  readonly sharingKeys: readonly string[];
  /** Pools the address-pool annotation names; PreferDualStack also tries single-family ones (A16). */
  readonly pools: readonly string[];
}

const FAMILY_CHOICES: Readonly<Record<ServiceFamily, FamilyChoices>> = {
  IPv4: {
    requestedIps: ['203.0.113.5', '203.0.113.6', '203.0.113.9', '203.0.113.66', '203.0.113.70'],
    sharingKeys: ['key-1', 'key-2'],
    pools: ['pool-a', 'pool-b', 'pool-c', 'pool-dual'],
  },
  IPv6: {
    requestedIps: ['2001:db8:1::6:3', '2001:db8:1::6:5', '2001:db8:1::d:2'],
    sharingKeys: ['key-6'],
    pools: ['pool-v6', 'pool-dual'],
  },
  PreferDualStack: { requestedIps: [], sharingKeys: [], pools: ['pool-dual', 'pool-v6', 'pool-a'] },
  RequireDualStack: { requestedIps: [], sharingKeys: ['key-d'], pools: ['pool-dual'] },
};

export const CHURN_WEIGHTS = {
  'service.create': 6,
  'service.delete': 2,
  'service.ports': 2,
  'service.sharingKey': 2,
  'service.requestedIp': 2,
  'service.poolAnnotation': 2,
  'service.trafficPolicy': 2,
  'service.type': 1,
  'endpoints.readiness': 4,
  'pool.resize': 2,
  'pool.addDelete': 1,
  'advertisement.nodeSelector': 2,
  'advertisement.interfaces': 1,
  'advertisement.addDelete': 1,
  'node.zoneLabel': 1,
  'node.excludeLabel': 1,
  'node.networkUnavailable': 1,
  'node.outOfServiceTaint': 1,
} as const;
export type ChurnKind = keyof typeof CHURN_WEIGHTS;

/** Applies random churn operations to the world. */
export class Churn {
  private nextServiceNumber = 1;
  /** Services whose IP the user released on purpose (deleted, or no longer LoadBalancer), by key. */
  readonly released = new Map<string, number>();

  constructor(
    private readonly world: World,
    private readonly applier: Applier,
    private readonly random: Random,
  ) {}

  /** Picks and applies one operation; resolves to its kind (it throws when the API refused it). */
  async step(): Promise<ChurnKind> {
    let kind = this.random.weighted(CHURN_WEIGHTS);
    if (kind.startsWith('service.') && kind !== 'service.create' && this.churnedServices === 0) {
      kind = 'service.create';
    }
    if (kind === 'endpoints.readiness' && this.churnedServices === 0) kind = 'service.create';
    if (kind === 'service.create' && this.churnedServices >= MAX_SERVICES) kind = 'service.delete';
    await this.apply(kind);
    return kind;
  }

  private async apply(kind: ChurnKind): Promise<void> {
    if (kind === 'service.create') return this.createService();
    if (kind === 'service.delete') return this.deleteService();
    if (kind.startsWith('service.')) return this.editService(kind);
    if (kind === 'endpoints.readiness') return this.flipEndpoints();
    if (kind.startsWith('pool.')) return kind === 'pool.resize' ? this.resizePool() : this.togglePoolC();
    if (kind.startsWith('advertisement.')) return this.editAdvertisement(kind);
    return this.editNode(kind);
  }

  private randomReadyNodes(): string[] {
    const nodes = this.world.nodes.map((node) => node.name).filter(() => this.random.chance(0.7));
    return nodes.length === 0 && this.random.chance(0.7) ? [this.random.pick(this.world.nodes).name] : nodes;
  }

  /** One of `items` with `probability`, else undefined (always undefined when `items` is empty). */
  private maybe(items: readonly string[], probability: number): string | undefined {
    return items.length > 0 && this.random.chance(probability) ? this.random.pick(items) : undefined;
  }

  private async createService(): Promise<void> {
    const local = this.random.chance(0.3);
    const family = this.random.weighted(FAMILY_WEIGHTS);
    const choices = FAMILY_CHOICES[family];
    const service: ServiceModel = {
      namespace: this.random.pick(APP_NAMESPACES),
      name: `svc-${this.nextServiceNumber++}`,
      family,
      ports: [...this.random.pick(PORT_SETS)],
      sharingKey: local ? undefined : this.maybe(choices.sharingKeys, 0.4),
      requestedIp: this.maybe(choices.requestedIps, 0.35),
      pool: this.maybe(choices.pools, 0.3),
      local,
      loadBalancer: true,
      readyNodes: this.randomReadyNodes(),
    };
    await this.applier.createService(service, this.world);
    this.world.services.set(`${service.namespace}/${service.name}`, service);
  }

  private pickService(): [string, ServiceModel] {
    return this.random.pick([...this.world.services].filter(([, service]) => !service.anchor));
  }

  private get churnedServices(): number {
    return [...this.world.services.values()].filter((service) => !service.anchor).length;
  }

  private async deleteService(): Promise<void> {
    const [key, service] = this.pickService();
    this.released.set(key, Date.now());
    await this.applier.deleteService(service);
    this.world.services.delete(key);
  }

  private editedCopy(service: ServiceModel, kind: ChurnKind): ServiceModel {
    const copy: ServiceModel = { ...service, ports: [...service.ports], readyNodes: [...service.readyNodes] };
    const choices = FAMILY_CHOICES[service.family];
    if (kind === 'service.ports') copy.ports = [...this.random.pick(PORT_SETS)];
    if (kind === 'service.sharingKey' && !copy.local) {
      copy.sharingKey = this.random.pick([undefined, ...choices.sharingKeys]);
    }
    if (kind === 'service.requestedIp')
      copy.requestedIp = this.random.pick([undefined, ...choices.requestedIps]);
    if (kind === 'service.poolAnnotation') copy.pool = this.random.pick([undefined, ...choices.pools]);
    if (kind === 'service.trafficPolicy') {
      copy.local = !copy.local;
      // Local Services never share here: holders of one IP must elect alike (E6, E9).
      if (copy.local) copy.sharingKey = undefined;
    }
    if (kind === 'service.type') copy.loadBalancer = !copy.loadBalancer;
    return copy;
  }

  private async editService(kind: ChurnKind): Promise<void> {
    const [key, service] = this.pickService();
    const copy = this.editedCopy(service, kind);
    if (!copy.loadBalancer && service.loadBalancer) this.released.set(key, Date.now());
    await this.applier.patchService(copy);
    this.world.services.set(key, copy);
  }

  private async flipEndpoints(): Promise<void> {
    const [key, service] = this.pickService();
    const copy = { ...service, readyNodes: this.randomReadyNodes() };
    await this.applier.applyEndpoints(copy, this.world);
    this.world.services.set(key, copy);
  }

  private async resizePool(): Promise<void> {
    const pool = this.world.pools.get(this.random.pick(CHURNED_POOLS));
    const variants = POOL_VARIANTS[pool?.name ?? ''];
    if (!pool || !variants) return;
    const addresses = [...this.random.pick(variants)];
    await this.applier.applyPool({ ...pool, addresses }, false);
    pool.addresses = addresses;
  }

  private async togglePoolC(): Promise<void> {
    const existing = this.world.pools.get('pool-c');
    if (existing) {
      await this.applier.deleteObject('ipaddresspools', 'pool-c');
      this.world.pools.delete('pool-c');
      return;
    }
    const pool = { name: 'pool-c', addresses: [...this.random.pick(POOL_VARIANTS['pool-c'] ?? [])] };
    await this.applier.applyPool(pool, true);
    this.world.pools.set('pool-c', pool);
  }

  private async editAdvertisement(kind: ChurnKind): Promise<void> {
    if (kind === 'advertisement.addDelete') return this.toggleAdvertisement();
    const advertisement = this.random.pick([...this.world.advertisements.values()]);
    const copy: AdvertisementModel = { ...advertisement, interfaces: [...advertisement.interfaces] };
    if (kind === 'advertisement.nodeSelector') copy.zone = this.random.pick([undefined, ...ZONES]);
    else copy.interfaces = [...this.random.pick([[], ['eth0'], ['eth0', 'missing0']])];
    await this.applier.applyAdvertisement(copy, false);
    this.world.advertisements.set(copy.name, copy);
  }

  private async toggleAdvertisement(): Promise<void> {
    const name = this.random.pick(['ad-pool-b', 'ad-pool-c', 'ad-pool-v6']);
    const existing = this.world.advertisements.get(name);
    if (existing) {
      await this.applier.deleteObject('l2advertisements', name);
      this.world.advertisements.delete(name);
      return;
    }
    const advertisement: AdvertisementModel = { name, pools: [name.slice(3)], interfaces: [] };
    await this.applier.applyAdvertisement(advertisement, true);
    this.world.advertisements.set(name, advertisement);
  }

  private async editNode(kind: ChurnKind): Promise<void> {
    if (kind === 'node.zoneLabel') {
      const index = this.random.int(0, this.world.nodes.length - 1);
      const node = this.world.nodes[index] as NodeModel;
      return this.commitNode(index, { ...node, zone: node.zone === 'east' ? 'west' : 'east' });
    }
    // At most one impaired node at a time: flags that only ever toggled would pile up until no
    // node is eligible and nothing is announced, and the fail-over paths would go untested.
    const impaired = this.world.nodes.findIndex((node) => isImpaired(node));
    const index = impaired >= 0 ? impaired : this.random.int(0, this.world.nodes.length - 1);
    const copy: NodeModel = { ...(this.world.nodes[index] as NodeModel) };
    const value = impaired < 0;
    if (kind === 'node.excludeLabel') copy.excluded = value;
    if (kind === 'node.networkUnavailable') copy.networkUnavailable = value;
    if (kind === 'node.outOfServiceTaint') copy.outOfService = value;
    if (!value) Object.assign(copy, { excluded: false, networkUnavailable: false, outOfService: false });
    return this.commitNode(index, copy);
  }

  private async commitNode(index: number, copy: NodeModel): Promise<void> {
    await this.applier.applyNode(copy);
    this.world.nodes[index] = copy;
  }
}

function isImpaired(node: NodeModel): boolean {
  return node.excluded || node.networkUnavailable || node.outOfService;
}
