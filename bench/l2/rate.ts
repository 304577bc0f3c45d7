// Answered-request rate for bench/l2: the client floods ARP requests for one IP at a paced rate
// from an AF_PACKET socket (Python, in the client namespace) and the client's eth0 receive counter
// tells how many replies came back. Zero loss = every request answered.
import { spawnSync } from 'node:child_process';
import { inNs } from '../../test/helpers/netns.js';

function receivedPackets(ns: string): number {
  const links = JSON.parse(inNs(ns, 'ip', ['-s', '-j', 'link', 'show', 'eth0'])) as {
    stats64?: { rx?: { packets?: number } };
  }[];
  return links[0]?.stats64?.rx?.packets ?? 0;
}

// Sends `count` requests spread evenly over count/rate seconds; prints the achieved duration.
const SENDER = `
import socket, sys, time
target, count, rate, src_mac, src_ip = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
mac = bytes.fromhex(src_mac.replace(":", ""))
frame = b"\\xff" * 6 + mac + b"\\x08\\x06" + bytes.fromhex("0001080006040001") + mac + socket.inet_aton(src_ip) + bytes(6) + socket.inet_aton(target)
start = time.perf_counter()
for index in range(count):
    due = start + index / rate
    while time.perf_counter() < due:
        pass
    s.send(frame)
print(time.perf_counter() - start)
`;

/** One trial: requests sent, replies received, achieved send rate. */
export interface RateTrial {
  readonly requestedRate: number;
  readonly achievedRate: number;
  readonly sent: number;
  readonly answered: number;
}

/** Floods `count` requests for `ip` at `rate` per second and counts the replies. */
export async function rateTrial(options: {
  client: string;
  ip: string;
  rate: number;
  count: number;
  clientMac: string;
  clientIp: string;
}): Promise<RateTrial> {
  const { client, ip, rate, count } = options;
  const before = receivedPackets(client);
  const result = spawnSync(
    'ip',
    [
      'netns',
      'exec',
      client,
      'python3',
      '-c',
      SENDER,
      ip,
      String(count),
      String(rate),
      options.clientMac,
      options.clientIp,
    ],
    { encoding: 'utf8' },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const answered = receivedPackets(client) - before;
  const seconds = Number(result.stdout.trim());
  return { requestedRate: rate, achievedRate: Math.round(count / seconds), sent: count, answered };
}

/** The highest rate in `rates` (ascending) at which every request was answered, with the trials run. */
export async function zeroLossRate(
  trial: (rate: number) => Promise<RateTrial>,
  rates: readonly number[],
): Promise<{ best: RateTrial | undefined; trials: RateTrial[] }> {
  const trials: RateTrial[] = [];
  let best: RateTrial | undefined;
  for (const rate of rates) {
    const result = await trial(rate);
    trials.push(result);
    if (result.answered < result.sent) break;
    // The sender cannot always reach the requested rate on a loaded machine: keep the fastest.
    if (!best || result.achievedRate > best.achievedRate) best = result;
  }
  return { best, trials };
}
