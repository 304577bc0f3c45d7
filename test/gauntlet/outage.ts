// The outage oracle (issue 12, "the gauntlet learns to see outages"): every VIP is pinged every
// 10 ms from the lab's client by plain iputils `ping`, and the client's neighbour cache is left
// alone (no flush, no static entry), as a real client's would be. An outage is a run of lost
// echoes: its length is the time between the last reply before the loss and the first reply after
// it, from ping's own -D timestamps. Ping stalls with nothing lost (a busy machine) are not outages.
// A fault's phase owns the outages that begin in it.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** ping's send interval: the "every 10 ms". */
export const PING_INTERVAL_MS = 10;
/**
 * No reply for this long and none since: an outage still open. Shorter silences are a busy machine
 * (ping or this process not scheduled), not echoes known to be lost.
 */
export const OPEN_AFTER_MS = 500;
/** ping's icmp_seq is 16 bits: it wraps after 655 s at 100 echoes a second. */
const SEQUENCE_MODULO = 65_536;

/** One run of lost echoes between two replies (`to` undefined: no reply since `from`). */
export interface LossRun {
  readonly from: number;
  readonly to: number | undefined;
  readonly lost: number;
}

/** The worst outage of one IP inside a window. */
export interface Outage {
  readonly ip: string;
  /** Longest time without a reply across lost echoes, ms (0: nothing lost). */
  readonly longestMs: number;
  /** Echoes lost in the runs overlapping the window. */
  readonly lost: number;
  /** When the longest outage began (epoch ms), for the log. */
  readonly at: number;
  /** Whether the longest outage had not ended when measured (its length is then a lower bound). */
  readonly open?: boolean;
}

/** A reply line of `ping -D`: `[1733425000.123456] 64 bytes from 203.0.113.1: icmp_seq=42 ttl=64 ...`. */
export function parseReply(line: string): { atMs: number; sequence: number } | undefined {
  const match = line.match(/^\[(\d+(?:\.\d+)?)\] \d+ bytes from [^ ]+ icmp_seq=(\d+)/);
  if (!match) return undefined;
  return { atMs: Math.round(Number(match[1]) * 1000), sequence: Number(match[2]) };
}

/** The replies of one IP, kept as loss runs only (a 10-minute run is 60,000 replies). */
export class ReplyTrack {
  readonly runs: LossRun[] = [];
  lastReplyMs: number | undefined;
  private lastSequence: number | undefined;
  /** Replies seen; a track that never saw one measured nothing. */
  replies = 0;

  reply(atMs: number, sequence: number): void {
    if (this.lastSequence !== undefined && this.lastReplyMs !== undefined) {
      const step = (sequence - this.lastSequence + SEQUENCE_MODULO) % SEQUENCE_MODULO;
      // 0: a duplicate; above half the range: a late reply from before the last one.
      if (step === 0 || step > SEQUENCE_MODULO / 2) return;
      if (step > 1) this.runs.push({ from: this.lastReplyMs, to: atMs, lost: step - 1 });
    }
    this.lastSequence = sequence;
    this.lastReplyMs = atMs;
    this.replies += 1;
  }

  /**
   * The runs that began in [from, to): a phase owns the outages that start in it, however long they
   * last (one that began before the phase is the earlier phase's). A run begins at its last reply
   * before the loss; the still open one (nothing for OPEN_AFTER_MS) counts up to `nowMs`.
   */
  beganIn(window: { from: number; to: number }, nowMs: number): LossRun[] {
    const inside = (at: number) => at >= window.from - PING_INTERVAL_MS && at < window.to;
    const found = this.runs.filter((run) => inside(run.from));
    const last = this.lastReplyMs;
    if (last !== undefined && nowMs - last > OPEN_AFTER_MS && inside(last)) {
      found.push({ from: last, to: undefined, lost: Math.floor((nowMs - last) / PING_INTERVAL_MS) - 1 });
    }
    return found;
  }
}

/** The worst outage of `track` beginning in the window (an open one counts up to `nowMs`). */
export function outageIn(
  ip: string,
  track: ReplyTrack,
  window: { from: number; to: number; nowMs: number },
): Outage {
  let longestMs = 0;
  let lost = 0;
  let at = window.from;
  let open = false;
  for (const run of track.beganIn(window, window.nowMs)) {
    lost += run.lost;
    const length = (run.to ?? window.nowMs) - run.from;
    if (length > longestMs) {
      longestMs = length;
      at = run.from;
      open = run.to === undefined;
    }
  }
  return { ip, longestMs, lost, at, open };
}

/** The worst of several outages (longest first, then most lost). */
export function worstOutage(outages: readonly Outage[]): Outage | undefined {
  return [...outages].sort((a, b) => b.longestMs - a.longestMs || b.lost - a.lost)[0];
}

/** `203.0.113.1 5750 ms (574 lost)` for logs and violations. */
export function describeOutage(outage: Outage | undefined): string {
  if (!outage) return 'nothing pinged';
  if (outage.lost === 0) return `${outage.ip} 0 ms (0 lost)`;
  const length = outage.open ? `>= ${outage.longestMs} ms, no reply yet` : `${outage.longestMs} ms`;
  return `${outage.ip} ${length} (${outage.lost} lost, from ${new Date(outage.at).toISOString()})`;
}

/** Pings each watched IP every 10 ms from `namespace` until stopped. */
export class OutageMeter {
  private readonly pingers = new Map<string, { child: ChildProcess; track: ReplyTrack }>();

  constructor(private readonly namespace: string) {}

  /** Starts pinging `ips` not pinged yet and stops pinging the others. */
  watch(ips: Iterable<string>): void {
    const wanted = new Set(ips);
    for (const [ip, pinger] of this.pingers) {
      if (wanted.has(ip)) continue;
      pinger.child.kill('SIGKILL');
      this.pingers.delete(ip);
    }
    for (const ip of wanted) if (!this.pingers.has(ip)) this.pingers.set(ip, this.startPinger(ip));
  }

  private startPinger(ip: string): { child: ChildProcess; track: ReplyTrack } {
    const interval = String(PING_INTERVAL_MS / 1000);
    // stdbuf: ping's stdout is a pipe, block-buffered by default; each reply must arrive as it is printed.
    const ping = ['stdbuf', '-oL', 'ping', '-n', '-D', '-i', interval, ip];
    const child = spawn('ip', ['netns', 'exec', this.namespace, ...ping], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const track = new ReplyTrack();
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const reply = parseReply(line);
        if (reply) track.reply(reply.atMs, reply.sequence);
      });
    }
    return { child, track };
  }

  /** The IPs pinged now. */
  get ips(): string[] {
    return [...this.pingers.keys()];
  }

  /** Each watched IP's worst outage beginning in [from, to) (to defaults to now). */
  outages(from: number, to = Date.now()): Outage[] {
    const nowMs = Date.now();
    return [...this.pingers].map(([ip, { track }]) => outageIn(ip, track, { from, to, nowMs }));
  }

  /** Whether every watched IP has answered within the last `withinMs`. */
  allAnswering(withinMs = OPEN_AFTER_MS): boolean {
    const nowMs = Date.now();
    return [...this.pingers.values()].every(
      ({ track }) => track.lastReplyMs !== undefined && nowMs - track.lastReplyMs <= withinMs,
    );
  }

  stop(): void {
    for (const { child } of this.pingers.values()) child.kill('SIGKILL');
    this.pingers.clear();
  }
}
