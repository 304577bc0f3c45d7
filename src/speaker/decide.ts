import { advertisementsForPool, type Config, type Pool, parseAddress, poolFor } from '../config/index.js';
import { type ElectionInput, shouldAnnounce } from '../election/index.js';
import { setDefined } from '../shapes.js';
import type { ServiceOutcome, SpeakerInputs, SpeakerService, WithdrawReason } from './types.js';

function withdraw(reason: WithdrawReason): ServiceOutcome {
  return { announce: false, reason };
}

/** C11/S4: without `--lb-class` only class-less Services; with it, only that class. */
export function matchesLoadBalancerClass(
  serviceClass: string | undefined,
  flag: string | undefined,
): boolean {
  if (flag === undefined || flag === '') return serviceClass === undefined;
  return serviceClass === flag;
}

/** S1 `ipNotAllowed`: the one pool holding every ingress IP (pools never overlap, V8). */
function poolForAll(config: Config, ips: readonly string[]): Pool | undefined {
  const pools = ips.map((ip) => poolFor(config, ip));
  const first = pools[0];
  return first && pools.every((pool) => pool?.name === first.name) ? first : undefined;
}

/**
 * What this node does for one Service: the S1 withdraw checks in MetalLB's order, then
 * ShouldAnnounce (S2, E1–E16 in src/election), then L13's interface existence check.
 */
export function decideService(service: SpeakerService, inputs: SpeakerInputs): ServiceOutcome {
  if (service.type !== 'LoadBalancer') return withdraw('notLoadBalancer');
  if (!matchesLoadBalancerClass(service.loadBalancerClass, inputs.loadBalancerClass)) {
    return withdraw('loadBalancerClassMismatch');
  }
  const config = inputs.config;
  if (!config) return withdraw('noConfig');
  if (service.ingressIPs.length === 0) return withdraw('noIPAllocated');
  if (service.ingressIPs.some((ip) => parseAddress(ip) === undefined)) return withdraw('invalidIP');
  const pool = poolForAll(config, service.ingressIPs);
  if (!pool) return withdraw('ipNotAllowed');
  const decision = shouldAnnounce(electionInput(service, { ...inputs, config }, pool.name));
  if (!decision.announce) {
    const outcome: Extract<ServiceOutcome, { announce: false }> = {
      announce: false,
      reason: decision.reason,
    };
    setDefined(outcome, 'detail', decision.detail || undefined);
    setDefined(outcome, 'owner', decision.owner || undefined);
    return outcome;
  }
  return withInterfaces(decision.ips, decision.interfaces, inputs.localInterfaces);
}

/** The election's view of one Service on this node: advertisements of its pool (V11), endpoints, members. */
function electionInput(
  service: SpeakerService,
  inputs: SpeakerInputs & { readonly config: Config },
  poolName: string,
): ElectionInput & { readonly nodeName: string } {
  return {
    nodeName: inputs.nodeName,
    service: {
      key: service.key,
      labels: service.labels,
      annotations: service.annotations,
      ingressIPs: service.ingressIPs,
      externalTrafficPolicy: service.externalTrafficPolicy,
    },
    advertisements: advertisementsForPool(inputs.config, poolName),
    nodes: inputs.nodes,
    endpoints: inputs.endpoints.get(service.key) ?? [],
    ...(inputs.liveMembers ? { liveMembers: inputs.liveMembers } : {}),
    ...(inputs.interfaceHealth ? { interfaceHealth: inputs.interfaceHealth } : {}),
    ignoreExcludeLb: inputs.ignoreExcludeLb === true,
  };
}

/**
 * L13: answer on the listed interfaces that exist here; when none of them exists, nothing is
 * announced and EV12 follows. Q10: such IPs are not reported as announced (metric, status).
 */
function withInterfaces(
  ips: readonly string[],
  selection: 'all' | readonly string[],
  localInterfaces: readonly string[] | undefined,
): ServiceOutcome {
  if (selection === 'all') return { announce: true, ips, interfaces: undefined, failedIPs: [] };
  if (localInterfaces === undefined) return { announce: true, ips, interfaces: selection, failedIPs: [] };
  const present = selection.filter((name) => localInterfaces.includes(name));
  if (present.length === 0) return { announce: true, ips: [], interfaces: selection, failedIPs: ips };
  return { announce: true, ips, interfaces: present, failedIPs: [] };
}
