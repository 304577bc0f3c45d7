// Gratuitous announcements (MetalLB G2/G3, Q8): on gaining an IP on an interface, one round at
// once and then every 1.1 s while under 5 s (rounds at 0, 1.1, 2.2, 3.3, 4.4 s); nothing on loss (G7).
// The schedule is pure; the Announcer class is the thin timer shell around it. What a round sends
// (ARP request + reply, or an unsolicited NA) is the caller's `sendRound`.
import {
  GRATUITOUS_DURATION_MS,
  GRATUITOUS_INTERVAL_MS,
  GRATUITOUS_REFRESH_INTERVAL_MS,
  PAUSE_CHECK_INTERVAL_MS,
  PAUSE_THRESHOLD_MS,
} from '../config/defaults.js';

/** Burst spacing and length, and the optional periodic refresh (0 = off, G8). */
export interface AnnouncementTiming {
  readonly intervalMs: number;
  readonly durationMs: number;
  readonly refreshIntervalMs: number;
}

/** MetalLB's timing with the refresh off. */
export const DEFAULT_TIMING: AnnouncementTiming = {
  intervalMs: GRATUITOUS_INTERVAL_MS,
  durationMs: GRATUITOUS_DURATION_MS,
  refreshIntervalMs: GRATUITOUS_REFRESH_INTERVAL_MS,
};

/** One running burst: when it started and how many rounds went out. */
export interface Burst {
  readonly startedAtMs: number;
  readonly roundsSent: number;
}

/** Running bursts by key (one key per IP and interface). */
export type Bursts = ReadonlyMap<string, Burst>;

/** Starts a burst for each key not already bursting: a repeated gain does not restart it (Q8). */
export function startBursts(bursts: Bursts, keys: readonly string[], nowMs: number): Bursts {
  const next = new Map(bursts);
  for (const key of keys) if (!next.has(key)) next.set(key, { startedAtMs: nowMs, roundsSent: 0 });
  return next;
}

/**
 * Starts `keys` afresh, running or not (DESIGN "Ownership is re-asserted"): a re-assertion must
 * send a round now and keep the full 5 s after it, whatever an earlier burst had left.
 */
export function restartBursts(bursts: Bursts, keys: readonly string[], nowMs: number): Bursts {
  const next = new Map(bursts);
  for (const key of keys) next.set(key, { startedAtMs: nowMs, roundsSent: 0 });
  return next;
}

/**
 * Whether a watchdog tick due at `dueAtMs` and run at `nowMs` reveals a pause of the process (its
 * monotonic clock jumped: SIGSTOP, a frozen VM, a starved host). Returns how late it ran, or
 * undefined. `cpuMs` is the CPU time the process used meanwhile: a tick late because this process
 * was busy (a reconcile of 10,000 Services, its own gratuitous rounds) ran all along and no peer took
 * anything over, so only the lateness its CPU time does not explain counts. Without that, one
 * long re-assert round of 10,000 IPs was taken for a pause and re-asserted again (issue 14).
 */
export function pauseOf(
  dueAtMs: number,
  nowMs: number,
  options: { readonly thresholdMs?: number; readonly cpuMs?: number } = {},
): number | undefined {
  const lateMs = nowMs - dueAtMs;
  const unexplainedMs = lateMs - (options.cpuMs ?? 0);
  return unexplainedMs >= (options.thresholdMs ?? PAUSE_THRESHOLD_MS) ? lateMs : undefined;
}

/** CPU time (user + system, every thread) this process has used, in ms. */
function processCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Ends the bursts of `keys` (ownership lost: G4, nothing more is sent). */
export function stopBursts(bursts: Bursts, keys: readonly string[]): Bursts {
  const next = new Map(bursts);
  for (const key of keys) next.delete(key);
  return next;
}

function roundAtMs(burst: Burst, timing: AnnouncementTiming): number {
  return burst.startedAtMs + burst.roundsSent * timing.intervalMs;
}

function hasMoreRounds(burst: Burst, timing: AnnouncementTiming): boolean {
  return burst.roundsSent * timing.intervalMs < timing.durationMs;
}

/**
 * The keys whose next round is due at `nowMs`, the bursts after sending them (finished ones
 * removed), and when the next round falls due (undefined: nothing left).
 */
export function dueRounds(
  bursts: Bursts,
  nowMs: number,
  timing: AnnouncementTiming,
): { due: string[]; bursts: Bursts; nextAtMs: number | undefined } {
  const due: string[] = [];
  const next = new Map<string, Burst>();
  let nextAtMs: number | undefined;
  for (const [key, burst] of bursts) {
    let current = burst;
    if (roundAtMs(current, timing) <= nowMs) {
      due.push(key);
      // A late timer sends one round, not a catch-up volley; the cadence restarts from now.
      current = {
        startedAtMs: nowMs - current.roundsSent * timing.intervalMs,
        roundsSent: current.roundsSent + 1,
      };
    }
    if (!hasMoreRounds(current, timing)) continue;
    next.set(key, current);
    const at = roundAtMs(current, timing);
    nextAtMs = nextAtMs === undefined ? at : Math.min(nextAtMs, at);
  }
  return { due, bursts: next, nextAtMs };
}

/** The round times of one burst relative to its start: [0, 1100, 2200, 3300, 4400] by default. */
export function burstOffsets(timing: AnnouncementTiming): number[] {
  const offsets: number[] = [];
  for (let round = 0; round * timing.intervalMs < timing.durationMs; round += 1)
    offsets.push(round * timing.intervalMs);
  return offsets;
}

/** Options of the timer shell; `now` is injectable so tests can drive fake timers. */
export interface AnnouncerOptions {
  readonly timing: AnnouncementTiming;
  /** Sends one round for `key`; must not throw (the caller counts and logs its own failures). */
  readonly sendRound: (key: string) => void;
  /** The keys a periodic refresh re-announces (every owned IP and interface). */
  readonly ownedKeys: () => readonly string[];
  /** Called when the watchdog finds the process was paused for `lateMs` (then no watchdog runs). */
  readonly onPause?: (lateMs: number) => void;
  readonly now?: () => number;
  /** The process's CPU time in ms (injectable for tests; process.cpuUsage by default). */
  readonly cpuMs?: () => number;
}

/** Runs the schedule on timers. */
export class Announcer {
  private bursts: Bursts = new Map();
  private timer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly options: AnnouncerOptions) {
    const { refreshIntervalMs } = options.timing;
    if (refreshIntervalMs > 0) {
      this.refreshTimer = setInterval(() => this.refresh(), refreshIntervalMs);
      this.refreshTimer.unref();
    }
    if (options.onPause) this.watch(this.now() + PAUSE_CHECK_INTERVAL_MS);
  }

  /** Ownership gained for `keys`: first round now, then on schedule. */
  gained(keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.bursts = startBursts(this.bursts, keys, this.now());
    this.tick();
  }

  /** Ownership re-asserted for `keys`: a full burst from now, even if one was running. */
  reassert(keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.bursts = restartBursts(this.bursts, keys, this.now());
    this.tick();
  }

  /** Ownership lost for `keys`: their bursts stop. */
  lost(keys: readonly string[]): void {
    this.bursts = stopBursts(this.bursts, keys);
  }

  /** Keys with a burst still running. */
  active(): string[] {
    return [...this.bursts.keys()];
  }

  /** Stops every timer. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.watchdog) clearTimeout(this.watchdog);
    this.timer = undefined;
    this.refreshTimer = undefined;
    this.watchdog = undefined;
    this.bursts = new Map();
  }

  private now(): number {
    return this.options.now?.() ?? performance.now();
  }

  // A chain of timeouts, each knowing when it was due: the first one after a pause sees the jump.
  private watch(dueAtMs: number): void {
    const cpuMs = this.options.cpuMs ?? processCpuMs;
    const cpuAtArmMs = cpuMs();
    this.watchdog = setTimeout(() => {
      const nowMs = this.now();
      const lateMs = pauseOf(dueAtMs, nowMs, { cpuMs: cpuMs() - cpuAtArmMs });
      this.watch(nowMs + PAUSE_CHECK_INTERVAL_MS);
      if (lateMs !== undefined) this.options.onPause?.(lateMs);
    }, PAUSE_CHECK_INTERVAL_MS);
    this.watchdog.unref();
  }

  private refresh(): void {
    for (const key of this.options.ownedKeys()) if (!this.bursts.has(key)) this.options.sendRound(key);
  }

  private tick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const nowMs = this.now();
    const { due, bursts, nextAtMs } = dueRounds(this.bursts, nowMs, this.options.timing);
    this.bursts = bursts;
    for (const key of due) this.options.sendRound(key);
    if (nextAtMs === undefined) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, nextAtMs - nowMs));
    this.timer.unref();
  }
}
