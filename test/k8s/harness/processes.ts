import { type ChildProcess, spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Every harness run keeps its temp dirs and pid files under here, so a crashed run can be swept. */
export const HARNESS_ROOT = '/tmp/ferrolb-k8s-harness';
const OWNER_FILE = 'owner.pid';

/** A child process the harness started, with its log file and pid file. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  readonly exited: Promise<number | null>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid only if /proc says it still runs the binary we started (pids get reused). */
function verifiedPid(pidFile: string): number | undefined {
  const [pidText, binary] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return binary && commandLine.startsWith(binary) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Kills what earlier runs left behind when their owner (a test worker) died without cleaning up. */
export function sweepAbandonedRuns(): void {
  if (!existsSync(HARNESS_ROOT)) return;
  for (const entry of readdirSync(HARNESS_ROOT)) {
    const runDirectory = join(HARNESS_ROOT, entry);
    const ownerFile = join(runDirectory, OWNER_FILE);
    const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : 0;
    if (owner > 0 && isAlive(owner)) continue;
    for (const file of readdirSync(runDirectory).filter((name) => name.endsWith('.process'))) {
      const pid = verifiedPid(join(runDirectory, file));
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    }
    rmSync(runDirectory, { recursive: true, force: true });
  }
}

/** A fresh run directory owned by this process. */
export function createRunDirectory(): string {
  mkdirSync(HARNESS_ROOT, { recursive: true });
  const runDirectory = join(HARNESS_ROOT, `run-${process.pid}-${Date.now()}`);
  mkdirSync(runDirectory, { recursive: true });
  writeFileSync(join(runDirectory, OWNER_FILE), String(process.pid));
  return runDirectory;
}

/** Starts `binary args`, logging to `<runDirectory>/<name>.log`, and records its pid for the sweeper. */
export function startProcess(
  runDirectory: string,
  name: string,
  command: { binary: string; args: readonly string[]; env?: NodeJS.ProcessEnv },
): ManagedProcess {
  const logPath = join(runDirectory, `${name}.log`);
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(command.binary, [...command.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: command.env ?? process.env,
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  writeFileSync(join(runDirectory, `${name}.process`), `${child.pid}\n${command.binary}`);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
  });
  return { name, child, logPath, exited };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(managed: ManagedProcess, graceMs = 10_000): Promise<void> {
  if (managed.child.exitCode !== null || managed.child.signalCode !== null) return;
  managed.child.kill('SIGTERM');
  const timer = setTimeout(() => managed.child.kill('SIGKILL'), graceMs);
  await managed.exited;
  clearTimeout(timer);
}

/** A TCP port that was free a moment ago on `host`. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The last `lines` lines of a process log, for failure messages. */
export function tailLog(managed: ManagedProcess, lines = 30): string {
  try {
    return readFileSync(managed.logPath, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
