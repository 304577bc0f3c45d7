// Speakers in lab namespaces reach the API server through the lab bridge (DESIGN "Real parts in
// tests"): an `api` namespace on the bridge holds LAB_API_IPV4 and runs a forwarder listening
// there, which pipes each connection over a path-based Unix socket (a file, so it crosses network
// namespaces) to a host-side forwarder connected to the API server on the host's 127.0.0.1. Cutting
// a node's bridge port (Lab.partition) therefore also cuts that node's API access, as a real
// partition would. TLS stays verified: the kubeconfig trusts the API server's self-signed CA and
// names a DNS name of its serving certificate (`tls-server-name`), which does not list the lab address.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, LabPeer } from '../../helpers/lab.js';
import { spawnInNs } from '../../helpers/netns.js';
import type { TestCluster } from './index.js';
import { type ManagedProcess, startProcess, stopProcess } from './processes.js';

/** The API endpoint's addresses on the lab link (198.51.100.0/24, 2001:db8:1::/64). */
export const LAB_API_IPV4 = '198.51.100.250';
export const LAB_API_IPV6 = '2001:db8:1::fa';
/** The port the API endpoint listens on inside its namespace. */
export const LAB_API_PORT = 6443;
/** A DNS name in the serving certificate kube-apiserver generates into --cert-dir. */
const API_SERVER_NAME = 'kubernetes';

// `node -e FORWARDER_SOURCE <listen> <target>`: each side is a Unix socket path (starting with /)
// or IPv4 `host:port`; every accepted connection is piped to a new connection to the target.
const FORWARDER_SOURCE = `
const net = require('node:net');
const endpoint = (text) => text.startsWith('/') ? { path: text }
  : { host: text.slice(0, text.lastIndexOf(':')), port: Number(text.slice(text.lastIndexOf(':') + 1)) };
const [listenOn, target] = process.argv.slice(1).map(endpoint);
net.createServer((client) => {
  const upstream = net.connect(target);
  client.pipe(upstream); upstream.pipe(client);
  client.on('error', () => upstream.destroy()); upstream.on('error', () => client.destroy());
}).listen(listenOn);
`;

/** The lab's API endpoint: its namespace, and a speaker kubeconfig that goes through it. */
export interface LabApiEndpoint {
  readonly peer: LabPeer;
  /** The speaker identity's kubeconfig, server https://LAB_API_IPV4:LAB_API_PORT, TLS verified. */
  readonly speakerKubeconfigPath: string;
  /** Stops the host-side forwarder (the namespace side goes with the lab). */
  stop(): Promise<void>;
}

interface KubeconfigFile {
  clusters: { cluster: Record<string, unknown> }[];
}

function labKubeconfig(cluster: TestCluster, directory: string): string {
  // client-node exports kubeconfigs as JSON (YAML's subset), so edit the object, not the text.
  const config = JSON.parse(readFileSync(cluster.kubeconfigPath('speaker'), 'utf8')) as KubeconfigFile;
  const authority = readFileSync(join(cluster.server.runDirectory, 'certs', 'apiserver.crt'));
  for (const entry of config.clusters) {
    delete entry.cluster['insecure-skip-tls-verify'];
    entry.cluster.server = `https://${LAB_API_IPV4}:${LAB_API_PORT}`;
    entry.cluster['certificate-authority-data'] = authority.toString('base64');
    entry.cluster['tls-server-name'] = API_SERVER_NAME;
  }
  const path = join(directory, 'kubeconfig-speaker-lab.yaml');
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}

/** Adds the `api` namespace to `lab` and starts both forwarders; `directory` holds the socket and kubeconfig. */
export function startLabApiEndpoint(cluster: TestCluster, lab: Lab, directory: string): LabApiEndpoint {
  const peer = lab.addPeer('api', { ipv4: LAB_API_IPV4, ipv6: LAB_API_IPV6 });
  const socketPath = join(directory, 'api.sock');
  const host: ManagedProcess = startProcess(cluster.server.runDirectory, 'api-forwarder', {
    binary: process.execPath,
    args: ['-e', FORWARDER_SOURCE, socketPath, `127.0.0.1:${new URL(cluster.server.url).port}`],
  });
  const listen = `${LAB_API_IPV4}:${LAB_API_PORT}`;
  lab.track(
    spawnInNs(peer.namespace, process.execPath, ['-e', FORWARDER_SOURCE, listen, socketPath], {
      stdio: 'ignore',
    }),
  );
  return { peer, speakerKubeconfigPath: labKubeconfig(cluster, directory), stop: () => stopProcess(host) };
}
