// Hostile input while the churn goes on (issue 7 item 3): malformed and hostile objects, garbage
// and wrong-key gossip, ARP and NDP floods. Each must end in a clear error (API refusal, stale config,
// Warning Event) or a counted drop; the next quiet checkpoint proves nothing working changed.
import { randomBytes } from 'node:crypto';
import { ApiException, type CoreV1Event } from '@kubernetes/client-node';
import { Annotation } from '../../src/config/annotations.js';
import { deriveKey, sealPacket } from '../../src/membership/crypto.js';
import { SYSTEM_NAMESPACE } from '../k8s/harness/index.js';
import type { Ownership } from './checkpoint.js';
import { type Environment, GOSSIP_PORT, SPEAKER_METRICS_PORT } from './environment.js';
import { APP_NAMESPACES, PINNED_POOL } from './model.js';
import { isIPv6, metricSum, namespaceMetrics, runInNamespace } from './probes.js';
import type { Random } from './random.js';
import type { Report } from './report.js';

export const HOSTILE_KINDS = [
  'pool.invalidCidr',
  'pool.overlapping',
  'pool.unknownField',
  'service.absurdPorts',
  'service.hugeAnnotation',
  'service.foreignPinnedPool',
  'gossip.garbage',
  'gossip.wrongKey',
  'arp.flood',
  'ndp.flood',
] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

export interface HostileContext {
  readonly environment: Environment;
  readonly report: Report;
  readonly random: Random;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const metallb = {
  group: 'metallb.io',
  version: 'v1beta1',
  namespace: SYSTEM_NAMESPACE,
  plural: 'ipaddresspools',
};

async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(500);
  }
  return probe();
}

/** Highest `metallb_k8s_client_config_stale_bool` across the controller replicas. */
async function configStale(environment: Environment): Promise<number> {
  const values = await Promise.all(
    [...environment.controllerPorts.values()].map(async (port) => {
      try {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return metricSum(text, 'metallb_k8s_client_config_stale_bool');
      } catch {
        return 0;
      }
    }),
  );
  return Math.max(0, ...values);
}

function hostilePoolSpec(kind: HostileKind): Record<string, unknown> {
  if (kind === 'pool.invalidCidr') return { addresses: ['203.0.113.300/33'] };
  if (kind === 'pool.overlapping') return { addresses: ['203.0.113.0/30'] }; // inside pool-a (V8)
  return { addresses: ['203.0.113.232/30'], bogusField: { nested: 'x'.repeat(1000) } };
}

/** Creates the pool; false when the API server refused it (422: a clear error already). */
async function createHostilePool(
  environment: Environment,
  name: string,
  kind: HostileKind,
): Promise<boolean> {
  try {
    await environment.user.custom.createNamespacedCustomObject({
      ...metallb,
      body: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name, namespace: SYSTEM_NAMESPACE },
        spec: hostilePoolSpec(kind),
      },
    });
    return true;
  } catch (error) {
    if (!(error instanceof ApiException) || error.code !== 422) throw error;
    return false;
  }
}

/** A pool the API server may refuse; if it accepts an invalid one, the controller must flag the config stale (C3). */
async function hostilePool(context: HostileContext, kind: HostileKind): Promise<void> {
  const { environment, report } = context;
  const name = `hostile-${kind.split('.')[1]?.toLowerCase()}`;
  if (!(await createHostilePool(environment, name, kind))) {
    report.count('hostile.refusedByApiServer');
    return;
  }
  report.count('check.hostileConfigFlagged');
  if (kind !== 'pool.unknownField') {
    if (!(await until(async () => (await configStale(environment)) === 1, 20_000))) {
      report.violation(
        `${kind}: pool ${name} accepted but metallb_k8s_client_config_stale_bool never became 1`,
      );
    }
  } else {
    await sleep(3_000);
    if ((await configStale(environment)) !== 0) {
      report.violation(`${kind}: a valid pool with an unknown field made the config stale`);
    }
  }
  await environment.user.custom.deleteNamespacedCustomObject({ ...metallb, name });
  if (!(await until(async () => (await configStale(environment)) === 0, 20_000))) {
    report.violation(`${kind}: config still stale 20 s after deleting pool ${name}`);
  }
}

function hostileService(kind: HostileKind) {
  const namespace = APP_NAMESPACES[1];
  const name = `hostile-${kind.split('.')[1]?.toLowerCase()}`;
  const annotations: Record<string, string> =
    kind === 'service.hugeAnnotation'
      ? { [Annotation.loadBalancerIPs.current]: `203.0.113.7,${'9'.repeat(200_000)}` }
      : kind === 'service.foreignPinnedPool'
        ? { [Annotation.addressPool.current]: PINNED_POOL }
        : {};
  const ports =
    kind === 'service.absurdPorts'
      ? Array.from({ length: 100 }, (_, index) => ({
          name: `p${index}`,
          port: 65_436 + index,
          protocol: 'TCP',
        }))
      : [{ name: 'http', port: 80, protocol: 'TCP' }];
  return {
    metadata: { name, namespace, annotations },
    spec: { type: 'LoadBalancer', ports, selector: { app: name } },
  };
}

async function warnings(environment: Environment, namespace: string, name: string): Promise<CoreV1Event[]> {
  const list = await environment.user.core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items.filter((event) => event.type === 'Warning');
}

/** Services ferrolb must refuse with a Warning Event (or, for 100 ports, simply survive). */
async function hostileServiceOperation(context: HostileContext, kind: HostileKind): Promise<void> {
  const { environment, report } = context;
  const body = hostileService(kind);
  const { namespace, name } = body.metadata;
  await environment.user.core.createNamespacedService({ namespace, body });
  report.count('check.hostileServiceRefused');
  if (kind !== 'service.absurdPorts') {
    const refused = await until(
      async () => (await warnings(environment, namespace, name)).length > 0,
      20_000,
    );
    const service = await environment.user.readService(namespace, name);
    const ips = (service.status?.loadBalancer?.ingress ?? []).map((entry) => entry.ip);
    if (!refused) report.violation(`${kind}: ${namespace}/${name} got no Warning Event within 20 s`);
    if (ips.length > 0) report.violation(`${kind}: ${namespace}/${name} was given ${ips.join(',')}`);
  } else {
    await sleep(3_000);
  }
  await environment.user.core.deleteNamespacedService({ namespace, name });
}

async function droppedGossip(environment: Environment): Promise<number> {
  const texts = await Promise.all(
    environment.lab.nodes.map((node) => namespaceMetrics(node.namespace, SPEAKER_METRICS_PORT)),
  );
  return texts.reduce((sum, text) => sum + metricSum(text, 'ferrolb_gossip_packets_dropped_total'), 0);
}

const UDP_SENDER = `
const dgram = require('node:dgram');
const [port, ...targets] = process.argv.slice(1);
const packets = require('node:fs').readFileSync(0, 'utf8').trim().split('\\n').map((l) => Buffer.from(l, 'base64'));
const socket = dgram.createSocket('udp4');
let index = 0;
const next = () => {
  if (index >= packets.length * targets.length) { socket.close(); return; }
  const packet = packets[index % packets.length]; const target = targets[Math.floor(index / packets.length)];
  index += 1; socket.send(packet, Number(port), target, () => setTimeout(next, 2));
};
next();
`;

/** Garbage, or well-formed packets sealed with the wrong key, to every speaker's gossip port. */
async function hostileGossip(context: HostileContext, kind: HostileKind): Promise<void> {
  const { environment, report, random } = context;
  const wrongKey = deriveKey(Buffer.from('not-the-cluster-secret'));
  const packets = Array.from({ length: 50 }, () =>
    kind === 'gossip.garbage'
      ? randomBytes(random.int(1, 1400))
      : sealPacket(
          Buffer.from(JSON.stringify({ type: 'ping', from: 'intruder', sequence: random.int(0, 1e6) })),
          wrongKey,
        ),
  );
  const before = await droppedGossip(environment);
  const targets = environment.lab.nodes.map((node) => node.ipv4);
  const sent = packets.length * targets.length;
  await runInNamespace(environment.lab.clientNamespace, process.execPath, {
    args: ['-e', UDP_SENDER, String(GOSSIP_PORT), ...targets],
    input: Buffer.from(packets.map((packet) => packet.toString('base64')).join('\n')),
    timeoutMs: 30_000,
  });
  report.count('check.gossipDropCounted');
  const counted = await until(async () => (await droppedGossip(environment)) - before >= sent, 15_000);
  if (!counted) {
    report.violation(
      `${kind}: sent ${sent} packets, ferrolb_gossip_packets_dropped_total rose by ${(await droppedGossip(environment)) - before}`,
    );
  }
}

/** Requests each flooded IP gets, 0.1 s apart: ten a second, ten times the checkpoints' rate. */
const FLOOD_REQUESTS = 100;

// One multicast NS to the VIP's solicited-node group at a time (ndisc6 -1 stops at the first NA,
// so none is resent), FLOOD_REQUESTS of them 0.1 s apart; ndisc6 prints one line per NA.
const NDISC6_FLOOD = `i=0; while [ $i -lt ${FLOOD_REQUESTS} ]; do ndisc6 -1 -n -r 1 -w 100 "$0" eth0; i=$((i+1)); sleep 0.1; done`;

/** Floods `ip` from the client (arping, or ndisc6 for IPv6); resolves to the answers counted. */
async function floodOne(clientNamespace: string, ip: string): Promise<number> {
  const result = isIPv6(ip)
    ? await runInNamespace(clientNamespace, 'sh', { args: ['-c', NDISC6_FLOOD, ip], timeoutMs: 40_000 })
    : await runInNamespace(clientNamespace, 'arping', {
        args: ['-i', 'eth0', '-c', String(FLOOD_REQUESTS), '-W', '0.1', ip],
        timeoutMs: 30_000,
      });
  const marker = isIPv6(ip) ? 'Target link-layer address' : 'bytes from';
  return result.output.split('\n').filter((line) => line.includes(marker)).length;
}

/**
 * `arp.flood` (IPv4) or `ndp.flood` (IPv6): FLOOD_REQUESTS requests per owned IP of the family
 * while the churn goes on; at least 95 % must be answered and counted by the owner's
 * metallb_layer2_requests_received.
 */
async function requestFlood(context: HostileContext, kind: HostileKind, ownership: Ownership): Promise<void> {
  const { environment, report } = context;
  const wantIPv6 = kind === 'ndp.flood';
  // A single owner only: an IP answered by two nodes (expectedOwners' E9 case) counts on both.
  const owned = [...ownership].filter(
    ([ip, owner]) => owner !== '' && !owner.includes(',') && isIPv6(ip) === wantIPv6,
  );
  if (owned.length === 0) {
    report.count(`${kind}.skippedNothingOwned`);
    return;
  }
  const received = async () => {
    let sum = 0;
    for (const [ip, owner] of owned) {
      const text = await namespaceMetrics(environment.lab.node(owner).namespace, SPEAKER_METRICS_PORT);
      sum += metricSum(text, 'metallb_layer2_requests_received', [`ip="${ip}"`]);
    }
    return sum;
  };
  const before = await received();
  const answers = await Promise.all(owned.map(([ip]) => floodOne(environment.lab.clientNamespace, ip)));
  const answered = answers.reduce((sum, count) => sum + count, 0);
  report.count(kind === 'ndp.flood' ? 'check.ndpFloodAnswered' : 'check.arpFloodAnswered');
  const expected = owned.length * FLOOD_REQUESTS;
  if (answered < expected * 0.95) report.violation(`${kind}: ${answered} of ${expected} requests answered`);
  const counted = await until(async () => (await received()) - before >= expected * 0.95, 10_000);
  if (!counted)
    report.violation(
      `${kind}: metallb_layer2_requests_received rose by ${(await received()) - before} for ${expected} requests`,
    );
}

/** Applies one hostile input. */
export async function applyHostile(
  context: HostileContext,
  kind: HostileKind,
  ownership: Ownership,
): Promise<void> {
  context.report.operation(`hostile.${kind}`);
  if (kind.startsWith('pool.')) return hostilePool(context, kind);
  if (kind.startsWith('service.')) return hostileServiceOperation(context, kind);
  if (kind.startsWith('gossip.')) return hostileGossip(context, kind);
  return requestFlood(context, kind, ownership);
}
