// The daemons' plain-HTTP listeners (src/metrics/server.ts startDaemonEndpoints, docs/flags.md
// "Ports"): --port serves /metrics, /healthz, /readyz; the health listener answers only MetalLB's
// probe paths, and /metrics too when --port is the HTTPS port (MetalLB 0.16's --port=9120); a taken
// health port is logged, not fatal (a speaker beside MetalLB's on one host); a taken --port stops
// the start.
import { createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { startDaemonEndpoints } from '../../../src/metrics/server.js';

const HOST = '127.0.0.1';
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const item of opened.splice(0)) item.close();
});

function logCollector() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger(stream, 'info'), lines };
}

/** A TCP listener on a free port of HOST, kept open (the port is taken). */
async function takenPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  opened.push(server);
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

const status = async (port: number, path: string) => (await fetch(`http://${HOST}:${port}${path}`)).status;
const source = { isHealthy: () => true, isReady: () => false };

describe('startDaemonEndpoints', () => {
  it("D2/D3: the probe port serves only MetalLB's probe paths, readiness as the daemon says", async () => {
    const { logger } = logCollector();
    const health = await freePort();
    opened.push(
      await startDaemonEndpoints({
        plain: { port: 0, host: HOST },
        health: { port: health, host: HOST },
        source,
        logger,
      }),
    );
    expect(await status(health, '/healthz')).toBe(200);
    expect(await status(health, '/readyz')).toBe(503);
    expect(await status(health, '/metrics')).toBe(404);
  });

  it('DESIGN CLI: --port serves /metrics, /healthz and /readyz over plain HTTP', async () => {
    const { logger, lines } = logCollector();
    const plain = await freePort();
    opened.push(
      await startDaemonEndpoints({
        plain: { port: plain, host: HOST },
        health: { port: 0, host: HOST },
        source,
        logger,
      }),
    );
    const metrics = await fetch(`http://${HOST}:${plain}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);
    expect(await status(plain, '/healthz')).toBe(200);
    expect(await status(plain, '/readyz')).toBe(503);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', port: plain }));
  });

  it('M1: --port is the HTTPS port: plain /metrics and the probes on the probe port', async () => {
    const { logger } = logCollector();
    const health = await freePort();
    opened.push(
      await startDaemonEndpoints({
        plain: { port: 0, host: HOST },
        health: { port: health, host: HOST, metrics: true },
        source,
        logger,
      }),
    );
    const metrics = await fetch(`http://${HOST}:${health}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);
    expect(await status(health, '/healthz')).toBe(200);
    expect(await status(health, '/readyz')).toBe(503);
  });

  it('a taken health port is an error line naming it; --port still serves', async () => {
    const { logger, lines } = logCollector();
    const [plain, health] = [await freePort(), await takenPort()];
    opened.push(
      await startDaemonEndpoints({
        plain: { port: plain, host: HOST },
        health: { port: health, host: HOST },
        source,
        logger,
      }),
    );
    expect(await status(plain, '/metrics')).toBe(200);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', port: health, error: expect.stringContaining('EADDRINUSE') }),
    );
  });

  it('a taken --port stops the start (exit 1 in the daemon)', async () => {
    const { logger } = logCollector();
    const plain = await takenPort();
    await expect(
      startDaemonEndpoints({
        plain: { port: plain, host: HOST },
        health: { port: 0, host: HOST },
        source,
        logger,
      }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
