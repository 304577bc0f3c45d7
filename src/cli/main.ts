import { FerrolbError, UsageError } from '../errors.js';
import { packageVersion } from './args.js';

const USAGE = `usage: ferrolb <command> [flags]
       ferrolb <command> --help
       ferrolb --version

commands:
  controller   allocate LoadBalancer IPs in a Kubernetes cluster
  speaker      elect owners and answer ARP/NDP on this node (Kubernetes)
  standalone   run election and data plane from a YAML file, without Kubernetes
  plan         print the allocation the controller would make for a YAML file
  status       print every LoadBalancer Service, its IPs, pool and owner node`;

type CommandMain = (args: readonly string[]) => Promise<number>;

/** Each command's module is loaded only when run, so `plan` never loads the Kubernetes client. */
const commands: Readonly<Record<string, () => Promise<CommandMain>>> = {
  plan: async () => (await import('./plan.js')).planMain,
  speaker: async () => (await import('./speaker.js')).speakerMain,
  status: async () => (await import('./status.js')).statusMain,
  controller: async () => (await import('./controller.js')).controllerMain,
  standalone: async () => (await import('./standalone.js')).standaloneMain,
};

/** The daemons report a failure as a log line (with its error code); the tools as plain text. */
const DAEMONS = new Set(['controller', 'speaker', 'standalone']);

/** Exit code of a failure: 2 invalid input or flags, 1 any other. */
function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return 2;
  return error instanceof FerrolbError && error.code.startsWith('FERROLB_CONFIG') ? 2 : 1;
}

async function report(command: string, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError || !DAEMONS.has(command)) {
    console.error(`ferrolb ${command}: ${message}`);
    return;
  }
  // A daemon that fails before its logging started still logs where MetalLB's do: stdout.
  const { logger, setLogOutput } = await import('../log.js');
  setLogOutput('stdout');
  const code = error instanceof FerrolbError ? error.code : undefined;
  logger.error(
    { op: 'startup', ...(code ? { code } : {}), error: message },
    `ferrolb ${command}: ${message}`,
  );
}

/** Runs one ferrolb command and returns its exit code (0 ok, 2 invalid input or flags, 1 other). */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === 'version') {
    console.log(packageVersion());
    return 0;
  }
  const load = commands[command];
  if (!load) {
    console.error(`ferrolb: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (error) {
    await report(command, error);
    return exitCodeOf(error);
  }
}
