// Child process for the layer-2 netns tests and bench/l2: runs one DataPlane inside a speaker
// namespace (Node cannot enter a namespace in-process). One JSON command per stdin line, one JSON
// reply or event per stdout line. Options come as JSON in argv[2].
import { createInterface } from 'node:readline';
import pino from 'pino';
import { type Announcement, DataPlane } from '../../src/l2/index.js';
import { setResponderPriority } from '../../src/l2/native.js';
import { renderMetrics } from '../../src/metrics/registry.js';

interface SpeakerOptions {
  exclude?: string[];
  only?: string[];
  /** Interface poll interval (ms) instead of the default: bench experiments only. */
  pollIntervalMs?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as SpeakerOptions;
const write = (message: unknown): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};

const plane = await DataPlane.startWith(
  {
    logger: pino({ level: process.env.FERROLB_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
    ...(options.exclude ? { excludeInterfaces: options.exclude.map((source) => new RegExp(source)) } : {}),
    ...(options.only ? { onlyInterfaces: options.only } : {}),
    onConflict: (conflict) => write({ event: 'conflict', ...conflict }),
  },
  options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {},
);
plane.on('interfaces', () => write({ event: 'interfaces', states: plane.interfaceStates() }));

let busyTimer: NodeJS.Timeout | undefined;
// Blocks the main thread `blockMs` every `everyMs`, like a large list decode (bench/l2, issue 3 item 10).
function busy(blockMs: number, everyMs: number): void {
  if (busyTimer) clearInterval(busyTimer);
  if (blockMs <= 0) return;
  busyTimer = setInterval(() => {
    const end = performance.now() + blockMs;
    while (performance.now() < end) {
      // Spin: the point is to hold the JS thread.
    }
  }, everyMs);
}

async function handle(command: Record<string, unknown>): Promise<unknown> {
  switch (command.op) {
    case 'owned':
      plane.setAnnouncements(new Map(command.entries as [string, Announcement][]));
      return null;
    case 'states':
      return plane.interfaceStates();
    case 'healthy':
      return plane.hasHealthyInterface(command.filter as string[] | undefined);
    case 'metrics':
      // Give the 1 s counter sync a chance to run first.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      return renderMetrics();
    case 'priority':
      // The addon's responder threads under SCHED_FIFO (bench experiment; needs CAP_SYS_NICE).
      setResponderPriority(Number(command.priority));
      return null;
    case 'busy':
      busy(Number(command.blockMs), Number(command.everyMs));
      return null;
    default:
      throw new Error(`unknown op ${String(command.op)}`);
  }
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    const command = JSON.parse(line) as Record<string, unknown>;
    handle(command).then(
      (result) => write({ id: command.id, ok: true, result }),
      (error: Error) => write({ id: command.id, ok: false, message: error.message }),
    );
  })
  .on('close', () => {
    if (busyTimer) clearInterval(busyTimer);
    void plane.stop().then(() => process.exit(0));
  });

write({ event: 'ready', states: plane.interfaceStates() });
