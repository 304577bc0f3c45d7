// Issue 13 #2 and #9: ferrolb's image dropped into MetalLB 0.16's own manifests (metallb:
// config/manifests/metallb-native.yaml v0.16.1, D2/D3): the controller and the speaker run with
// exactly MetalLB's args (`--port=9120 --log-level=info`) and the manifest's environment variables,
// each in a lab node namespace (the speaker's is its host network), against the real API server.
// The oracles are what the kubelet and Prometheus do with those manifests: HTTP GET /healthz and
// /readyz on 17472 (the controller's at its pod IP, the speaker's at 127.0.0.1), and the
// ServiceMonitor's scrape, `https` with a bearer token on 9120, by curl. `--port` equal to the HTTPS
// port keeps MetalLB 0.16's meaning (docs/flags.md "Ports"): HTTPS there, and ferrolb's plain
// /metrics (DESIGN command-line contract) on the probe port.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabNode } from '../helpers/lab.js';
import { spawnInNs, tryInNs } from '../helpers/netns.js';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { mintServiceAccountToken } from './harness/bootstrap.js';
import { SpeakerLab } from './harness/speaker-lab.js';
import { eventually } from './harness/waiting.js';

/** metallb-native.yaml v0.16.1: both containers' args, word for word. */
const METALLB_016_ARGS = ['--port=9120', '--log-level=info'];
const PROBE_PORT = 17472;
const METRICS_PORT = 9120;

let speakerLab: SpeakerLab;
let controllerNode: LabNode;
let speakerNode: LabNode;
const logs = { controller: '', speaker: '' };
const stderrOf = { controller: '', speaker: '' };
const children = new Map<'controller' | 'speaker', ChildProcess>();

/** The lab speaker kubeconfig (through the lab's API endpoint) with the controller's credentials. */
function controllerKubeconfig(labDirectory: string, controllerPath: string): string {
  const lab = JSON.parse(readFileSync(join(labDirectory, 'kubeconfig-speaker-lab.yaml'), 'utf8'));
  const controller = JSON.parse(readFileSync(controllerPath, 'utf8'));
  const path = join(labDirectory, 'kubeconfig-controller-lab.yaml');
  writeFileSync(path, JSON.stringify({ ...controller, clusters: lab.clusters }), { mode: 0o600 });
  return path;
}

function start(node: LabNode, command: 'controller' | 'speaker', env: NodeJS.ProcessEnv): void {
  const args = [join(REPOSITORY_ROOT, 'bin', 'ferrolb.js'), command, ...METALLB_016_ARGS];
  const child = speakerLab.lab.track(spawnInNs(node.namespace, process.execPath, args, { env }));
  children.set(command, child);
  child.stdout?.on('data', (chunk: Buffer) => {
    logs[command] += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrOf[command] += chunk.toString();
  });
}

/** `curl` from `namespace`: the HTTP status (000 when nothing answered) and the body. */
function curl(
  namespace: string,
  url: string,
  extra: readonly string[] = [],
): { status: string; body: string } {
  const { output } = tryInNs(namespace, 'curl', ['-s', '-m', '3', '-w', '\n%{http_code}', ...extra, url]);
  const lines = output.trimEnd().split('\n');
  return { status: lines.at(-1) ?? '', body: lines.slice(0, -1).join('\n') };
}

beforeAll(async () => {
  speakerLab = await SpeakerLab.start({ prefix: 'flb-m016', nodeCount: 3 });
  const [, second, third] = speakerLab.lab.nodes;
  if (!second || !third) throw new Error('the lab has fewer than three nodes');
  [controllerNode, speakerNode] = [second, third];
  // Their namespaces are free for MetalLB's ports: the lab's own speakers there stop.
  await speakerLab.stopSpeaker(controllerNode.name);
  await speakerLab.stopSpeaker(speakerNode.name);
  const labDirectory = join(speakerLab.cluster.server.runDirectory, 'speaker-lab');
  const base = { PATH: process.env.PATH, HOME: process.env.HOME };
  start(controllerNode, 'controller', {
    ...base,
    KUBECONFIG: controllerKubeconfig(labDirectory, speakerLab.cluster.kubeconfigPath('controller')),
    METALLB_POD_NAME: 'controller-0',
    METALLB_ML_SECRET_NAME: 'memberlist',
    METALLB_DEPLOYMENT: 'controller',
  });
  start(speakerNode, 'speaker', {
    ...base,
    KUBECONFIG: join(labDirectory, 'kubeconfig-speaker-lab.yaml'),
    METALLB_NODE_NAME: speakerNode.name,
    METALLB_POD_NAME: `speaker-${speakerNode.name}`,
    METALLB_HOST: speakerNode.ipv4,
    METALLB_ML_BIND_ADDR: speakerNode.ipv4,
    METALLB_ML_LABELS: 'app=metallb,component=speaker',
    // The manifest mounts the memberlist Secret at /etc/ml_secret_key; the lab's copy is here.
    METALLB_ML_SECRET_KEY_PATH: join(labDirectory, 'ml-secret'),
  });
}, 180_000);

afterAll(async () => {
  await speakerLab?.stop();
});

const context = () =>
  (['controller', 'speaker'] as const)
    .map((name) => `--- ${name}\n${logs[name].slice(-3000)}\n--- stderr\n${stderrOf[name].slice(-1000)}`)
    .join('\n');

describe("MetalLB 0.16's manifests run ferrolb's image", () => {
  it("D2: the controller's probes, HTTP GET /healthz and /readyz on its pod IP (IPv4 and IPv6) at 17472, pass", async () => {
    const client = speakerLab.lab.clientNamespace;
    const hosts = [controllerNode.ipv4, `[${controllerNode.ipv6}]`];
    for (const [host, path] of hosts.flatMap((item) => ['/healthz', '/readyz'].map((p) => [item, p]))) {
      const url = `http://${host}:${PROBE_PORT}${path}`;
      await eventually(`controller ${path}`, () => (curl(client, url).status === '200' ? true : undefined), {
        timeoutMs: 90_000,
        intervalMs: 500,
        context,
      });
    }
  });

  it("D3: the speaker's probes, HTTP GET /healthz and /readyz at 127.0.0.1:17472, pass; not on the node's address", async () => {
    for (const path of ['/healthz', '/readyz']) {
      const url = `http://127.0.0.1:${PROBE_PORT}${path}`;
      await eventually(
        `speaker ${path}`,
        () => (curl(speakerNode.namespace, url).status === '200' ? true : undefined),
        { timeoutMs: 90_000, intervalMs: 500, context },
      );
    }
    // MetalLB binds the speaker's probes to 127.0.0.1: it shares the host's network.
    const outside = curl(speakerLab.lab.clientNamespace, `http://${speakerNode.ipv4}:${PROBE_PORT}/healthz`);
    expect(outside.status).toBe('000');
  });

  it.each([
    { component: 'controller', metric: 'metallb_allocator_addresses_total' },
    { component: 'speaker', metric: 'metallb_speaker_announced' },
  ] as const)(
    "DESIGN CLI: --port is the HTTPS port, so the $component's plain /metrics (no token) is on the probe port",
    async ({ component, metric }) => {
      const [namespace, host] =
        component === 'controller'
          ? [speakerLab.lab.clientNamespace, controllerNode.ipv4]
          : [speakerNode.namespace, '127.0.0.1'];
      // The allocator's series exist once the controller has loaded its configuration: a scrape
      // right after the port opens may come first, so wait for the metric, not only for a 200.
      const wanted = new RegExp(`^# HELP ${metric} `, 'm');
      const scrape = await eventually(
        `${component} plain /metrics on ${PROBE_PORT} with ${metric}`,
        () => {
          const response = curl(namespace, `http://${host}:${PROBE_PORT}/metrics`);
          return response.status === '200' && wanted.test(response.body) ? response : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, context },
      );
      expect(scrape.body).toMatch(wanted);
    },
  );

  it.each([
    { component: 'controller', metric: 'metallb_allocator_addresses_total' },
    { component: 'speaker', metric: 'metallb_speaker_announced' },
  ] as const)(
    "M1: the $component's ServiceMonitor scrape (https, bearer token, insecureSkipVerify) on 9120 gets $metric",
    async ({ component, metric }) => {
      const node = component === 'controller' ? controllerNode : speakerNode;
      const url = `https://${node.ipv4}:${METRICS_PORT}/metrics`;
      // An IPv6-only pod is scraped at its IPv6 address: MetalLB's wildcard listen takes both families.
      const urlIPv6 = `https://[${node.ipv6}]:${METRICS_PORT}/metrics`;
      const client = speakerLab.lab.clientNamespace;
      const reader = await mintServiceAccountToken(speakerLab.cluster.admin, 'metallb-metrics-reader');
      const scrape = await eventually(
        `${component} HTTPS metrics`,
        () => {
          const response = curl(client, url, ['-k', '-H', `Authorization: Bearer ${reader}`]);
          return response.status === '200' && response.body.includes(`# HELP ${metric} `)
            ? response
            : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, context },
      );
      expect(scrape.body).toMatch(new RegExp(`^# HELP ${metric} `, 'm'));
      const overIPv6 = curl(client, urlIPv6, ['-k', '-H', `Authorization: Bearer ${reader}`]);
      expect(overIPv6.status).toBe('200');
      expect(curl(client, url, ['-k']).status).toBe('401');
      // The port speaks TLS only: a plain-HTTP scrape gets no metrics.
      expect(curl(client, `http://${node.ipv4}:${METRICS_PORT}/metrics`).status).not.toBe('200');
    },
  );

  it('issue 13 #3: both exit 0 on SIGTERM, having logged to stdout only (as MetalLB)', async () => {
    for (const [name, child] of children) {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited, context()).toBe(0);
      expect(stderrOf[name]).toBe('');
      const lines = logs[name].split('\n').filter((line) => line !== '');
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(JSON.parse(line)).toHaveProperty('level');
    }
  }, 60_000);
});
