// HTTP to the API server over one pool of keep-alive connections (client-go's transport cache):
// JSON in, JSON out, the API server's Status as the error. This is the daemons' only way to the
// API: @kubernetes/client-node loads its whole generated API (100+ MiB RSS) at import.
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { KubeTarget } from './target.js';

/** How long a pooled connection may sit unused: closed well before the API server's idle close (90 s). */
const IDLE_SOCKET_TIMEOUT_MS = 30_000;

/**
 * Calls share at most this many connections (HTTP/1.1: one call at a time each); more wait for one.
 * Parallel writes (a speaker's ServiceL2Status plan) otherwise each open a TLS connection that then
 * sits idle: the handshakes were the largest part of a speaker's absorb CPU (issue 14 profile).
 * client-go keeps 25 idle connections per host; watches have their own pool (one socket each, held).
 */
export const MAX_CALL_SOCKETS = 8;

/** A call that gets no answer for this long fails (and is retried by its caller). */
const REQUEST_TIMEOUT_MS = 30_000;

/** A token file is read again at most this often (client-go's cached token source: a minute). */
const TOKEN_FILE_REREAD_MS = 60_000;

/** An API server answer other than 2xx; `code` is the HTTP status, as client-node's ApiException has it. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    what: string,
  ) {
    const message = (body as { message?: unknown } | undefined)?.message;
    super(`HTTP ${code} from ${what}${typeof message === 'string' ? `: ${message}` : ''}`);
    this.name = 'KubeApiError';
  }
}

export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface CallOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  /** Defaults to JSON; patches say which kind. */
  readonly contentType?: string;
}

function queryString(query: CallOptions['query']): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) parameters.set(name, String(value));
  }
  const text = parameters.toString();
  return text === '' ? '' : `?${text}`;
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/** One API server, one identity, one connection pool. */
export class KubeTransport {
  private readonly callAgent: HttpAgent | HttpsAgent;
  private readonly watchAgent: HttpAgent | HttpsAgent;
  private readonly secure: boolean;
  private cachedToken: { value: string; readAtMs: number } | undefined;

  constructor(readonly target: KubeTarget) {
    this.secure = target.server.startsWith('https:');
    this.callAgent = this.agentFor({
      keepAlive: true,
      timeout: IDLE_SOCKET_TIMEOUT_MS,
      maxSockets: MAX_CALL_SOCKETS,
    });
    // A watch holds its connection for minutes and may be quiet all along: no idle timeout, and a
    // fresh connection for the next one (a pooled socket could be one the server closed meanwhile).
    this.watchAgent = this.agentFor({ keepAlive: false });
  }

  private agentFor(pooling: {
    keepAlive: boolean;
    timeout?: number;
    maxSockets?: number;
  }): HttpAgent | HttpsAgent {
    if (!this.secure) return new HttpAgent(pooling);
    const { target } = this;
    return new HttpsAgent({
      ...pooling,
      ca: target.ca,
      cert: target.cert,
      key: target.key,
      rejectUnauthorized: !target.insecureSkipTlsVerify,
      servername: target.tlsServerName,
    });
  }

  /** One call; resolves to the parsed JSON answer, rejects with KubeApiError on a non-2xx status. */
  async call<T>(verb: HttpVerb, path: string, options: CallOptions = {}): Promise<T> {
    const what = `${verb} ${path}`;
    const response = await this.open(verb, `${path}${queryString(options.query)}`, options);
    const body = parseBody(await readAll(response));
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) throw new KubeApiError(status, body, what);
    return body as T;
  }

  /** A streaming GET (watch): the open response, or KubeApiError with the server's Status. */
  async stream(path: string, query: CallOptions['query'], signal: AbortSignal): Promise<IncomingMessage> {
    const response = await this.open('GET', `${path}${queryString(query)}`, {
      signal,
      timeoutMs: 0,
      watch: true,
    });
    const status = response.statusCode ?? 0;
    if (status === 200) return response;
    throw new KubeApiError(status, parseBody(await readAll(response)), `GET ${path} (watch)`);
  }

  /** Closes idle pooled connections (on shutdown). */
  close(): void {
    this.callAgent.destroy();
    this.watchAgent.destroy();
  }

  private open(
    verb: HttpVerb,
    pathAndQuery: string,
    options: CallOptions & { signal?: AbortSignal; timeoutMs?: number; watch?: boolean },
  ): Promise<IncomingMessage> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string | number> = { accept: 'application/json' };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = payload.length;
    }
    const send = this.secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(`${this.target.server}${pathAndQuery}`, {
        method: verb,
        headers,
        agent: options.watch ? this.watchAgent : this.callAgent,
        signal: options.signal,
      });
      const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
      if (timeoutMs > 0) {
        request.setTimeout(timeoutMs, () =>
          request.destroy(new Error(`${verb} ${pathAndQuery}: no answer within ${timeoutMs} ms`)),
        );
      }
      request.on('response', (response) => {
        // The timeout guards the wait for an answer; a watch then streams for as long as it lasts.
        if (timeoutMs > 0) request.setTimeout(0);
        resolve(response);
      });
      request.on('error', reject);
      request.end(payload);
    });
  }

  private token(): string | undefined {
    if (this.target.token) return this.target.token;
    const file = this.target.tokenFile;
    if (!file) return undefined;
    const nowMs = Date.now();
    if (!this.cachedToken || nowMs - this.cachedToken.readAtMs > TOKEN_FILE_REREAD_MS) {
      try {
        this.cachedToken = { value: readFileSync(file, 'utf8').trim(), readAtMs: nowMs };
      } catch (error) {
        // Keep the last token read: the file is replaced atomically, a failed read is transient.
        if (!this.cachedToken) throw error;
      }
    }
    return this.cachedToken.value;
  }
}
