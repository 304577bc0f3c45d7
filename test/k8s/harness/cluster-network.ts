// The "cluster network" as the test API server sees it. Webhooks are reached the way a real API
// server reaches them: `--enable-aggregator-routing` resolves a webhook Service to an endpoint of its
// EndpointSlice (a Pod IP and port), and the egress selector sends every `cluster` connection through
// an HTTP CONNECT proxy on a Unix socket: this one, which maps a Pod address `IP:port` to the test's
// process listening on `127.0.0.1:port`. So a Pod IP in an EndpointSlice is API data only (it never
// reaches an interface), yet the API server dials the webhook through the real Service, EndpointSlice
// and TLS verification against the caBundle.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

/** The address the harness's EndpointSlices give a process running on the host (API data only). */
export const HOST_PROCESS_POD_IP = '203.0.113.254';

/** The running proxy and the apiserver flags that use it. */
export interface ClusterNetwork {
  readonly apiServerArgs: readonly string[];
  close(): Promise<void>;
}

/** Starts the proxy on `<runDirectory>/cluster-network.sock` and writes the egress configuration. */
export async function startClusterNetwork(runDirectory: string): Promise<ClusterNetwork> {
  const socketPath = join(runDirectory, 'cluster-network.sock');
  const server: Server = createServer((_request, response) => response.writeHead(405).end());
  // CONNECT sockets leave the HTTP server's bookkeeping: they are tracked here so close() ends them.
  const tunnels = new Set<Duplex>();
  server.on('connect', (request, client, head) => {
    const port = Number(/:(\d+)$/.exec(request.url ?? '')?.[1]);
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    client.on('error', () => upstream.destroy());
    for (const socket of [client, upstream]) {
      tunnels.add(socket);
      socket.once('close', () => tunnels.delete(socket));
    }
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const egressPath = join(runDirectory, 'egress-selector.yaml');
  writeFileSync(
    egressPath,
    [
      'apiVersion: apiserver.k8s.io/v1beta1',
      'kind: EgressSelectorConfiguration',
      'egressSelections:',
      '- name: cluster',
      '  connection:',
      '    proxyProtocol: HTTPConnect',
      '    transport:',
      '      uds:',
      `        udsName: ${socketPath}`,
      '',
    ].join('\n'),
  );
  return {
    apiServerArgs: ['--enable-aggregator-routing=true', `--egress-selector-config-file=${egressPath}`],
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of tunnels) socket.destroy();
      }),
  };
}
