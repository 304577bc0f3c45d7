// client-node 1.x builds a new https.Agent for every API call (KubeConfig.applySecurityAuthentication),
// so every call opens a new TCP connection, parses the CA again and does a full TLS handshake:
// measured in bench/footprint, that was most of a speaker's CPU while absorbing new Services.
// This KubeConfig hands every call a keep-alive agent shared by all calls with the same TLS
// identity (CA, client certificate, server name, verification), as client-go's transport cache does.
import { type AgentOptions, Agent as HttpsAgent } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

/** How long a pooled connection may sit unused before the agent closes it. */
const IDLE_SOCKET_TIMEOUT_MS = 30_000;

/** Distinct TLS identities kept at once (a rotated client certificate makes a new one). */
const MAX_AGENTS = 4;

/** The parts of a call's TLS options that make its identity. */
type Identity = readonly unknown[];

function identityOf(options: AgentOptions): Identity {
  return [options.ca, options.cert, options.key, options.pfx, options.servername, options.rejectUnauthorized];
}

/** client-node builds fresh Buffers on every call: compare contents, not references (no hashing per call). */
function samePart(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => samePart(item, b[index]));
  }
  return a === b;
}

function sameIdentity(a: Identity, b: Identity): boolean {
  return a.length === b.length && a.every((part, index) => samePart(part, b[index]));
}

/** A KubeConfig whose API calls reuse pooled keep-alive connections. */
export class PooledKubeConfig extends KubeConfig {
  /** Oldest first. */
  private readonly agents: { readonly identity: Identity; readonly agent: HttpsAgent }[] = [];

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    // Proxy agents and plain HTTP keep client-node's own agent.
    if (!fresh || fresh.constructor !== HttpsAgent) return;
    context.setAgent(this.pooledAgent((fresh as HttpsAgent).options));
  }

  private pooledAgent(options: AgentOptions): HttpsAgent {
    const identity = identityOf(options);
    const known = this.agents.find((entry) => sameIdentity(entry.identity, identity));
    if (known) return known.agent;
    // An idle socket is closed by us well before the API server's idle timeout (90 s), so a call
    // never races the server's close of the socket it picked (a "socket hang up").
    const agent = new HttpsAgent({ ...options, keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS });
    this.agents.push({ identity, agent });
    if (this.agents.length > MAX_AGENTS) this.agents.shift()?.agent.destroy();
    return agent;
  }
}
