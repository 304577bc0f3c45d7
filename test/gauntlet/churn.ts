// Random churn (issue 7 item 1): Services, endpoints, pools, L2Advertisements and Nodes change
// under ferrolb while it runs. Each operation changes a copy of the model, applies it, and only
// then commits it, so the model always says what the API server holds.
import type { Applier } from './apply.js';
import {
  type AdvertisementModel,
  APP_NAMESPACES,
  type NodeModel,
  POOL_VARIANTS,
  type PortModel,
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
/** Few requested IPs, so requests collide and sharing is exercised (A26-A29). */
const REQUESTED_IPS = ['203.0.113.5', '203.0.113.6', '203.0.113.9', '203.0.113.66', '203.0.113.70'];
const SHARING_KEYS = ['key-1', 'key-2'];
const MAX_SERVICES = 10;

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

  private async createService(): Promise<void> {
    const local = this.random.chance(0.3);
    const service: ServiceModel = {
      namespace: this.random.pick(APP_NAMESPACES),
      name: `svc-${this.nextServiceNumber++}`,
      ports: [...this.random.pick(PORT_SETS)],
      sharingKey: !local && this.random.chance(0.4) ? this.random.pick(SHARING_KEYS) : undefined,
      requestedIp: this.random.chance(0.35) ? this.random.pick(REQUESTED_IPS) : undefined,
      pool: this.random.chance(0.3) ? this.random.pick(['pool-a', 'pool-b', 'pool-c']) : undefined,
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
    if (kind === 'service.ports') copy.ports = [...this.random.pick(PORT_SETS)];
    if (kind === 'service.sharingKey' && !copy.local) {
      copy.sharingKey = this.random.pick([undefined, ...SHARING_KEYS]);
    }
    if (kind === 'service.requestedIp') copy.requestedIp = this.random.pick([undefined, ...REQUESTED_IPS]);
    if (kind === 'service.poolAnnotation')
      copy.pool = this.random.pick([undefined, 'pool-a', 'pool-b', 'pool-c']);
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
    const pool = this.world.pools.get(this.random.pick(['pool-a', 'pool-b', 'pool-c']));
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
    const name = this.random.pick(['ad-pool-b', 'ad-pool-c']);
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
