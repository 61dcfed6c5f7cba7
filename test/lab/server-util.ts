/**
 * Listening and closing for every lab server. A test must never hang on close(): each server
 * keeps its sockets (including upgraded and tunnelled ones, which server.close() ignores) and
 * destroys them all.
 */
import type { Server, Socket } from 'node:net';

/** The sockets a lab server owns, destroyed together on close. */
export interface SocketSet {
  add(socket: Socket): void;
  destroyAll(): void;
}

export function socketSet(): SocketSet {
  const sockets = new Set<Socket>();
  return {
    add(socket) {
      sockets.add(socket);
      // Resets are the point of many lab scenarios: an 'error' must never crash the test run.
      socket.on('error', () => {});
      socket.once('close', () => sockets.delete(socket));
    },
    destroyAll() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}

/** Listen and resolve with the bound port. */
export async function listen(server: Server, address: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  if (bound === null || typeof bound === 'string') {
    throw new Error(`lab server: expected a TCP address after listen on ${address}:${port}`);
  }
  return bound.port;
}

/** Stop accepting, destroy what is open, resolve when the listener is gone. */
export async function closeServer(server: Server, sockets: SocketSet): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  sockets.destroyAll();
  await closed;
}

/** `127.0.0.1:443` or `[::1]:443`. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
