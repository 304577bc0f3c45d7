// Gossip across network namespaces: separate processes on a bridge, real kernel UDP on
// 198.51.100.0/24, a real SIGKILL. The processes report what they see; nothing is faked.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachToBridge,
  createBridge,
  createNamespace,
  inNs,
  spawnInNs,
  sweepNamespaces,
} from '../helpers/netns.js';

const PREFIX = 'flb-mem';
const BRIDGE_NS = `${PREFIX}-br`;
const NODES = [
  { name: 'node-a', ns: `${PREFIX}-a`, address: '198.51.100.11' },
  { name: 'node-b', ns: `${PREFIX}-b`, address: '198.51.100.12' },
  { name: 'node-c', ns: `${PREFIX}-c`, address: '198.51.100.13' },
  { name: 'intruder', ns: `${PREFIX}-d`, address: '198.51.100.14' },
];
const SECRET = 'lab-secret-0123456789';

interface Running {
  readonly process: ChildProcess;
  /** The latest member states this process printed, by name. */
  view: Map<string, string>;
  readonly events: { atMs: number; view: Map<string, string> }[];
}
const running = new Map<string, Running>();

function startNode(index: number, secret = SECRET): Running {
  const node = NODES[index] as (typeof NODES)[number];
  const seeds = NODES.slice(0, 3)
    .filter((other) => other !== node)
    .map((other) => other.address);
  const child = spawnInNs(node.ns, process.execPath, [
    '--import',
    'tsx',
    'test/netns/membership-node.ts',
    node.name,
    node.address,
    seeds.join(','),
    secret,
  ]);
  const state: Running = { process: child, view: new Map(), events: [] };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const report = JSON.parse(line) as { atMs: number; members: { name: string; state: string }[] };
    state.view = new Map(report.members.map((member) => [member.name, member.state]));
    state.events.push({ atMs: report.atMs, view: state.view });
  });
  running.set(node.name, state);
  return state;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sees = (observer: string, member: string, state: string) =>
  running.get(observer)?.view.get(member) === state;
const firstSeen = (observer: string, member: string, state: string) =>
  running.get(observer)?.events.find((event) => event.view.get(member) === state)?.atMs;

beforeAll(() => {
  sweepNamespaces(PREFIX);
  createNamespace(BRIDGE_NS);
  createBridge(BRIDGE_NS, 'br0');
  for (const [index, node] of NODES.entries()) {
    createNamespace(node.ns);
    attachToBridge({ ns: node.ns, bridgeNs: BRIDGE_NS, bridge: 'br0', hostSide: `veth${index}` });
    inNs(node.ns, 'ip', ['address', 'add', `${node.address}/24`, 'dev', 'eth0']);
  }
});

afterAll(() => {
  for (const node of running.values()) node.process.kill('SIGKILL');
  sweepNamespaces(PREFIX);
});

describe('gossip across network namespaces', () => {
  it('SWIM: three processes converge; a wrong key never joins; SIGKILL is detected; SIGTERM is seen as left', async () => {
    for (const index of [0, 1, 2]) startNode(index);
    const names = ['node-a', 'node-b', 'node-c'];
    await waitFor(
      () => names.every((observer) => names.every((member) => sees(observer, member, 'alive'))),
      30_000,
      'convergence',
    );

    // The intruder seeds itself with everyone but holds another key.
    startNode(3, 'another-secret');
    await waitFor(() => sees('intruder', 'intruder', 'alive'), 30_000, 'the intruder to start');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const observer of names) expect(running.get(observer)?.view.has('intruder')).toBe(false);
    expect([...(running.get('intruder')?.view.keys() ?? [])]).toEqual(['intruder']);

    const killedAt = Date.now();
    running.get('node-c')?.process.kill('SIGKILL');
    await waitFor(
      () => sees('node-a', 'node-c', 'dead') && sees('node-b', 'node-c', 'dead'),
      10_000,
      'node-c dead',
    );
    const detectionMs =
      Math.max(firstSeen('node-a', 'node-c', 'dead') ?? 0, firstSeen('node-b', 'node-c', 'dead') ?? 0) -
      killedAt;
    console.info(`SIGKILL to dead on both survivors: ${detectionMs} ms`);

    running.get('node-b')?.process.kill('SIGTERM');
    await waitFor(() => sees('node-a', 'node-b', 'left'), 10_000, 'node-b left');
    expect(running.get('node-a')?.events.some((event) => event.view.get('node-b') === 'dead')).toBe(false);
  });
});
