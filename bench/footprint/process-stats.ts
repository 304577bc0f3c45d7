// What a process costs, read from /proc the way `ps` and `top` do: resident memory now and at its
// peak (VmHWM), and CPU seconds (user + system) since it started.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on every Linux we run). */
const TICKS_PER_SECOND = 100;

/** One reading of a process. */
export interface ProcessReading {
  readonly rssMiB: number;
  readonly peakRssMiB: number;
  readonly cpuSeconds: number;
  /**
   * Page faults that read from disk (majflt). An idle process has none unless the kernel reclaimed
   * its code pages (this machine runs a DAMON pageout scheme): each timer then costs disk reads.
   */
  readonly majorFaults: number;
}

function statusKiB(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return Number(match?.[1] ?? Number.NaN);
}

/** A process that has exited: every figure is NaN (printed as '-'). */
const GONE: ProcessReading = {
  rssMiB: Number.NaN,
  peakRssMiB: Number.NaN,
  cpuSeconds: Number.NaN,
  majorFaults: Number.NaN,
};

/** Reads `pid` now; NaN figures once the process is gone (the bench reports it, see `isGone`). */
export function readProcess(pid: number): ProcessReading {
  let status: string;
  let stat: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return GONE;
  }
  // Fields after the command name, which may hold spaces, so split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    rssMiB: statusKiB(status, 'VmRSS') / 1024,
    peakRssMiB: statusKiB(status, 'VmHWM') / 1024,
    cpuSeconds: ticks / TICKS_PER_SECOND,
    majorFaults: Number(fields[9]),
  };
}

/** CPU seconds `pid` spent from `before` to now. */
export function cpuSince(pid: number, before: ProcessReading): number {
  return readProcess(pid).cpuSeconds - before.cpuSeconds;
}

/**
 * Waits until every process has been quiet (under `quietCpu` CPU seconds per second, summed) for
 * `quietMs`, or `timeoutMs` passed; a process absorbing work is done when it goes quiet.
 */
export async function settle(
  pids: readonly number[],
  options: { quietMs?: number; timeoutMs?: number } = {},
) {
  const quietMs = options.quietMs ?? 3_000;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let quietSince = Date.now();
  let last = pids.map((pid) => readProcess(pid).cpuSeconds);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = pids.map((pid) => readProcess(pid).cpuSeconds);
    // An exited process (NaN) counts as quiet.
    const busy = now.some((value, index) => value - (last[index] ?? 0) > 0.02);
    last = now;
    if (busy) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
  }
}
