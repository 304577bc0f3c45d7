// Child process for test/netns/native.test.ts: runs inside the speaker namespace (a process
// cannot switch namespaces itself) and drives PacketSocket from JSON commands on stdin, one per
// line, answering one JSON line each. `block` busy-waits the main thread to prove that replies
// come from the addon's C threads. Frames the addon forwards are printed as `frame` events.
import { createInterface } from 'node:readline';
import {
  type PacketProtocol,
  PacketSocket,
  setReplyRateLimit,
  setResponderPriority,
} from '../../src/l2/native.js';

interface Command {
  readonly id: number;
  readonly op:
    | 'open'
    | 'setOwned'
    | 'send'
    | 'join'
    | 'leave'
    | 'counters'
    | 'close'
    | 'block'
    | 'priority'
    | 'rateLimit';
  readonly name?: string;
  readonly interfaceName?: string;
  readonly protocol?: PacketProtocol;
  readonly mac?: string;
  readonly ipv4?: readonly string[];
  readonly ipv6?: readonly string[];
  readonly frameHex?: string;
  readonly durationMs?: number;
  readonly priority?: number;
  readonly perSecond?: number;
  readonly burst?: number;
}

const sockets = new Map<string, PacketSocket>();
const hexBytes = (text: string): Buffer => Buffer.from(text.replaceAll(':', ''), 'hex');

function print(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function socketOf(command: Command): PacketSocket {
  const socket = sockets.get(command.name ?? '');
  if (!socket) throw new Error(`no socket named ${command.name}`);
  return socket;
}

function busyWait(durationMs: number): void {
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    // Deliberately spinning: the main thread must not run anything for durationMs.
  }
}

function run(command: Command): unknown {
  switch (command.op) {
    case 'open': {
      const onFrame = (interfaceName: string, frame: Buffer) =>
        print({ event: 'frame', interfaceName, frameHex: frame.toString('hex') });
      const socket = PacketSocket.open(command.interfaceName ?? '', command.protocol ?? 'arp', onFrame);
      sockets.set(command.name ?? '', socket);
      return undefined;
    }
    case 'setOwned':
      return socketOf(command).setOwned({
        mac: hexBytes(command.mac ?? ''),
        ipv4: (command.ipv4 ?? []).map((ip) => Uint8Array.from(ip.split('.').map(Number))),
        ipv6: (command.ipv6 ?? []).map(hexBytes),
      });
    case 'send':
      return socketOf(command).send(hexBytes(command.frameHex ?? ''));
    case 'join':
      return socketOf(command).addMembership(hexBytes(command.mac ?? ''));
    case 'leave':
      return socketOf(command).dropMembership(hexBytes(command.mac ?? ''));
    case 'counters':
      return socketOf(command).counters();
    case 'close':
      return socketOf(command).close();
    case 'priority':
      return setResponderPriority(command.priority ?? 0);
    case 'rateLimit':
      return setReplyRateLimit(command.perSecond ?? 0, command.burst ?? 1);
    case 'block': {
      // Stdout to a pipe is synchronous on Linux, so the parent sees this before the spin starts.
      print({ event: 'blocking' });
      const startedAtMs = Date.now();
      busyWait(command.durationMs ?? 0);
      return { startedAtMs, endedAtMs: Date.now() };
    }
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = JSON.parse(line) as Command;
  try {
    print({ id: command.id, ok: true, result: run(command) });
  } catch (error) {
    const failure = error as Error & { errno?: string };
    print({ id: command.id, ok: false, message: failure.message, errno: failure.errno });
  }
});
// stdin closing is the parent's signal to leave: close what is open so the process can exit.
lines.on('close', () => {
  for (const socket of sockets.values()) socket.close();
});
