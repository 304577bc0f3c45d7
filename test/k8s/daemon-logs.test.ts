// Issue 13 #2 and #3, issue 12 #13 on the real API server: the controller and a speaker started
// with the flags and variables of MetalLB's chart and manifests run (none exits), each names the
// flags it ignores in one warning, --metrics-bind-address=127.0.0.1 listens there only, also for
// --health-probe-port (the kernel's /proc/net/tcp), and every line both daemons log through start,
// allocation, a refused configuration and SIGTERM is on stdout (MetalLB's go-kit logger writes
// there), nothing on stderr, and passes the strict duplicate-key scanner and MetalLB's log shape.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLineProblems } from '../helpers/strict-json.js';
import { REPOSITORY_ROOT } from './harness/binaries.js';
import { type ControllerProcess, startControllerProcess } from './harness/controller-process.js';
import { startTestCluster, type TestCluster } from './harness/index.js';
import { ingressOf, poolManifest, serviceManifest, userClients } from './harness/objects.js';
import { freePort, type ManagedProcess, startProcess, stopProcess, tailLog } from './harness/processes.js';
import { eventually } from './harness/waiting.js';

let cluster: TestCluster;
let user: ReturnType<typeof userClients>;
let controller: ControllerProcess;
let speaker: ManagedProcess;
let speakerPort: number;
let controllerHealthPort: number;
let speakerHealthPort: number;
/** What each daemon wrote to stderr (its log file holds stdout and stderr together). */
const stderrOf = { controller: '', speaker: '' };

const TLS_FLAGS = [
  '--tls-min-version=VersionTLS13',
  '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  '--tls-curve-preferences=29,23',
  '--pprof-bind-address=',
];
// MetalLB's --metrics-cert-dir is honoured (a directory that cannot be read stops the start:
// fail closed), so it is not among the flags given here; test/k8s/secure-metrics*.test.ts use it.
const CONTROLLER_ARGS = ['--webhook-mode=disabled', ...TLS_FLAGS, '--metrics-bind-address=127.0.0.1'];
const SPEAKER_ARGS = [
  '--ml-wan-config',
  '--bgp-debounce-timeout=3000',
  '--frrk8s-namespace=frr-k8s-system',
  '--frrk8s-secret-passthrough',
  ...TLS_FLAGS,
  '--log-level=all',
  '--metrics-bind-address=127.0.0.1',
];

/** The IPv4 addresses with a TCP listener on `port` in this (the host's) namespace. */
function listeners(port: number): string[] {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const v4 = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(`:${portHex}`) && fields[3] === '0A')
    .map((fields) => {
      const hex = (fields[1] as string).split(':')[0] as string;
      return [6, 4, 2, 0].map((offset) => Number.parseInt(hex.slice(offset, offset + 2), 16)).join('.');
    });
  const v6 = readFileSync('/proc/net/tcp6', 'utf8')
    .split('\n')
    .filter((line) => line.trim().split(/\s+/)[1]?.endsWith(`:${portHex}`))
    .map(() => 'an IPv6 address');
  return [...v4, ...v6];
}

const logLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
const context = () => `${controller?.log(40)}\n--- speaker\n${speaker ? tailLog(speaker, 40) : ''}`;

beforeAll(async () => {
  cluster = await startTestCluster();
  user = userClients(cluster.admin);
  [controllerHealthPort, speakerHealthPort] = [await freePort(), await freePort()];
  controller = await startControllerProcess({
    runDirectory: cluster.server.runDirectory,
    kubeconfigPath: cluster.kubeconfigPath('controller'),
    name: 'controller-logs',
    extraArgs: [...CONTROLLER_ARGS, `--health-probe-port=${controllerHealthPort}`],
  });
  controller.process.child.stderr?.on('data', (chunk: Buffer) => {
    stderrOf.controller += chunk.toString();
  });
  // Never answer on the host: every interface excluded (MetalLB's excludel2 format).
  const excludeFile = join(cluster.server.runDirectory, 'excludel2.yaml');
  writeFileSync(excludeFile, 'announcedInterfacesToExclude: [".*"]\n');
  speakerPort = await freePort();
  speaker = startProcess(cluster.server.runDirectory, 'speaker-logs', {
    binary: process.execPath,
    args: [
      join(REPOSITORY_ROOT, 'bin', 'ferrolb.js'),
      'speaker',
      `--kubeconfig=${cluster.kubeconfigPath('speaker')}`,
      `--port=${speakerPort}`,
      `--exclude-l2-config=${excludeFile}`,
      `--health-probe-port=${speakerHealthPort}`,
      ...SPEAKER_ARGS,
    ],
    env: {
      ...process.env,
      METALLB_NODE_NAME: 'node-a',
      METALLB_POD_NAME: 'speaker-node-a',
      METALLB_HOST: '198.51.100.11',
      METALLB_ML_BIND_ADDR: '',
      METALLB_BGP_TYPE: 'native',
    },
  });
  speaker.child.stderr?.on('data', (chunk: Buffer) => {
    stderrOf.speaker += chunk.toString();
  });
}, 120_000);

afterAll(async () => {
  if (speaker) await stopProcess(speaker, 15_000);
  await controller?.stop();
  await cluster?.stop();
});

describe("daemons run from MetalLB's flags, log in MetalLB's shape", () => {
  it('issue 12 #13: --metrics-bind-address=127.0.0.1 listens on 127.0.0.1 only', async () => {
    await eventually(
      'both daemons serving',
      async () => {
        const ready = await fetch(`http://127.0.0.1:${speakerPort}/healthz`).catch(() => undefined);
        return ready?.status === 200 && (await controller.get('/healthz')).status === 200 ? true : undefined;
      },
      { timeoutMs: 60_000, context },
    );
    for (const port of [controller.metricsPort, speakerPort, controllerHealthPort, speakerHealthPort]) {
      expect(listeners(port)).toEqual(['127.0.0.1']);
    }
  });

  it('DESIGN CLI: `controller --port N` and `speaker --port N` serve /metrics, /healthz, /readyz over plain HTTP on N', async () => {
    for (const port of [controller.metricsPort, speakerPort]) {
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await metrics.text()).toMatch(/^# HELP metallb_k8s_client_/m);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect([200, 503]).toContain((await fetch(`http://127.0.0.1:${port}/readyz`)).status);
    }
  });

  it("issue 13 #2: --health-probe-port serves MetalLB's probe paths, not the metrics", async () => {
    for (const port of [controllerHealthPort, speakerHealthPort]) {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    }
  });

  it('issue 13 #3: allocation, a refused configuration and SIGTERM leave only well-formed lines', async () => {
    await user.createPool(poolManifest('alpha', ['203.0.113.0/28']));
    await user.createNamespace('logs');
    await user.createService(serviceManifest('logs', 'web'));
    await eventually(
      'an IP for logs/web',
      async () => (ingressOf((await user.readService('logs', 'web')) as never).length > 0 ? true : undefined),
      { timeoutMs: 60_000, context },
    );
    // V2: an overlapping pool is refused; the last good configuration stays.
    await user.createPool(poolManifest('overlap', ['203.0.113.8/29']));
    await eventually(
      'the refusal in the controller log',
      () => (controller.log(400).includes('FERROLB_CONFIG_INVALID') ? true : undefined),
      { timeoutMs: 30_000, context },
    );
    expect(await controller.stop()).toBe(0);
    await stopProcess(speaker, 15_000);
    expect(speaker.child.exitCode).toBe(0);

    const controllerLines = logLines(controller.process.logPath);
    const speakerLines = logLines(speaker.logPath);
    const problems = [...controllerLines, ...speakerLines].flatMap((line) =>
      logLineProblems(line).map((problem) => `${problem}: ${line}`),
    );
    expect(problems).toEqual([]);
    // Issue 13 #3: MetalLB's daemons log to stdout; collectors reading it see every line.
    expect(stderrOf).toEqual({ controller: '', speaker: '' });
    expect(controllerLines.length).toBeGreaterThan(5);
    expect(speakerLines.length).toBeGreaterThan(5);
    const parsed = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const ignoredWarnings = (lines: string[]) =>
      parsed(lines).filter((line) => String(line.msg).includes('not implemented by ferrolb'));
    expect(ignoredWarnings(controllerLines)).toHaveLength(1);
    expect(ignoredWarnings(speakerLines)).toHaveLength(1);
    expect(ignoredWarnings(speakerLines)[0]?.msg).toContain('--frrk8s-namespace');
    expect(ignoredWarnings(speakerLines)[0]?.msg).toContain('METALLB_HOST');
    expect(parsed(controllerLines)).toContainEqual(
      expect.objectContaining({ level: 'error', op: 'setConfig', code: 'FERROLB_CONFIG_INVALID' }),
    );
    expect(parsed(controllerLines)).toContainEqual(
      expect.objectContaining({ event: 'ipAllocated', service: 'logs/web' }),
    );
  }, 120_000);
});
