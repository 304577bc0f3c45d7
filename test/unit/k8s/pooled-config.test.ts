// PooledKubeConfig (issue 14): every API call with the same TLS identity gets the same keep-alive
// agent, although client-node builds fresh option Buffers per call; another identity gets its own.
import { Agent as HttpsAgent } from 'node:https';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { PooledKubeConfig } from '../../../src/k8s/pooled-config.js';

const SERVER = 'https://127.0.0.1:6443';

function configWith(user: { certData: string; keyData: string }): PooledKubeConfig {
  const config = new PooledKubeConfig();
  config.loadFromClusterAndUser(
    { name: 'test', server: SERVER, caData: Buffer.from('test-ca').toString('base64'), skipTLSVerify: false },
    { name: 'user', ...user },
  );
  return config;
}

async function agentOf(config: PooledKubeConfig): Promise<unknown> {
  const context = new RequestContext(`${SERVER}/api/v1/services`, HttpMethod.GET);
  await config.applySecurityAuthentication(context);
  return context.getAgent();
}

const alice = {
  certData: Buffer.from('cert-a').toString('base64'),
  keyData: Buffer.from('key-a').toString('base64'),
};
const bob = {
  certData: Buffer.from('cert-b').toString('base64'),
  keyData: Buffer.from('key-b').toString('base64'),
};

describe('PooledKubeConfig', () => {
  it('calls with the same TLS identity share one keep-alive agent', async () => {
    const config = configWith(alice);
    const first = await agentOf(config);
    expect(first).toBeInstanceOf(HttpsAgent);
    expect((first as HttpsAgent).options.keepAlive).toBe(true);
    expect(await agentOf(config)).toBe(first);
  });

  it('a different client certificate (rotation) gets another agent', async () => {
    const config = configWith(alice);
    const first = await agentOf(config);
    config.loadFromClusterAndUser(config.getCurrentCluster() as never, { name: 'user', ...bob });
    const rotated = await agentOf(config);
    expect(rotated).toBeInstanceOf(HttpsAgent);
    expect(rotated).not.toBe(first);
  });
});
