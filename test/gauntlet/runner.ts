// The gauntlet (issue 7): rounds of [one fault or hostile input, a burst of random churn, a quiet
// checkpoint] for a fixed duration from a printed seed, with the continuous checks ticking in the
// background, then everything is deleted and checked for leaks. With `outage` (issue 12), a
// standalone trio beside it is pinged every 10 ms and the outage faults join the fault cycle.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_NAMESPACE } from '../k8s/harness/index.js';
import type { Applier as ApplierType } from './apply.js';
import { Applier } from './apply.js';
import { checkQuiet, checkSilentWhenStopped, type Ownership } from './checkpoint.js';
import { Churn } from './churn.js';
import { createEnvironment, type Environment, SPEAKER_METRICS_PORT, trioLabPrefix } from './environment.js';
import { applyFault, type FaultKind, faultKinds } from './faults.js';
import { applyHostile, HOSTILE_KINDS, type HostileKind } from './hostile.js';
import { ALL_NODES } from './invariants.js';
import { APP_NAMESPACES, anchorServices, initialWorld, type World } from './model.js';
import { Monitor } from './monitor.js';
import { OutageLab } from './outage-lab.js';
import { metricSum, namespaceMetrics } from './probes.js';
import { cycle, Random } from './random.js';
import { Report } from './report.js';

export interface GauntletOptions {
  readonly durationMs: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
  /** Run the outage trio and its faults (issue 12); `make gauntlet` turns it on. */
  readonly outage?: boolean;
  /** Only these fault kinds (GAUNTLET_FAULTS), e.g. to replay one. */
  readonly faults?: readonly string[];
}

const TICK_MS = 2_000;
const LEAK_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function seedWorld(world: World, applier: ApplierType, environment: Environment): Promise<void> {
  for (const namespace of APP_NAMESPACES) await environment.user.createNamespace(namespace);
  for (const node of world.nodes) await applier.createNode(node);
  for (const pool of world.pools.values()) await applier.applyPool(pool, true);
  for (const advertisement of world.advertisements.values())
    await applier.applyAdvertisement(advertisement, true);
}

function allDaemons(environment: Environment) {
  return [...environment.controllers, ...environment.speakers.values()];
}

/** Restarts any daemon that is down (a crash was already reported) and waits until all serve. */
async function reviveDaemons(environment: Environment, report: Report): Promise<void> {
  for (const daemon of allDaemons(environment)) if (!daemon.running) daemon.start();
  for (const daemon of allDaemons(environment)) {
    if (!(await daemon.waitReady()))
      report.violation(`${daemon.name} not ready 60 s after start\n${daemon.logTail(10)}`);
  }
}

async function churnBurst(churn: Churn, context: { random: Random; report: Report }): Promise<void> {
  const count = context.random.int(3, 7);
  for (let index = 0; index < count; index += 1) {
    try {
      context.report.operation(await churn.step());
    } catch (error) {
      context.report.operationError('churn', error);
    }
    await sleep(context.random.int(100, 800));
  }
}

interface RoundContext {
  readonly environment: Environment;
  readonly world: World;
  readonly report: Report;
  readonly random: Random;
  readonly churn: Churn;
  readonly nextFault: () => FaultKind;
  readonly nextHostile: () => HostileKind;
  readonly trio?: OutageLab;
}

/** One round; resolves to the new quiet ownership and what the round's fault or hostile input was. */
async function round(context: RoundContext, ownership: Ownership): Promise<[Ownership, string]> {
  const { random, report } = context;
  const mode = random.weighted({ fault: 5, hostile: 3, none: 1 });
  let what = 'no fault';
  try {
    if (mode === 'fault') {
      const kind = context.nextFault();
      what = `fault ${kind} ${await applyFault(context, kind, ownership)}`.trim();
    }
    if (mode === 'hostile') {
      const kind = context.nextHostile();
      what = `hostile ${kind}`;
      await applyHostile(context, kind, ownership);
    }
  } catch (error) {
    report.operationError(mode, error);
  }
  await churnBurst(context.churn, context);
  await reviveDaemons(context.environment, report);
  return [await checkQuiet(context, ALL_NODES), what];
}

async function leakCheck(context: { environment: Environment; world: World; report: Report; churn: Churn }) {
  const { environment, world, report } = context;
  for (const [key, service] of [...world.services]) {
    context.churn.released.set(key, Date.now());
    await new Applier(environment.user, environment.cluster.admin).deleteService(service);
    world.services.delete(key);
  }
  report.count('check.noLeakedAllocation');
  const leftovers = async () => {
    const problems: string[] = [];
    for (const [name, port] of environment.controllerPorts) {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
      const inUse = metricSum(text, 'metallb_allocator_addresses_in_use_total');
      if (inUse !== 0) problems.push(`${name}: metallb_allocator_addresses_in_use_total ${inUse}`);
    }
    for (const node of environment.lab.nodes) {
      const text = await namespaceMetrics(node.namespace, SPEAKER_METRICS_PORT);
      if (metricSum(text, 'metallb_speaker_announced') !== 0)
        problems.push(`${node.name}: metallb_speaker_announced still set`);
    }
    const statuses = (await environment.user.custom.listNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: SYSTEM_NAMESPACE,
      plural: 'servicel2statuses',
    })) as { items: unknown[] };
    if (statuses.items.length > 0) problems.push(`${statuses.items.length} ServiceL2Status objects left`);
    return problems;
  };
  const deadline = Date.now() + LEAK_TIMEOUT_MS;
  let problems = await leftovers();
  while (problems.length > 0 && Date.now() < deadline) {
    await sleep(1_000);
    problems = await leftovers();
  }
  for (const problem of problems) report.violation(`leak after deleting every Service: ${problem}`);
}

/** The continuous checks and memory samples, every TICK_MS until stopped. */
class Background {
  private ticking = true;
  /** Memory counts from the first quiet state: start-up growth is not a leak. */
  sampling = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly monitor: Monitor,
    environment: Environment,
  ) {
    this.done = (async () => {
      while (this.ticking) {
        await this.monitor.tick();
        if (this.sampling) for (const daemon of allDaemons(environment)) daemon.sampleMemory();
        await sleep(TICK_MS);
      }
    })();
  }

  /** Lets pending lost-IP checks find their Events (up to 40 s), then stops. */
  async stop(): Promise<void> {
    const deadline = Date.now() + 40_000;
    while (this.ticking && this.monitor.pendingLossChecks > 0 && Date.now() < deadline) await sleep(1_000);
    this.ticking = false;
    await this.done;
  }

  halt(): void {
    this.ticking = false;
  }
}

async function prepare(
  environment: Environment,
  run: { report: Report; random: Random; options: GauntletOptions; trio?: OutageLab },
): Promise<RoundContext> {
  const { report, random, options, trio } = run;
  const world = initialWorld(environment.lab.nodes);
  const applier = new Applier(environment.user, environment.cluster.admin);
  await seedWorld(world, applier, environment);
  for (const anchor of anchorServices(world.nodes)) {
    await applier.createService(anchor, world);
    world.services.set(`${anchor.namespace}/${anchor.name}`, anchor);
  }
  await reviveDaemons(environment, report);
  return {
    environment,
    world,
    report,
    random,
    churn: new Churn(world, applier, random),
    nextFault: cycle(random, faultKinds({ outage: trio !== undefined, only: options.faults })),
    nextHostile: cycle(random, HOSTILE_KINDS),
    trio,
  };
}

async function runRounds(context: RoundContext, options: GauntletOptions & { log: (line: string) => void }) {
  const { report, world } = context;
  const monitor = new Monitor({
    user: context.environment.user,
    world,
    report,
    released: context.churn.released,
  });
  const background = new Background(monitor, context.environment);
  try {
    await churnBurst(context.churn, context);
    let ownership = await checkQuiet(context, ALL_NODES);
    const allocated = new Set(ownership.keys());
    report.startedAt = Date.now();
    background.sampling = true;
    for (let number = 1; Date.now() < report.startedAt + options.durationMs; number += 1) {
      const [next, what] = await round(context, ownership);
      ownership = next;
      for (const ip of ownership.keys()) allocated.add(ip);
      const elapsed = Math.round((Date.now() - report.startedAt) / 1000);
      const owned = [...ownership.values()].filter((owner) => owner !== '').length;
      options.log(
        `gauntlet: round ${number} (${what}) done at t+${elapsed} s, ${world.services.size} Services, ${ownership.size} IPs (${owned} announced), ${report.violations.length} violations`,
      );
    }
    await checkSilentWhenStopped(context, allocated);
    await reviveDaemons(context.environment, report);
    await leakCheck(context);
    await background.stop();
  } finally {
    background.halt();
  }
}

/** Runs the gauntlet and returns its report (violations included; it throws only on set-up failure). */
export async function runGauntlet(options: GauntletOptions): Promise<Report> {
  const log = options.log ?? ((line: string) => console.log(line));
  const report = new Report(options.seed);
  const random = new Random(options.seed);
  log(
    `gauntlet: seed ${options.seed} (replay with GAUNTLET_SEED=${options.seed}), duration ${options.durationMs / 1000} s`,
  );
  const environment = await createEnvironment((daemon, detail) =>
    report.violation(`daemon crash: ${daemon.name}: ${detail}`),
  );
  log(`gauntlet: daemon logs in ${environment.logDirectory}`);
  let trio: OutageLab | undefined;
  try {
    if (options.outage) trio = await startTrio(environment, report, log);
    await runRounds(await prepare(environment, { report, random, options, trio }), { ...options, log });
    report.endedAt = Date.now();
    report.memory = new Map(allDaemons(environment).map((daemon) => [daemon.name, daemon.memory]));
    report.count('check.noDaemonCrash', allDaemons(environment).length);
    return report;
  } finally {
    await trio?.destroy();
    await environment.destroy();
  }
}

/** Starts the outage trio and waits for its quiet state (a violation if it never comes). */
async function startTrio(environment: Environment, report: Report, log: (line: string) => void) {
  const directory = join(environment.logDirectory, 'trio');
  mkdirSync(directory);
  const trio = await OutageLab.create(trioLabPrefix(), directory, (what) =>
    report.violation(`daemon crash: ${what}`),
  );
  await trio.waitReady(trio.lab.nodes.map((node) => node.name));
  for (const problem of await trio.quiet()) report.violation(`outage trio never converged: ${problem}`);
  log(
    `gauntlet: outage trio up, pinging ${trio.meter.ips.join(', ')} every 10 ms from ${trio.lab.clientNamespace}`,
  );
  return trio;
}
