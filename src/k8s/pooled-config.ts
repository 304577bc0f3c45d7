// client-node 1.x builds a new https.Agent for every API call (KubeConfig.applySecurityAuthentication),
// so every call opens a new TCP connection, parses the CA again and does a full TLS handshake:
// measured in bench/footprint, that was most of a speaker's CPU while absorbing new Services.
// This KubeConfig hands every call a keep-alive agent shared by all calls with the same TLS
// identity (CA, client certificate, server name, verification), as client-go's transport cache does.
import { createHash } from 'node:crypto';
import { type AgentOptions, Agent as HttpsAgent } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

/** Distinct TLS identities kept at once (a rotated client certificate makes a new one). */
const MAX_AGENTS = 4;

function fingerprint(options: AgentOptions): string {
  const hash = createHash('sha256');
  for (const part of [options.ca, options.cert, options.key, options.pfx]) {
    hash.update(part === undefined ? '-' : String(part)).update('\0');
  }
  hash.update(`${options.servername ?? ''}\0${String(options.rejectUnauthorized)}`);
  return hash.digest('hex');
}

/** A KubeConfig whose API calls reuse pooled keep-alive connections. */
export class PooledKubeConfig extends KubeConfig {
  private readonly agents = new Map<string, HttpsAgent>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    // Proxy agents and plain HTTP keep client-node's own agent.
    if (!fresh || fresh.constructor !== HttpsAgent) return;
    context.setAgent(this.pooledAgent((fresh as HttpsAgent).options));
  }

  private pooledAgent(options: AgentOptions): HttpsAgent {
    const key = fingerprint(options);
    const known = this.agents.get(key);
    if (known) return known;
    const agent = new HttpsAgent({ ...options, keepAlive: true });
    this.agents.set(key, agent);
    if (this.agents.size > MAX_AGENTS) {
      const [oldestKey, oldest] = this.agents.entries().next().value as [string, HttpsAgent];
      this.agents.delete(oldestKey);
      oldest.destroy();
    }
    return agent;
  }
}
