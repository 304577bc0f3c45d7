// The client's view of a VIP as real clients have it (DESIGN "Ownership is re-asserted"): `ping
// -D -i 0.01` from the client namespace, which KEEPS its neighbour cache (nothing here flushes
// it), so an owner that comes back without announcing leaves the client pointing at a node
// that withdrew. The outage is the longest gap between two consecutive replies.
import type { ChildProcess } from 'node:child_process';
import type { Lab } from './lab.js';
import { collectLines, spawnInClient } from './lab-probes.js';

/** One silence between two replies (epoch ms, from ping -D's timestamps). */
export interface Gap {
  readonly fromMs: number;
  readonly toMs: number;
  readonly durationMs: number;
}

/** What the meter saw between start() and stop(). */
export interface OutageReport {
  readonly replies: number;
  /** The longest gap between replies; a silence still running at stop() counts up to stop(). */
  readonly longestGapMs: number;
  /** Every gap longer than 50 ms, oldest first. */
  readonly gaps: readonly Gap[];
}

const INTERVAL_SECONDS = '0.01';
/** Gaps shorter than this are scheduling noise (five missed 10 ms pings), not worth listing. */
const NOTABLE_GAP_MS = 50;

/** Epoch ms of every reply line (`[1733400000.123456] 64 bytes from …: icmp_seq=…`). */
export function replyTimes(lines: readonly string[]): number[] {
  const times: number[] = [];
  for (const line of lines) {
    const match = line.match(/^\[(\d+\.\d+)\].*icmp_seq=\d+/);
    if (match) times.push(Number(match[1]) * 1000);
  }
  return times;
}

/** The gaps between consecutive replies (and from the last reply to `endMs`), longer than NOTABLE_GAP_MS. */
export function gapsOf(times: readonly number[], endMs: number): Gap[] {
  const gaps: Gap[] = [];
  const points = [...times, endMs];
  for (let index = 1; index < points.length; index += 1) {
    const fromMs = points[index - 1] as number;
    const toMs = points[index] as number;
    if (toMs - fromMs > NOTABLE_GAP_MS) gaps.push({ fromMs, toMs, durationMs: toMs - fromMs });
  }
  return gaps;
}

/** Pings one VIP every 10 ms from the lab's client until stop(). */
export class OutageMeter {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: string[],
  ) {}

  /** Starts pinging `ip` from the client namespace (the neighbour cache is left as it is). */
  static start(lab: Lab, ip: string): OutageMeter {
    const family = ip.includes(':') ? '-6' : '-4';
    const child = spawnInClient(lab, 'ping', [family, '-D', '-n', '-i', INTERVAL_SECONDS, ip]);
    return new OutageMeter(child, collectLines(child));
  }

  /** Replies so far (to wait until the client reaches the VIP before a fault). */
  replies(): number {
    return replyTimes(this.lines).length;
  }

  /** The report so far, without stopping; only gaps ending after `sinceMs` (epoch ms) when given. */
  report(sinceMs = 0): OutageReport {
    const times = replyTimes(this.lines);
    const gaps = gapsOf(times, Date.now()).filter((gap) => gap.toMs > sinceMs);
    const longestGapMs = Math.max(0, ...gaps.map((gap) => gap.durationMs));
    return { replies: times.length, longestGapMs, gaps };
  }

  /** Stops ping and returns the report (see report()). */
  async stop(sinceMs = 0): Promise<OutageReport> {
    const report = this.report(sinceMs);
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGINT');
    await exited;
    return report;
  }
}
