import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Absolute paths of the cached test binaries. */
export interface TestBinaries {
  readonly kubeApiserver: string;
  readonly etcd: string;
}

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const script = join(repositoryRoot, 'scripts', 'k8s-binaries.sh');

/**
 * Builds (first run, several minutes) or looks up (warm cache, instant) kube-apiserver and etcd via
 * scripts/k8s-binaries.sh, so the k8s suite needs nothing running or installed beforehand.
 */
export async function ensureBinaries(): Promise<TestBinaries> {
  const { stdout } = await promisify(execFile)(script, [], { maxBuffer: 16 * 1024 * 1024 });
  const values = new Map(
    stdout
      .split('\n')
      .map((line) => line.split('='))
      .filter((parts): parts is [string, string] => parts.length === 2),
  );
  const kubeApiserver = values.get('KUBE_APISERVER');
  const etcd = values.get('ETCD');
  if (!kubeApiserver || !etcd) throw new Error(`${script} printed no binary paths: ${stdout}`);
  return { kubeApiserver, etcd };
}

/** The repository root, for paths to deploy/ and bin/. */
export const REPOSITORY_ROOT = repositoryRoot;
