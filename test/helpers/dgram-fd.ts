import type { Socket } from 'node:dgram';

/**
 * The file descriptor of a bound dgram socket, for tests that put a kernel filter on a socket
 * of their own. Node has no public accessor: the fd is on the socket's internal handle, kept under
 * the 'state symbol' (the `_handle` getter reads the same object but prints DEP0112).
 */
export function socketFd(socket: Socket): number | undefined {
  const state = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol');
  const handle =
    state === undefined
      ? undefined
      : (socket as unknown as Record<symbol, { handle?: { fd?: unknown } }>)[state]?.handle;
  return typeof handle?.fd === 'number' && handle.fd >= 0 ? handle.fd : undefined;
}
