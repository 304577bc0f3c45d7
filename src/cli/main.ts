import { FerrolbError, UsageError } from '../errors.js';

const USAGE = `usage: ferrolb <command> [flags]

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

/** Runs one ferrolb command and returns its exit code (0 ok, 2 invalid input or flags, 1 other). */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const load = commands[command];
  if (!load) {
    console.error(`ferrolb: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`ferrolb ${command}: ${error.message}`);
      return 2;
    }
    if (error instanceof FerrolbError && error.code.startsWith('FERROLB_CONFIG')) {
      console.error(`ferrolb ${command}: ${error.message}`);
      return 2;
    }
    console.error(`ferrolb ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
