// MetalLB 0.16's metrics endpoint: HTTPS on 9120, /metrics for bearer tokens that pass a TokenReview
// and a SubjectAccessReview (access.ts), beside the plain-HTTP `--port` (server.ts) kept for
// existing scrapes. The certificate comes from `--metrics-cert-dir` (tls.crt, tls.key, re-read every
// minute so a renewed Secret is picked up) or is self-signed at start, as controller-runtime does.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { AuthenticationV1Api, AuthorizationV1Api, type KubeClient } from '../k8s/api/index.js';
import type { Logger } from '../log.js';
import {
  createCertificateAuthority,
  createServingCertificate,
  type KeyPair,
} from '../webhook/certificates.js';
import { AccessGate, apiReviewer } from './access.js';
import { registry, renderMetrics } from './registry.js';
import type { SecureMetricsSettings } from './secure-settings.js';

export {
  DEFAULT_SECURE_METRICS_PORT,
  EVERY_ADDRESS,
  type SecureMetricsSettings,
  secureMetricsSettings,
} from './secure-settings.js';

const METRICS_PATH = '/metrics';
const CERT_RELOAD_MS = 60_000;
const SELF_SIGNED_VALIDITY_MS = 365 * 24 * 3600 * 1000;

function readCertDir(directory: string): KeyPair {
  return {
    certificatePem: readFileSync(join(directory, 'tls.crt'), 'utf8'),
    keyPem: readFileSync(join(directory, 'tls.key'), 'utf8'),
  };
}

async function selfSigned(): Promise<KeyPair> {
  const now = Date.now();
  const validity = { notBefore: new Date(now - 3600_000), notAfter: new Date(now + SELF_SIGNED_VALIDITY_MS) };
  const authority = await createCertificateAuthority({
    commonName: `localhost-ca@${Math.floor(now / 1000)}`,
    organization: 'ferrolb',
    validity,
  });
  return createServingCertificate(authority, { dnsNames: ['localhost'], validity });
}

function answer(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
}

/** Answers GET /metrics for tokens the gate lets through. */
function serveMetrics(gate: AccessGate, logger: Logger) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    if ((request.url ?? '/').split('?')[0] !== METRICS_PATH) {
      answer(response, 404, 'not found');
      return;
    }
    gate
      .decide(request.headers.authorization, METRICS_PATH)
      .then(async (decision) => {
        if (decision === 401) return answer(response, 401, 'Unauthorized');
        if (decision === 403) return answer(response, 403, 'Forbidden');
        const body = await renderMetrics();
        response.writeHead(200, { 'content-type': registry.contentType }).end(body);
      })
      .catch((error: unknown) => {
        logger.warn({ error: String(error) }, 'metrics access review failed');
        answer(response, 503, 'access review failed');
      });
  };
}

/** Re-reads `--metrics-cert-dir` every minute and swaps a renewed certificate in. */
function reloadFromCertDir(
  server: Server,
  settings: SecureMetricsSettings,
  logger: Logger,
  first: KeyPair,
): void {
  const directory = settings.certDir;
  if (!directory) return;
  let current = first;
  const reload = setInterval(() => {
    try {
      const next = readCertDir(directory);
      if (next.certificatePem === current.certificatePem) return;
      current = next;
      server.setSecureContext({
        cert: next.certificatePem,
        key: next.keyPem,
        minVersion: settings.tlsMinVersion,
      });
      logger.info({ certDir: directory }, 'metrics certificate reloaded');
    } catch (error) {
      logger.warn({ certDir: directory, error: String(error) }, 'cannot re-read the metrics certificate');
    }
  }, CERT_RELOAD_MS).unref();
  server.once('close', () => clearInterval(reload));
}

/**
 * Starts the HTTPS endpoint unless the port is 0; resolves once it listens. A port that cannot be
 * bound is logged, not fatal: the plain --port still serves, and a speaker must keep answering ARP
 * (a MetalLB speaker beside it on the host network holds 9120 during a migration).
 */
export async function startSecureMetricsServer(options: {
  readonly settings: SecureMetricsSettings;
  readonly host: string;
  readonly config: KubeClient;
  readonly logger: Logger;
}): Promise<Server | undefined> {
  const { settings, logger, config } = options;
  if (settings.port === 0) return undefined;
  const reviewer = apiReviewer(
    config.makeApiClient(AuthenticationV1Api),
    config.makeApiClient(AuthorizationV1Api),
  );
  const pair = settings.certDir ? readCertDir(settings.certDir) : await selfSigned();
  const server = createServer({
    cert: pair.certificatePem,
    key: pair.keyPem,
    minVersion: settings.tlsMinVersion,
  });
  server.on('request', serveMetrics(new AccessGate(reviewer), logger));
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', (error) => {
      logger.error({ port: settings.port, error: String(error) }, 'cannot serve HTTPS metrics');
      resolve(false);
    });
    server.listen(settings.port, options.host, () => resolve(true));
  });
  if (!listening) return undefined;
  reloadFromCertDir(server, settings, logger, pair);
  logger.info(
    { port: settings.port, selfSigned: settings.certDir === undefined },
    'serving /metrics over HTTPS (TokenReview, SubjectAccessReview)',
  );
  return server;
}
