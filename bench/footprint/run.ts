// bench/footprint (issue 14): what the controller and one speaker cost, against the real API
// server (test harness) with the speaker's real data plane in a lab namespace, as the Services
// grow (0, 200, 2,000, 10,000, each with an EndpointSlice) and the Nodes go from 3 to 100.
// Per step: RSS now and at peak, V8 heap used, CPU seconds to absorb the new objects, CPU seconds
// over an idle window. Same-run baselines: a bare @kubernetes/client-node informer process on the
// same objects (the floor of a watcher in this stack) and `node` doing nothing.
// A second idle window of the same length starts FERROLB_BENCH_LATER_S after the first ends: the
// first still holds the tail of a burst (garbage collection, the last announcement rounds).
// Environment: FERROLB_BENCH_IDLE_S (60), FERROLB_BENCH_LATER_S (60; 0 skips the second window),
// FERROLB_BENCH_FOOTPRINT_STEPS ("0,200,2000,10000"), FERROLB_BENCH_SPEAKERS (3).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { type ControllerProcess, startControllerProcess } from '../../test/k8s/harness/controller-process.js';
import { poolManifest } from '../../test/k8s/harness/objects.js';
import { SPEAKER_LAB_METRICS_PORT, SpeakerLab } from '../../test/k8s/harness/speaker-lab.js';
import { deployedSettings } from './deployed.js';
import { type ProcessReading, readProcess, settle } from './process-stats.js';
import { addNodes, BENCH_NAMESPACE, createServices, waitAllocated } from './world.js';

const IDLE_S = Number(process.env.FERROLB_BENCH_IDLE_S ?? 60);
const LATER_S = Number(process.env.FERROLB_BENCH_LATER_S ?? 60);
/**
 * Speakers (lab nodes with gossip between them): 3 as in the issue's MetalLB figures, where each
 * speaker owns about a third of the Services and probes its peers; 1 for a lone speaker owning all.
 */
const SPEAKERS = Number(process.env.FERROLB_BENCH_SPEAKERS ?? 3);
const STEPS = (process.env.FERROLB_BENCH_FOOTPRINT_STEPS ?? '0,200,2000,10000').split(',').map(Number);
const MANY_NODES = 100;

interface Subject {
  readonly name: string;
  readonly pid: number;
  /** GETs /metrics, or undefined when it has none. */
  readonly metrics?: () => string;
}

interface Row {
  readonly step: string;
  readonly subject: string;
  readonly rssMiB: number;
  readonly peakRssMiB: number;
  readonly heapMiB: number | undefined;
  readonly absorbCpu: number | undefined;
  readonly idleCpu: number;
  /** CPU-s over the second idle window, LATER_S after the first; undefined when skipped. */
  readonly laterIdleCpu: number | undefined;
  readonly idleMajorFaults: number;
}

function heapMiB(subject: Subject): number | undefined {
  let text: string | undefined;
  try {
    text = subject.metrics?.();
  } catch (error) {
    console.log(`${subject.name}: /metrics failed: ${String(error).split('\n')[0]}`);
    return undefined;
  }
  const match = text ? /^nodejs_heap_size_used_bytes (\S+)/m.exec(text) : null;
  return match ? Number(match[1]) / 1024 / 1024 : undefined;
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function measure(subjects: readonly Subject[], step: string, before: ProcessReading[] | undefined) {
  await settle(subjects.map((subject) => subject.pid));
  const settled = subjects.map((subject) => readProcess(subject.pid));
  await sleep(IDLE_S);
  const ended = subjects.map((subject) => readProcess(subject.pid));
  const heaps = subjects.map(heapMiB);
  let later: number[] | undefined;
  if (LATER_S > 0) {
    await sleep(LATER_S);
    const laterStart = subjects.map((subject) => readProcess(subject.pid).cpuSeconds);
    await sleep(IDLE_S);
    later = subjects.map((subject, index) => readProcess(subject.pid).cpuSeconds - (laterStart[index] ?? 0));
  }
  return subjects.map((subject, index): Row => {
    const now = ended[index] as ProcessReading;
    const start = settled[index] as ProcessReading;
    if (Number.isNaN(now.cpuSeconds)) console.log(`${subject.name} (pid ${subject.pid}) has exited`);
    return {
      step,
      subject: subject.name,
      rssMiB: now.rssMiB,
      peakRssMiB: now.peakRssMiB,
      heapMiB: heaps[index],
      absorbCpu: before ? start.cpuSeconds - (before[index] as ProcessReading).cpuSeconds : undefined,
      idleCpu: now.cpuSeconds - start.cpuSeconds,
      laterIdleCpu: later?.[index],
      idleMajorFaults: now.majorFaults - start.majorFaults,
    };
  });
}

function format(value: number | undefined, digits = 1): string {
  return value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
}

function printRows(rows: readonly Row[]): void {
  console.log(
    `\nfootprint (idle windows ${IDLE_S} s: from 3 s after quiet, and ${LATER_S} s after that one; absorb = CPU-s from the first create until quiet)`,
  );
  console.log(
    'step                      process      RSS MiB  peak MiB  heap MiB  absorb CPU-s  idle CPU-s  later CPU-s  idle majflt',
  );
  for (const row of rows) {
    console.log(
      `${row.step.padEnd(25)} ${row.subject.padEnd(12)} ${format(row.rssMiB).padStart(7)}  ${format(row.peakRssMiB).padStart(8)}  ${format(row.heapMiB).padStart(8)}  ${format(row.absorbCpu, 2).padStart(12)}  ${format(row.idleCpu, 2).padStart(10)}  ${format(row.laterIdleCpu, 2).padStart(11)}  ${format(row.idleMajorFaults, 0).padStart(11)}`,
    );
  }
}

function startBaselines(kubeconfig: string): ChildProcess[] {
  const informer = spawn(process.execPath, [join(import.meta.dirname, 'baseline-informer.mjs'), kubeconfig], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  return [informer, idle];
}

/**
 * With FERROLB_BENCH_HEAP_SNAPSHOT=1 (and NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2, which the
 * daemons inherit), each daemon writes a heap snapshot into its working directory at the end.
 */
async function heapSnapshots(subjects: readonly Subject[]): Promise<void> {
  for (const subject of subjects) process.kill(subject.pid, 'SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  console.log(`heap snapshots requested from ${subjects.map((subject) => subject.name).join(', ')}`);
}

/**
 * The daemons run as the manifests ship them: deploy/'s NODE_OPTIONS (inherited by every child,
 * the baselines too, so they stay a like-for-like floor) and the controller's --log-level (the
 * harness defaults it to debug). Both daemons must ship the same NODE_OPTIONS for that to hold.
 */
function applyDeployedSettings(): readonly string[] {
  const controller = deployedSettings('controller');
  const speaker = deployedSettings('speaker');
  if (controller.nodeOptions !== speaker.nodeOptions) {
    throw new Error('deploy/controller.yaml and deploy/speaker.yaml ship different NODE_OPTIONS');
  }
  if (speaker.nodeOptions) process.env.NODE_OPTIONS = speaker.nodeOptions;
  // FERROLB_BENCH_CPU_PROF_DIR: every Node process writes its main thread's CPU profile there on exit.
  if (process.env.FERROLB_BENCH_CPU_PROF_DIR) {
    const preload = new URL('./cpu-profile.cjs', import.meta.url).pathname;
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require=${preload}`;
  }
  console.log(`daemons run with NODE_OPTIONS=${speaker.nodeOptions ?? ''} (from deploy/)`);
  return controller.logLevelArgs;
}

/** What the bench started besides the lab, stopped at the end. */
interface Started {
  controller?: ControllerProcess;
  readonly baselines: ChildProcess[];
}

function metricsOf(namespace: string | undefined, port: number): () => string {
  const url = `http://127.0.0.1:${port}/metrics`;
  // A speaker at 10,000 Services exports a series per Service: megabytes (execFileSync's default is 1 MiB).
  const options = { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 } as const;
  return () =>
    namespace
      ? execFileSync('ip', ['netns', 'exec', namespace, 'curl', '-s', url], options)
      : execFileSync('curl', ['-s', url], options);
}

/** The world (Nodes, namespace, pool), the controller and the baselines; the processes to measure. */
async function startSubjects(lab: SpeakerLab, started: Started, controllerArgs: readonly string[]) {
  const node = lab.lab.nodes[0];
  const speakerPid = node ? lab.speakerPid(node.name) : undefined;
  if (!node || speakerPid === undefined) throw new Error('the lab speaker did not start');
  const core = lab.cluster.admin.makeApiClient(CoreV1Api);
  await addNodes(core, 3 - lab.lab.nodes.length);
  await core.createNamespace({ body: { metadata: { name: BENCH_NAMESPACE } } });
  await lab.user.createPool(poolManifest('bench', ['2001:db8:1::/112']));
  const controller = await startControllerProcess({
    runDirectory: lab.cluster.server.runDirectory,
    kubeconfigPath: lab.cluster.kubeconfigPath('controller'),
    name: 'footprint-controller',
    extraArgs: controllerArgs,
  });
  started.controller = controller;
  started.baselines.push(...startBaselines(lab.cluster.kubeconfigPath('admin')));
  await new Promise((resolve) => started.baselines[0]?.stdout?.once('data', resolve));
  const subjects: Subject[] = [
    {
      name: 'controller',
      pid: controller.process.child.pid ?? 0,
      metrics: metricsOf(undefined, controller.metricsPort),
    },
    { name: 'speaker', pid: speakerPid, metrics: metricsOf(node.namespace, SPEAKER_LAB_METRICS_PORT) },
    // Its gossip peers, measured too: each owns about a third of the Services, as in the issue's
    // MetalLB figures ("each of 3").
    ...lab.lab.nodes.slice(1).map((peer, index) => ({
      name: `speaker ${index + 2}`,
      pid: lab.speakerPid(peer.name) ?? 0,
      metrics: metricsOf(peer.namespace, SPEAKER_LAB_METRICS_PORT),
    })),
    { name: 'informer', pid: started.baselines[0]?.pid ?? 0 },
    { name: "node -e ''", pid: started.baselines[1]?.pid ?? 0 },
  ];
  return { subjects, nodeName: node.name };
}

/** One step: grow to `target` Services (and to 100 Nodes from 2,000 on), then measure. */
async function step(
  context: { readonly lab: SpeakerLab; readonly subjects: readonly Subject[]; readonly nodeName: string },
  world: { services: number; nodes: number },
  target: number,
): Promise<Row[]> {
  const { subjects } = context;
  const core = context.lab.cluster.admin.makeApiClient(CoreV1Api);
  const discovery = context.lab.cluster.admin.makeApiClient(DiscoveryV1Api);
  const rows: Row[] = [];
  if (target >= 2000 && world.nodes < MANY_NODES) {
    const before = subjects.map((subject) => readProcess(subject.pid));
    await addNodes(core, MANY_NODES - world.nodes, world.nodes);
    world.nodes = MANY_NODES;
    rows.push(...(await measure(subjects, `${world.services} Svc, ${world.nodes} Nodes (+97)`, before)));
  }
  const before = subjects.map((subject) => readProcess(subject.pid));
  const started = performance.now();
  await createServices({ core, discovery, from: world.services, to: target, nodeName: context.nodeName });
  await waitAllocated(core, target);
  const wall = (performance.now() - started) / 1000;
  const controllerCpu = readProcess(subjects[0]?.pid ?? 0).cpuSeconds - (before[0]?.cpuSeconds ?? 0);
  const added = target - world.services;
  if (added > 0) {
    console.log(
      `allocated ${added} Services in ${wall.toFixed(1)} s wall; controller CPU in that time ${controllerCpu.toFixed(2)} s (${((100 * controllerCpu) / wall).toFixed(0)} % of one core: the rest is the API server and the round trips)`,
    );
  }
  const label = `${target} Svc, ${world.nodes} Nodes${added > 0 ? ` (+${added})` : ''}`;
  rows.push(...(await measure(subjects, label, added > 0 ? before : undefined)));
  world.services = target;
  return rows;
}

async function runSteps(lab: SpeakerLab, started: Started, controllerArgs: readonly string[]): Promise<void> {
  const { subjects, nodeName } = await startSubjects(lab, started, controllerArgs);
  const rows: Row[] = [];
  const world = { services: 0, nodes: 3 };
  for (const target of STEPS) {
    rows.push(...(await step({ lab, subjects, nodeName }, world, target)));
    printRows(rows);
  }
  if (process.env.FERROLB_BENCH_HEAP_SNAPSHOT) await heapSnapshots(subjects.slice(0, 2));
  await holdForInspection(subjects);
}

/** FERROLB_BENCH_HOLD_S: keeps every process running that long after the last step (gdb, smaps). */
async function holdForInspection(subjects: readonly Subject[]): Promise<void> {
  const seconds = Number(process.env.FERROLB_BENCH_HOLD_S ?? 0);
  if (!(seconds > 0)) return;
  console.log(
    `holding ${seconds} s: ${subjects.map((subject) => `${subject.name}=${subject.pid}`).join(' ')}`,
  );
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

/** Rejects on SIGINT or SIGTERM, so an interrupted bench still removes its lab and API server. */
function interruption(): Promise<never> {
  return new Promise<never>((_, reject) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => reject(new Error(`bench interrupted by ${signal}`)));
    }
  });
}

/** The daemons' logs outlive the run directory (removed with the lab): /tmp/ferrolb-bench-logs. */
function keepLogs(runDirectory: string): void {
  const kept = '/tmp/ferrolb-bench-logs';
  rmSync(kept, { recursive: true, force: true });
  try {
    const wanted = (source: string) => !source.includes('etcd-data') && !source.endsWith('.sock');
    cpSync(runDirectory, kept, { recursive: true, filter: wanted });
    console.log(`daemon logs kept in ${kept}`);
  } catch (error) {
    console.log(`daemon logs not kept: ${String(error)}`);
  }
}

async function main(): Promise<void> {
  const controllerArgs = applyDeployedSettings();
  const interrupted = interruption();
  const lab = await SpeakerLab.start({ prefix: 'flbfp', nodeCount: SPEAKERS });
  const started: Started = { baselines: [] };
  try {
    await Promise.race([runSteps(lab, started, controllerArgs), interrupted]);
  } finally {
    for (const child of started.baselines) child.kill('SIGKILL');
    await started.controller?.stop();
    keepLogs(lab.cluster.server.runDirectory);
    await lab.stop();
  }
}

await main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
