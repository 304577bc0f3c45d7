import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { ensureBinaries, type TestBinaries } from './binaries.js';
import { startClusterNetwork } from './cluster-network.js';
import {
  createRunDirectory,
  freePort,
  type ManagedProcess,
  startProcess,
  stopProcess,
  sweepAbandonedRuns,
  tailLog,
} from './processes.js';

/**
 * The API server binds the host's 127.0.0.1 only; speakers in lab network namespaces reach it
 * through the lab bridge via api-forwarder.ts, so no lab address is ever added to the host.
 */
const API_SERVER_ADDRESS = '127.0.0.1';

/** A running etcd + kube-apiserver pair started by the harness. */
export interface RunningApiServer {
  readonly url: string;
  readonly adminToken: string;
  readonly runDirectory: string;
  readonly binaries: TestBinaries;
  /** Stops the API server (etcd keeps the data) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Stops only the API server, for tests that need it down for a while. */
  stopApiServer(): Promise<void>;
  startApiServer(): Promise<void>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;

function writeCredentials(runDirectory: string, adminToken: string): void {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(runDirectory, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(runDirectory, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  // Static tokens: only the admin identity; daemons get ServiceAccount tokens (TokenRequest) instead.
  writeFileSync(
    join(runDirectory, 'tokens.csv'),
    `${adminToken},ferrolb-admin,ferrolb-admin,"system:masters"\n`,
  );
}

function etcdArgs(dataDirectory: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=default',
    `--data-dir=${dataDirectory}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // Test data is thrown away: fsync only costs time on a shared 2-core machine.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

function apiServerArgs(runDirectory: string, settings: { etcdPort: number; port: number; address: string }) {
  return [
    `--etcd-servers=http://127.0.0.1:${settings.etcdPort}`,
    `--bind-address=${settings.address}`,
    `--advertise-address=${settings.address}`,
    `--secure-port=${settings.port}`,
    `--cert-dir=${join(runDirectory, 'certs')}`,
    `--token-auth-file=${join(runDirectory, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${join(runDirectory, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(runDirectory, 'sa.key')}`,
    // Cluster IPs are API data only here (no kube-proxy): they never reach an interface or the wire.
    '--service-cluster-ip-range=10.96.0.0/16,fd00:10:96::/112',
    // No controller-manager or kubelets: nothing to reconcile endpoints for.
    '--endpoint-reconciler-type=none',
    '--enable-priority-and-fairness=false',
    '--v=1',
  ];
}

/** GET `path` with the admin token; resolves to the HTTP status (0 when the connection fails). */
export function adminGetStatus(url: string, token: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const call = request(
      `${url}${path}`,
      { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 5_000 },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    call.on('error', () => resolve(0));
    call.on('timeout', () => call.destroy());
    call.end();
  });
}

async function waitReady(url: string, token: string, managed: ManagedProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await adminGetStatus(url, token, '/readyz')) === 200) return;
    if (managed.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${managed.name} not ready at ${url}:\n${tailLog(managed)}`);
}

/** Starts etcd and kube-apiserver (RBAC on) in a fresh run directory and waits for /readyz. */
export async function startApiServerProcesses(): Promise<RunningApiServer> {
  sweepAbandonedRuns();
  const binaries = await ensureBinaries();
  const runDirectory = createRunDirectory();
  mkdirSync(join(runDirectory, 'certs'));
  const adminToken = randomBytes(24).toString('hex');
  writeCredentials(runDirectory, adminToken);
  const address = API_SERVER_ADDRESS;
  const [etcdPort, etcdPeerPort, port] = [await freePort(), await freePort(), await freePort(address)];
  const url = `https://${address}:${port}`;
  const etcd = startProcess(runDirectory, 'etcd', {
    binary: binaries.etcd,
    args: etcdArgs(join(runDirectory, 'etcd-data'), etcdPort, etcdPeerPort),
  });
  const network = await startClusterNetwork(runDirectory);
  const args = [...apiServerArgs(runDirectory, { etcdPort, port, address }), ...network.apiServerArgs];
  let apiServer: ManagedProcess | undefined;
  const startApiServer = async () => {
    apiServer = startProcess(runDirectory, 'kube-apiserver', { binary: binaries.kubeApiserver, args });
    await waitReady(url, adminToken, apiServer);
  };
  const stopApiServer = async () => {
    if (apiServer) await stopProcess(apiServer);
  };
  // A worker that exits without afterAll (uncaught error, process.exit) still takes its servers along;
  // a SIGKILLed worker leaves pid files for the next run's sweep.
  const killOnExit = () => {
    apiServer?.child.kill('SIGKILL');
    etcd.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  try {
    await startApiServer();
  } catch (error) {
    killOnExit();
    process.off('exit', killOnExit);
    await network.close();
    throw error;
  }
  return {
    url,
    adminToken,
    runDirectory,
    binaries,
    startApiServer,
    stopApiServer,
    restart: async () => {
      await stopApiServer();
      await startApiServer();
    },
    stop: async () => {
      process.off('exit', killOnExit);
      await stopApiServer();
      await stopProcess(etcd);
      await network.close();
      rmSync(runDirectory, { recursive: true, force: true });
    },
  };
}
