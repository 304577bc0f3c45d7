// The standalone speaker's shell: feeds the pure ownership computation with the file's
// allocation and gossip's live members, and applies the result (local routes, then the data
// plane). Every change runs through one queue so routes and announcements never interleave.

import { failoversGained } from '../election/index.js';
import type { Logger } from '../log.js';
import { counter, gauge } from '../metrics/registry.js';
import type { ReadinessInputs } from '../speaker/readiness.js';
import type { ClusterMember } from './cluster.js';
import type { StandaloneConfig } from './load.js';
import { computeOwnership, diffOwned, type OwnedAnnouncement, type Ownership } from './ownership.js';
import type { DataPlanePort, MembershipPort } from './ports.js';
import { addLocalRoute, RouteRefusedError, removeLocalRoute } from './routes.js';

/** What the speaker is built from; the CLI wires the real data plane and membership. */
export interface SpeakerParts {
  readonly nodeName: string;
  readonly config: StandaloneConfig;
  readonly dataPlane: DataPlanePort;
  readonly membership: MembershipPort;
  readonly logger: Logger;
}

const NO_OWNERSHIP: Ownership = { owned: new Map(), owners: new Map(), servicesByIP: new Map() };

/** Runs election and announcements for one node until stop() or handOver(). */
export class StandaloneSpeaker {
  private config: StandaloneConfig;
  private current: Ownership = NO_OWNERSHIP;
  private queue: Promise<void> = Promise.resolve();
  private frozen = false;
  private started = false;
  private converged = false;
  /** VIPs already reported as refused: each election retries them, the error is logged once. */
  private readonly refusedReported = new Set<string>();

  constructor(private readonly parts: SpeakerParts) {
    this.config = parts.config;
    parts.membership.on('change', () => this.converge('membership'));
    parts.dataPlane.on('interfaces', () => {
      this.publishInterfaceHealth();
      this.converge('interfaces');
    });
    this.publishInterfaceHealth();
  }

  /** Readiness (issue 11): the secret was read before start, or the start failed (exit 2). */
  readinessInputs(): ReadinessInputs {
    return {
      secretRead: true,
      packetSockets: this.parts.dataPlane.hasHealthyInterface(),
      converged: this.converged,
    };
  }

  /** How many members gossip counts as live (this node included). */
  liveMemberCount(): number {
    return this.parts.membership.liveMembers().length;
  }

  /** The IPs this node announces now. */
  ownedIPs(): string[] {
    return [...this.current.owned.keys()];
  }

  /** The configuration elections run on. */
  configuration(): StandaloneConfig {
    return this.config;
  }

  /** Replaces the configuration (SIGHUP) and re-elects. */
  replaceConfig(config: StandaloneConfig): Promise<void> {
    this.config = config;
    return this.converge('config');
  }

  /** Allows elections (after the start-up wait for gossip) and runs the first one. */
  begin(): Promise<void> {
    this.started = true;
    return this.converge('start');
  }

  /** Re-elects and applies the result; calls are queued, never concurrent. */
  converge(reason: string): Promise<void> {
    this.queue = this.queue.then(
      () => this.applyOnce(reason),
      () => this.applyOnce(reason),
    );
    return this.queue;
  }

  private async applyOnce(reason: string): Promise<void> {
    if (this.frozen || !this.started) return;
    const { nodeName, membership } = this.parts;
    const elected = computeOwnership({
      nodeName,
      services: this.config.services,
      members: this.config.cluster.members,
      liveMembers: membership.liveMembers(),
      interfaceHealth: this.interfaceHealth(),
    });
    const diff = diffOwned(this.current.owned, elected.owned);
    // Make before break: the kernel must accept a VIP's traffic before anyone is told to send it.
    const refused = await this.addRoutes(diff.gained, elected);
    const next = { ...elected, owned: new Map([...elected.owned].filter(([ip]) => !refused.includes(ip))) };
    const gained = diff.gained.filter((ip) => !refused.includes(ip));
    const { lost } = diff;
    this.parts.dataPlane.setAnnouncements(next.owned);
    await Promise.all(lost.map((ip) => removeLocalRoute(ip)));
    const failovers = failoversGained(nodeName, this.current.owners, gained);
    if (failovers.length > 0) counter('failoverEventsTotal').inc(failovers.length);
    this.logChanges({ next, gained, lost, failovers, reason });
    this.updateAnnouncedGauge(next);
    this.current = next;
    this.converged = true;
  }

  /**
   * Adds the local routes of `gained`; returns the IPs refused for host safety (issue 12 #4: an
   * address of this host, or a route someone else owns), which are then not announced.
   */
  private async addRoutes(gained: readonly string[], next: Ownership): Promise<string[]> {
    const refused: string[] = [];
    await Promise.all(
      gained.map((ip) =>
        addLocalRoute(ip).catch((error: unknown) => {
          if (!(error instanceof RouteRefusedError)) throw error;
          const service = next.servicesByIP.get(ip);
          const pool = this.config.services.find((entry) => entry.ips.includes(ip))?.pool;
          const level = this.refusedReported.has(ip) ? 'debug' : 'error';
          this.parts.logger[level]({ ip, service, pool, error: error.message }, 'VIP refused: NOT announced');
          this.refusedReported.add(ip);
          refused.push(ip);
        }),
      ),
    );
    return refused;
  }

  private logChanges(change: {
    next: Ownership;
    gained: readonly string[];
    lost: readonly string[];
    failovers: readonly string[];
    reason: string;
  }): void {
    const { logger } = this.parts;
    for (const ip of change.gained) {
      const service = change.next.servicesByIP.get(ip);
      const previousOwner = this.current.owners.get(ip);
      const failover = change.failovers.includes(ip);
      const event = { event: 'serviceAnnounced', ip, service: service?.join(','), previousOwner, failover };
      logger.info({ ...event, reason: change.reason }, 'announcing IP');
    }
    for (const ip of change.lost) {
      const service = this.current.servicesByIP.get(ip);
      logger.info(
        {
          event: 'serviceWithdrawn',
          ip,
          service: service?.join(','),
          owner: change.next.owners.get(ip),
          reason: change.reason,
        },
        'stopped announcing IP',
      );
    }
  }

  private updateAnnouncedGauge(next: Ownership): void {
    const announced = gauge('speakerAnnounced');
    announced.reset();
    for (const ip of next.owned.keys()) {
      for (const service of next.servicesByIP.get(ip) ?? []) {
        announced.set({ service, protocol: 'layer2', node: this.parts.nodeName, ip }, 1);
      }
    }
  }

  /** Interface health of every member, from gossip metadata (Q10: all selected interfaces down → not eligible). */
  private interfaceHealth(): Record<string, Record<string, boolean>> {
    const health: Record<string, Record<string, boolean>> = {};
    for (const member of this.parts.membership.members()) {
      const interfaces = member.metadata.interfaces;
      if (typeof interfaces !== 'object' || interfaces === null) continue;
      health[member.name] = Object.fromEntries(
        Object.entries(interfaces).filter(
          (entry): entry is [string, boolean] => typeof entry[1] === 'boolean',
        ),
      );
    }
    return health;
  }

  private publishInterfaceHealth(): void {
    const selected = this.config.cluster.interfaces;
    const states = this.parts.dataPlane
      .interfaceStates()
      .filter((state) => selected === undefined || selected.includes(state.name));
    const interfaces = Object.fromEntries(states.map((state) => [state.name, state.up && state.usable]));
    this.parts.membership.setMetadata({ interfaces });
  }

  /**
   * SIGTERM, make before break (issue 5 item 3): leave gossip so the next owner takes over and
   * announces, keep answering for `gracePeriodMs` so no packet finds nobody, then stop.
   */
  async handOver(gracePeriodMs: number): Promise<void> {
    const { logger, membership } = this.parts;
    await this.queue;
    this.frozen = true;
    logger.info(
      { op: 'shutdown', ip: this.ownedIPs(), gracePeriodMs },
      'leaving: handing over to the next owners',
    );
    // A burst still running from a recent gain would pull clients back to us after the next
    // owner announced, and leave them pointing at a node about to stop: silence it first.
    this.parts.dataPlane.stopAnnouncing();
    await membership.leave();
    await new Promise((resolve) => setTimeout(resolve, gracePeriodMs));
    await this.withdrawAll();
  }

  /** Stops announcing everything and removes every local route; then closes the data plane and gossip. */
  async withdrawAll(): Promise<void> {
    this.frozen = true;
    await this.queue;
    const owned = this.ownedIPs();
    this.parts.dataPlane.setAnnouncements(new Map<string, OwnedAnnouncement>());
    await Promise.all(owned.map((ip) => removeLocalRoute(ip)));
    this.current = NO_OWNERSHIP;
    gauge('speakerAnnounced').reset();
    await this.parts.dataPlane.stop();
    await this.parts.membership.stop();
  }
}

/** The member entry of `nodeName`, or undefined when the file does not list it. */
export function memberNamed(config: StandaloneConfig, nodeName: string): ClusterMember | undefined {
  return config.cluster.members.find((member) => member.name === nodeName);
}
