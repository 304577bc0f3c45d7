import type { KubeTarget } from './target.js';
import { KubeTransport } from './transport.js';

/** An API group's client class (CoreV1Api, ...): built on the shared transport. */
export type ApiGroup<T> = new (transport: KubeTransport) => T;

/** The daemons' API client: one target, one pool of connections, clients for each API group. */
export class KubeClient {
  readonly transport: KubeTransport;

  constructor(readonly target: KubeTarget) {
    this.transport = new KubeTransport(target);
  }

  /** client-node's name for it: an API group's client on this connection pool. */
  makeApiClient<T>(group: ApiGroup<T>): T {
    return new group(this.transport);
  }
}
