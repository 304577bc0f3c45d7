// bench/l2 (issue 3 item 10): arping round trip to a ferrolb-owned IP and to a kernel-owned IP on
// the same veth in the same run, idle and with the speaker's main thread busy (50 ms blocked every
// 200 ms), then the answered-request rate at zero loss, ferrolb vs the kernel.
import { cpus, loadavg } from 'node:os';
import { tryInNs } from '../../test/helpers/netns.js';
import { CLIENT_MAC, createL2Lab, L2Speaker, removeL2Lab } from '../../test/netns/l2-lab.js';
import { rateTrial, zeroLossRate } from './rate.js';

const FERROLB_IP = '203.0.113.10';
const KERNEL_IP = '198.51.100.1';
const PROBES = 300;
const CHUNK = 50;
const RATES = [2_000, 5_000, 10_000, 20_000, 40_000, 80_000, 160_000];

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

// arping 2.23 prints "time=7.523 usec" (or msec); returns microseconds.
function arpingTimes(client: string, ip: string, count: number): { times: number[]; lost: number } {
  const output = tryInNs(client, 'arping', ['-i', 'eth0', '-c', String(count), '-W', '0.02', ip]).output;
  const times = [...output.matchAll(/time=([\d.]+) (usec|msec|sec)/g)].map(
    ([, value, unit]) => Number(value) * (unit === 'usec' ? 1 : unit === 'msec' ? 1000 : 1e6),
  );
  return { times, lost: count - times.length };
}

// Interleaves chunks for both IPs so that machine noise hits both alike.
function roundTrips(
  client: string,
): Record<'ferrolb' | 'kernel', { p50: number; p99: number; lost: number }> {
  const samples = { ferrolb: [] as number[], kernel: [] as number[] };
  const lost = { ferrolb: 0, kernel: 0 };
  for (let done = 0; done < PROBES; done += CHUNK) {
    for (const [name, ip] of [
      ['ferrolb', FERROLB_IP],
      ['kernel', KERNEL_IP],
    ] as const) {
      const result = arpingTimes(client, ip, CHUNK);
      samples[name].push(...result.times);
      lost[name] += result.lost;
    }
  }
  const summary = (name: 'ferrolb' | 'kernel') => {
    const sorted = [...samples[name]].sort((a, b) => a - b);
    return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), lost: lost[name] };
  };
  return { ferrolb: summary('ferrolb'), kernel: summary('kernel') };
}

const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
const micros = (value: number): string => `${value.toFixed(1)} µs`;

type RoundTrips = ReturnType<typeof roundTrips>;

// Round trips idle, with the speaker's main thread blocked 50 ms every 200 ms (the addon's lane
// threads, one per CPU with the shortest fair slice, must not notice), and the same with the lanes
// under SCHED_FIFO (the responderPriority option).
async function latencyScenarios(client: string, speaker: L2Speaker): Promise<Record<string, RoundTrips>> {
  const idle = roundTrips(client);
  await speaker.request({ op: 'busy', blockMs: 50, everyMs: 200 });
  const busy = roundTrips(client);
  // DataPlaneOptions.responderPriority: the responder threads under SCHED_FIFO (CAP_SYS_NICE).
  await speaker.request({ op: 'priority', priority: 10 });
  const busyFifo = roundTrips(client);
  await speaker.request({ op: 'priority', priority: 0 });
  await speaker.request({ op: 'busy', blockMs: 0, everyMs: 0 });
  const scenarios = {
    idle,
    'busy main thread': busy,
    'busy main thread, responder SCHED_FIFO 10': busyFifo,
  };
  for (const [label, { ferrolb, kernel }] of Object.entries(scenarios)) {
    console.log(
      `arping RTT ${label}: ferrolb p50 ${micros(ferrolb.p50)} p99 ${micros(ferrolb.p99)} (lost ${ferrolb.lost}/${PROBES}); ` +
        `kernel p50 ${micros(kernel.p50)} p99 ${micros(kernel.p99)} (lost ${kernel.lost}/${PROBES}); ` +
        `p50 ratio ${(ferrolb.p50 / kernel.p50).toFixed(2)}×`,
    );
  }
  return scenarios;
}

// The zero-loss answered rate of both responders; returns ferrolb's as a fraction of the kernel's.
async function rates(client: string): Promise<number> {
  const trial = (ip: string) => (rate: number) =>
    rateTrial({
      client,
      ip,
      rate,
      count: Math.max(2000, rate),
      clientMac: CLIENT_MAC,
      clientIp: '198.51.100.2',
    });
  const results = {
    ferrolb: await zeroLossRate(trial(FERROLB_IP), RATES),
    kernel: await zeroLossRate(trial(KERNEL_IP), RATES),
  };
  for (const [name, result] of Object.entries(results)) {
    const steps = result.trials.map((t) => `${t.achievedRate}/s:${t.answered}/${t.sent}`).join(' ');
    console.log(`zero-loss answered rate ${name}: ${result.best?.achievedRate ?? 0}/s   [${steps}]`);
  }
  return (results.ferrolb.best?.achievedRate ?? 0) / (results.kernel.best?.achievedRate ?? 1);
}

// A user-space responder waits for a CPU when the machine is overloaded; the kernel answers
// in softirq context and does not. The load average is printed so figures are read against it.
function load(): string {
  return loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, load ${load()}`,
  );
  const lab = createL2Lab('flb-l2bn');
  const speaker = await L2Speaker.start(lab.speaker);
  try {
    await speaker.own([[FERROLB_IP, {}]]);
    await new Promise((resolve) => setTimeout(resolve, 5500));
    const scenarios = await latencyScenarios(lab.client, speaker);
    const { idle, 'busy main thread': busy } = scenarios;
    const fifo = scenarios['busy main thread, responder SCHED_FIFO 10'];
    const rateRatio = await rates(lab.client);
    if (!idle || !busy || !fifo) throw new Error('missing scenario');
    console.log(`load average at the end: ${load()}`);
    const p50Ratio = idle.ferrolb.p50 / idle.kernel.p50;
    console.log(`target p50 ≤ 3× kernel (idle): ${verdict(p50Ratio <= 3)} (${p50Ratio.toFixed(2)}×)`);
    console.log(
      `target p99 ≤ 250 µs, busy main thread: ${verdict(busy.ferrolb.p99 <= 250)} (${micros(busy.ferrolb.p99)})`,
    );
    console.log(
      `  with responderPriority 10: ${verdict(fifo.ferrolb.p99 <= 250)} (${micros(fifo.ferrolb.p99)})`,
    );
    console.log(
      `target rate ≥ 50% of kernel: ${verdict(rateRatio >= 0.5)} (${(100 * rateRatio).toFixed(0)}%)`,
    );
  } finally {
    await speaker.stop();
    removeL2Lab(lab);
  }
}

await main();
