// The daemons' client configuration (issue 14: own client instead of client-node): what a kubeconfig or
// the in-cluster ServiceAccount resolves to, and the credentials that are refused rather than half used.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { inClusterTarget, kubeconfigTarget, resolveKubeTarget } from '../../../src/k8s/api/index.js';

const directory = mkdtempSync(join(tmpdir(), 'ferrolb-kube-target-'));

function kubeconfig(
  name: string,
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = {},
): string {
  const path = join(directory, name);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'ctx',
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      clusters: [{ name: 'c', cluster: { server: 'https://198.51.100.1:6443/', ...cluster } }],
      users: [{ name: 'u', user }],
    }),
  );
  return path;
}

const savedEnvironment = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnvironment };
});

describe('kubeconfig', () => {
  it('token, inline CA and insecure flag of the current context', () => {
    const path = kubeconfig(
      'token.yaml',
      { token: 'secret-token' },
      {
        'certificate-authority-data': Buffer.from('the-ca').toString('base64'),
        'insecure-skip-tls-verify': true,
      },
    );
    const target = kubeconfigTarget(path);
    expect(target.server).toBe('https://198.51.100.1:6443');
    expect(target.token).toBe('secret-token');
    expect(target.ca?.toString()).toBe('the-ca');
    expect(target.insecureSkipTlsVerify).toBe(true);
  });

  it('client certificate and key files relative to the kubeconfig', () => {
    writeFileSync(join(directory, 'client.crt'), 'CERT');
    writeFileSync(join(directory, 'client.key'), 'KEY');
    const path = kubeconfig('cert.yaml', { 'client-certificate': 'client.crt', 'client-key': 'client.key' });
    const target = kubeconfigTarget(path);
    expect(target.cert?.toString()).toBe('CERT');
    expect(target.key?.toString()).toBe('KEY');
    expect(target.token).toBeUndefined();
  });

  it.each(['exec', 'auth-provider'])(
    'a user with %s is refused with the field named, not used without credentials',
    (field) => {
      const path = kubeconfig(`${field}.yaml`, { [field]: { command: 'x', name: 'x' } });
      expect(() => kubeconfigTarget(path)).toThrow(`user field "${field}" is not supported`);
    },
  );

  it('a missing context or server is an error naming it', () => {
    const path = join(directory, 'broken.yaml');
    writeFileSync(path, stringify({ 'current-context': 'nowhere', contexts: [] }));
    expect(() => kubeconfigTarget(path)).toThrow('context "nowhere" not found');
    const noServer = kubeconfig('no-server.yaml', { token: 't' }, { server: '' });
    expect(() => kubeconfigTarget(noServer)).toThrow('the cluster has no server');
  });

  it('--kubeconfig first, then the first file of KUBECONFIG', () => {
    const flagged = kubeconfig('flag.yaml', { token: 'from-flag' });
    const environment = kubeconfig('env.yaml', { token: 'from-env' });
    process.env.KUBECONFIG = `${environment}:${flagged}`;
    expect(resolveKubeTarget(flagged).token).toBe('from-flag');
    expect(resolveKubeTarget().token).toBe('from-env');
  });
});

describe('in-cluster', () => {
  it('the ServiceAccount token file and CA, and the service host (IPv6 in brackets)', () => {
    const accountDirectory = mkdtempSync(join(tmpdir(), 'ferrolb-sa-'));
    writeFileSync(join(accountDirectory, 'token'), 'sa-token\n');
    writeFileSync(join(accountDirectory, 'ca.crt'), 'CLUSTER-CA');
    process.env.KUBERNETES_SERVICE_HOST = '2001:db8:1::1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    const target = inClusterTarget(accountDirectory);
    expect(target.server).toBe('https://[2001:db8:1::1]:443');
    expect(target.tokenFile).toBe(join(accountDirectory, 'token'));
    expect(target.ca?.toString()).toBe('CLUSTER-CA');
  });

  it('outside a cluster with no kubeconfig: an error that says so', () => {
    delete process.env.KUBECONFIG;
    delete process.env.KUBERNETES_SERVICE_HOST;
    expect(() => resolveKubeTarget()).toThrow('not in a cluster');
  });
});
