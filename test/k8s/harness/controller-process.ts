import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './binaries.js';
import { freePort, type ManagedProcess, startProcess, stopProcess, tailLog } from './processes.js';

/** A `node bin/ferrolb.js controller` child process with its metrics port. */
export interface ControllerProcess {
  readonly process: ManagedProcess;
  readonly metricsPort: number;
  /** HTTPS /metrics (TokenReview + SubjectAccessReview), MetalLB 0.16's 9120 in a pod. */
  readonly secureMetricsPort: number;
  /** The validating webhooks, MetalLB's 9443 in a pod. */
  readonly webhookPort: number;
  readonly name: string;
  /** SIGTERM (graceful: hands the Lease over) and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, the Lease is left to expire. */
  kill(): Promise<void>;
  /** The last lines of its log, for failure messages. */
  log(lines?: number): string;
  /** GET a path on its metrics port; resolves to status and body. */
  get(path: string): Promise<{ status: number; body: string }>;
}

const CLI = join(REPOSITORY_ROOT, 'bin', 'ferrolb.js');

/** Fails early, with the fix, when the CLI was not compiled (make build does it). */
export function assertCliBuilt(): void {
  if (!existsSync(join(REPOSITORY_ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` (make build) first');
  }
}

/** Starts the compiled controller as a real child process, with `kubeconfigPath`'s identity. */
export async function startControllerProcess(options: {
  runDirectory: string;
  kubeconfigPath: string;
  name: string;
  extraArgs?: readonly string[];
}): Promise<ControllerProcess> {
  assertCliBuilt();
  const [metricsPort, secureMetricsPort, webhookPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const args = [
    CLI,
    'controller',
    `--kubeconfig=${options.kubeconfigPath}`,
    `--port=${metricsPort}`,
    `--secure-metrics-port=${secureMetricsPort}`,
    // Controllers share the host here and are probed on --port: MetalLB's 17472 (on by default) stays
    // free (test/k8s/metallb-args.test.ts covers it).
    '--health-probe-port=0',
    `--webhook-port=${webhookPort}`,
    ...(options.extraArgs ?? []),
  ];
  const managed = startProcess(options.runDirectory, options.name, {
    binary: process.execPath,
    args,
    env: { ...process.env, METALLB_POD_NAME: options.name, FERROLB_LOG_LEVEL: 'debug' },
  });
  return {
    process: managed,
    metricsPort,
    secureMetricsPort,
    webhookPort,
    name: options.name,
    stop: async () => {
      await stopProcess(managed, 15_000);
      return managed.child.exitCode;
    },
    kill: async () => {
      managed.child.kill('SIGKILL');
      await managed.exited;
    },
    log: (lines) => tailLog(managed, lines),
    get: async (path) => {
      try {
        const response = await fetch(`http://127.0.0.1:${metricsPort}${path}`);
        return { status: response.status, body: await response.text() };
      } catch {
        return { status: 0, body: '' };
      }
    },
  };
}
