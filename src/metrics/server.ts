import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { registry, renderMetrics } from './registry.js';

/** What the health endpoints ask of the daemon. */
export interface HealthSource {
  /** The process is alive and its loops are turning. */
  isHealthy(): boolean;
  /** The daemon has loaded a configuration and can do its job. */
  isReady(): boolean;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

function healthHandler(health: HealthSource): Handler {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/readyz') {
      response.writeHead(404);
      response.end();
      return;
    }
    const ok = path === '/healthz' ? health.isHealthy() : health.isReady();
    response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
    response.end(ok ? 'ok\n' : 'not ready\n');
  };
}

function metricsHandler(health: HealthSource): Handler {
  const answerHealth = healthHandler(health);
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      answerHealth(request, response);
      return;
    }
    renderMetrics().then(
      (body) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(body);
      },
      (error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      },
    );
  };
}

function listen(handler: Handler, port: number, host: string): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Serves /metrics, /healthz and /readyz over plain HTTP on `host:port` (DESIGN command-line
 * contract), and with `healthPort` (MetalLB's `--health-probe-port`) /healthz and /readyz on that
 * port too, closed with the first.
 */
export async function startMetricsServer(options: {
  port: number;
  host: string;
  health: HealthSource;
  healthPort?: number;
}): Promise<Server> {
  const server = await listen(metricsHandler(options.health), options.port, options.host);
  if (!options.healthPort || options.healthPort === options.port) return server;
  try {
    const healthServer = await listen(healthHandler(options.health), options.healthPort, options.host);
    server.once('close', () => healthServer.close());
  } catch (error) {
    server.close();
    throw error;
  }
  return server;
}

/** A plain-HTTP listener of a daemon; port 0 is not opened. */
export interface PlainListener {
  readonly port: number;
  readonly host: string;
}

/** The listener flags controller and speaker share (src/cli/endpoints.ts resolves them). */
export interface ListenerFlags {
  /** Plain HTTP /metrics, /healthz and /readyz (`--port`); 0 disables (or `--port` is the HTTPS port). */
  readonly metricsPort: number;
  /** The address `metricsPort` listens on (`--metrics-bind-address`). */
  readonly metricsBindAddress: string;
  /** MetalLB's `--health-probe-port`: /healthz and /readyz; 0 or undefined: not opened. */
  readonly healthProbePort?: number;
  /** The address `healthProbePort` listens on. */
  readonly healthProbeAddress?: string;
  /** `--port` is the HTTPS port (MetalLB 0.16): plain /metrics on `healthProbePort` too. */
  readonly healthProbeServesMetrics?: boolean;
}

/** `startDaemonEndpoints`'s listeners from a daemon's flags. */
export function listenersOf(flags: ListenerFlags) {
  return {
    plain: { port: flags.metricsPort, host: flags.metricsBindAddress },
    health: {
      port: flags.healthProbePort ?? 0,
      host: flags.healthProbeAddress ?? flags.metricsBindAddress,
      metrics: flags.healthProbeServesMetrics === true,
    },
  };
}

/**
 * A daemon's plain-HTTP listeners (src/cli/endpoints.ts): `plain` serves /metrics, /healthz and
 * /readyz and must bind (the start fails otherwise); `health` serves /healthz and /readyz (and
 * /metrics with `metrics`: `--port` is the HTTPS port), and a port already taken is logged, not
 * fatal: the probes that use it fail and say so, while a speaker keeps answering ARP (MetalLB 0.16's
 * speaker holds 127.0.0.1:17472 on a host it shares).
 */
export async function startDaemonEndpoints(options: {
  readonly plain: PlainListener;
  readonly health: PlainListener & { readonly metrics?: boolean };
  readonly source: HealthSource;
  readonly logger: Logger;
}): Promise<{ close(): void }> {
  const { plain, health, logger } = options;
  const servers: Server[] = [];
  if (plain.port !== 0) {
    servers.push(await listen(metricsHandler(options.source), plain.port, plain.host));
    logger.info(
      { port: plain.port, address: plain.host || 'every address' },
      'serving /metrics, /healthz and /readyz over HTTP',
    );
  }
  if (health.port !== 0) {
    const handler = health.metrics === true ? metricsHandler : healthHandler;
    const paths = health.metrics === true ? '/metrics, /healthz and /readyz' : '/healthz and /readyz';
    try {
      servers.push(await listen(handler(options.source), health.port, health.host));
      logger.info(
        { port: health.port, address: health.host || 'every address' },
        `serving ${paths} over HTTP`,
      );
    } catch (error) {
      logger.error(
        { port: health.port, address: health.host, error },
        `cannot serve ${paths} (health probe port)`,
      );
    }
  }
  return {
    close: () => {
      for (const server of servers) server.close();
    },
  };
}
