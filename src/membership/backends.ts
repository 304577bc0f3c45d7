import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ErrorCode, FerrolbError } from '../errors.js';
import type { LogLevel, MembershipEvent } from './engine-types.js';
import type { Member, MembershipStats, Seed } from './types.js';
import { type NodeSettings, startUdpNode } from './udp.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/** Where a backend reports what happens. */
export interface Sink {
  change(members: Member[]): void;
  event(event: MembershipEvent): void;
  stats(stats: MembershipStats): void;
  log(level: LogLevel, message: string, fields: Record<string, unknown>): void;
}

/** A running protocol instance, in a worker or on this thread. */
export interface Backend {
  readonly port: number;
  readonly initialMembers: Member[];
  setMetadata(metadata: Record<string, unknown>): void;
  join(seeds: readonly Seed[]): void;
  setAllowedMembers(allowed: ReadonlyMap<string, string> | undefined): void;
  requestStats(): void;
  leave(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Extra time a worker gets to confirm a stop before it is terminated. */
const WORKER_STOP_GRACE_MS = 2_000;

/** Runs the protocol on this thread (used by simulations with many members in one process). */
export async function startMainBackend(settings: NodeSettings, sink: Sink): Promise<Backend> {
  const node = await startUdpNode(settings, { onChange: sink.change, onEvent: sink.event, log: sink.log });
  const report = (): void => sink.stats(node.stats());
  return {
    port: node.port,
    initialMembers: node.engine.members(),
    setMetadata: (metadata) => node.engine.setMetadata(metadata),
    join: (seeds) => node.engine.join(seeds),
    setAllowedMembers: (allowed) => node.setAllowedMembers(allowed),
    requestStats: report,
    leave: async (timeoutMs) => {
      await node.engine.leave(timeoutMs);
      report();
      await node.close();
    },
    stop: async () => {
      node.engine.stop();
      report();
      await node.close();
    },
  };
}

/**
 * The worker: compiled `worker.js` next to this file; under tsx or vitest (sources are `.ts`) a
 * small ESM bootstrap registers tsx's loader inside the worker, then imports `worker.ts` (Node 20
 * ignores `--import` loaders in a worker's execArgv).
 */
function createWorker(settings: NodeSettings): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./worker.js', import.meta.url), { workerData: settings });
  // tsx's `esm/api` export resolves to a CommonJS build under require(); its ESM build sits beside it.
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = new URL('dist/esm/api/index.mjs', pathToFileURL(tsxPackage)).href;
  const entry = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: settings });
}

/** Runs the protocol in a worker_thread that owns the socket and timers. */
export function startWorkerBackend(settings: NodeSettings, sink: Sink): Promise<Backend> {
  const worker = createWorker(settings);
  const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const post = (message: ToWorker): void => worker.postMessage(message);
  const finish = async (message: ToWorker, timeoutMs: number): Promise<void> => {
    post(message);
    const timer = setTimeout(() => void worker.terminate(), timeoutMs + WORKER_STOP_GRACE_MS);
    await stopped;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        resolve({
          port: message.port,
          initialMembers: message.members,
          setMetadata: (metadata) => post({ type: 'setMetadata', metadata }),
          join: (seeds) => post({ type: 'join', seeds: seeds.map((seed) => ({ ...seed })) }),
          setAllowedMembers: (allowed) => post({ type: 'setAllowedMembers', allowed }),
          requestStats: () => post({ type: 'stats' }),
          leave: (timeoutMs) => finish({ type: 'leave', timeoutMs }, timeoutMs),
          stop: () => finish({ type: 'stop' }, 0),
        });
      } else if (message.type === 'error') {
        reject(new FerrolbError(ErrorCode.membership, `membership: cannot start gossip: ${message.message}`));
        void worker.terminate();
      } else if (message.type === 'stopped') {
        void worker.terminate();
      } else {
        deliver(message, sink);
      }
    });
    // After start an error means the protocol thread died: say so loudly; the others will see
    // this node as dead and take over its IPs.
    worker.on('error', (error) => sink.log('error', 'gossip worker failed', { error: error.message }));
    worker.once('error', (error) =>
      reject(new FerrolbError(ErrorCode.membership, `membership: worker failed: ${error.message}`)),
    );
  });
}

function deliver(message: FromWorker, sink: Sink): void {
  if (message.type === 'change') sink.change(message.members);
  else if (message.type === 'event') sink.event(message.event);
  else if (message.type === 'stats') sink.stats(message.stats);
  else if (message.type === 'log') sink.log(message.level, message.message, message.fields);
}
