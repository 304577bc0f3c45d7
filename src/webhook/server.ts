// The HTTPS listener of the webhooks (MetalLB's port 9443). The certificate can be swapped while
// serving (rotation) without dropping the listener.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { SecureVersion } from 'node:tls';
import type { Logger } from '../log.js';
import type { KeyPair } from './certificates.js';
import type { HandlerAnswer } from './handler.js';
import { MAX_REVIEW_BYTES } from './names.js';

/** A running webhook server. */
export interface WebhookServer {
  readonly server: Server;
  /** Serves `pair` from the next TLS handshake on. */
  useCertificate(pair: KeyPair): void;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REVIEW_BYTES) {
        resolve(undefined);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  handle: (path: string, body: string) => Promise<HandlerAnswer>,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  if (request.method !== 'POST') {
    response.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const body = await readBody(request);
  if (body === undefined) {
    response.writeHead(413).end();
    return;
  }
  const answer = await handle(path, body);
  if (!answer.body) {
    response.writeHead(answer.status).end();
    return;
  }
  response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
}

/** Listens on `host:port` with `certificate`; `handle` answers every POST. */
export function startWebhookServer(options: {
  readonly host: string;
  readonly port: number;
  readonly minVersion: SecureVersion;
  readonly certificate: KeyPair;
  readonly handle: (path: string, body: string) => Promise<HandlerAnswer>;
  readonly logger: Logger;
}): Promise<WebhookServer> {
  const server = createServer(
    {
      cert: options.certificate.certificatePem,
      key: options.certificate.keyPem,
      minVersion: options.minVersion,
    },
    (request, response) => {
      serve(request, response, options.handle).catch((error: unknown) => {
        options.logger.error({ error: String(error), path: request.url }, 'webhook request failed');
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    },
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve({
        server,
        useCertificate: (pair) =>
          server.setSecureContext({
            cert: pair.certificatePem,
            key: pair.keyPem,
            minVersion: options.minVersion,
          }),
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            // The API server keeps connections alive; they must not hold the shutdown.
            server.closeAllConnections();
          }),
      });
    });
  });
}
