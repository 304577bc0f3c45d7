// Parent side of test/netns/native-speaker.ts: starts it inside a namespace and exchanges one
// JSON line per command; events (`frame`, `blocking`) are kept for waitForEvent.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { PacketCounters } from '../../src/l2/native.js';

/** A reply from the child: ok with a result, or an error with the message and errno. */
export interface SpeakerReply {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly message?: string;
  readonly errno?: string;
}

/** An unsolicited line from the child. */
export interface SpeakerEvent {
  readonly event: string;
  readonly [key: string]: unknown;
}

/** Collects a child's stdout until it exits, killing it after `timeoutMs`. */
export function runToEnd(child: ChildProcess, timeoutMs: number): Promise<string> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(`${output}\n(killed after ${timeoutMs} ms)`);
    }, timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

/** The PacketSocket child process running in one namespace. */
export class NativeSpeaker {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: SpeakerReply) => void>();
  private readonly events: SpeakerEvent[] = [];
  private readonly eventListeners = new Set<() => void>();
  private errorOutput = '';

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) =>
      this.receive(line),
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      this.errorOutput += chunk.toString();
    });
  }

  /** Starts the child in namespace `ns` with the repository as working directory. */
  static start(ns: string): NativeSpeaker {
    const script = 'test/netns/native-speaker.ts';
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script], {
      cwd: process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new NativeSpeaker(child);
  }

  private receive(line: string): void {
    const message = JSON.parse(line) as SpeakerReply | SpeakerEvent;
    if ('event' in message) {
      this.events.push(message);
      for (const listener of this.eventListeners) listener();
      return;
    }
    this.waiting.get(message.id)?.(message);
    this.waiting.delete(message.id);
  }

  /** Sends one command and resolves with its reply (rejects after 30 s with the child's stderr). */
  request(command: Record<string, unknown>): Promise<SpeakerReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply to ${JSON.stringify(command)}: ${this.errorOutput}`)),
        30_000,
      );
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.stdin?.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  /** Like request but fails the test when the child reports an error. */
  async ok(command: Record<string, unknown>): Promise<unknown> {
    const reply = await this.request(command);
    if (!reply.ok) throw new Error(`${JSON.stringify(command)} failed: ${reply.message}`);
    return reply.result;
  }

  /** The counters of the named socket. */
  async counters(name: string): Promise<PacketCounters> {
    return (await this.ok({ op: 'counters', name })) as PacketCounters;
  }

  /** Resolves with the first event (past or future) matching `predicate`. */
  waitForEvent(predicate: (event: SpeakerEvent) => boolean, timeoutMs: number): Promise<SpeakerEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(predicate);
        if (!found) return;
        this.eventListeners.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.eventListeners.delete(check);
        reject(new Error(`no matching event within ${timeoutMs} ms; events: ${JSON.stringify(this.events)}`));
      }, timeoutMs);
      this.eventListeners.add(check);
      check();
    });
  }

  /** Closes stdin (the child closes its sockets) and waits for the exit code. */
  stop(): Promise<number | null> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) resolve(this.child.exitCode);
      this.child.on('exit', (code) => resolve(code));
      this.child.stdin?.end();
      setTimeout(() => this.child.kill('SIGKILL'), 10_000).unref();
    });
  }
}
