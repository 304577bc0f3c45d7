// The ferrolb daemons the gauntlet runs as child processes: two controller replicas on the host and
// one speaker per node namespace. Each knows whether its exit was asked for, so any other exit is a
// crash (issue 7: "no speaker or controller crash"), and samples its RSS from /proc.
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { residentKib } from './probes.js';

/** How one incarnation of a daemon is started. */
export type Launcher = (log: NodeJS.WritableStream) => ChildProcess;

/** Memory figures of one daemon across its incarnations. */
export interface MemoryFigures {
  startKib?: number;
  endKib?: number;
  peakKib: number;
}

/** A restartable daemon with crash detection. */
export class Daemon {
  child: ChildProcess | undefined;
  private expectingExit = false;
  readonly memory: MemoryFigures = { peakKib: 0 };
  restarts = 0;
  readonly logPath: string;

  constructor(
    readonly name: string,
    private readonly launch: Launcher,
    private readonly hooks: {
      logDirectory: string;
      onCrash: (daemon: Daemon, detail: string) => void;
      /** Whether this incarnation serves (its /readyz or /healthz answers 200). */
      ready?: (daemon: Daemon) => Promise<boolean>;
    },
  ) {
    this.logPath = join(hooks.logDirectory, `${name}.log`);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) return;
    if (this.child) this.restarts += 1;
    this.expectingExit = false;
    const log = createWriteStream(this.logPath, { flags: 'a' });
    const child = this.launch(log);
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.child !== child || this.expectingExit) return;
      this.hooks.onCrash(this, `exit code ${code} signal ${signal}\n${this.logTail(20)}`);
    });
  }

  /**
   * Sends `signal` and waits for the exit (SIGKILL after `graceMs`); resolves to how it ended:
   * `code 0`, `code 1`, `signal SIGKILL`, ...
   */
  async stop(signal: NodeJS.Signals, graceMs = 15_000): Promise<string> {
    const child = this.child;
    if (!child || !this.running) return 'not running';
    this.expectingExit = true;
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code, received) => resolve(code === null ? `signal ${received}` : `code ${code}`)),
    );
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const outcome = await exited;
    clearTimeout(timer);
    return outcome;
  }

  /**
   * Waits until the daemon reports ready; false after `timeoutMs`. Faults wait for it: a SIGTERM
   * before the daemon installs its handler would only test Node's default signal action.
   */
  async waitReady(timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.running && (await (this.hooks.ready?.(this) ?? Promise.resolve(true)))) return true;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return false;
  }

  /** Records the current RSS; the first sample ever is the start figure, the latest the end. */
  sampleMemory(): void {
    const kib = this.running ? residentKib(this.child?.pid) : undefined;
    if (kib === undefined) return;
    this.memory.startKib ??= kib;
    this.memory.endKib = kib;
    this.memory.peakKib = Math.max(this.memory.peakKib, kib);
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}
