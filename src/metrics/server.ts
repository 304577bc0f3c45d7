import { createServer, type Server } from 'node:http';
import { registry } from './registry.js';

/** What the health endpoints ask of the daemon. */
export interface HealthSource {
  /** The process is alive and its loops are turning. */
  isHealthy(): boolean;
  /** The daemon has loaded a configuration and can do its job. */
  isReady(): boolean;
}

/** Serves /metrics, /healthz and /readyz over plain HTTP (DESIGN command-line contract). */
export function startMetricsServer(options: {
  port: number;
  host: string;
  health: HealthSource;
}): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => {
          response.writeHead(200, { 'content-type': registry.contentType });
          response.end(body);
        },
        (error: unknown) => {
          response.writeHead(500);
          response.end(String(error));
        },
      );
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' ? options.health.isHealthy() : options.health.isReady();
      response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      response.end(ok ? 'ok\n' : 'not ready\n');
      return;
    }
    response.writeHead(404);
    response.end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
