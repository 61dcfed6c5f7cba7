/**
 * One TCP connect to a numeric address, cancelled by the probe's signal, with the platform's
 * error code kept so the report can quote it (CONTRACTS.md `error.code`).
 */
import { connect, type Socket } from 'node:net';
import type { FailureCode } from '../types.ts';
import { SocketError } from './socket-error.ts';

/**
 * Connects to `address:port`. Resolves with the connected socket (the caller owns it);
 * rejects with SocketError and leaves no socket behind.
 */
export function connectTcp(address: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(deadlineError(address, port));
      return;
    }
    const socket = connect({ host: address, port });
    const settle = (err?: SocketError) => {
      signal.removeEventListener('abort', onAbort);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(socket);
    };
    const onConnect = () => settle();
    const onError = (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'ECONNECT';
      settle(new SocketError(code, `connecting to ${address}:${port}: ${code}`));
    };
    const onAbort = () => settle(deadlineError(address, port));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', onConnect);
    socket.once('error', onError);
  });
}

function deadlineError(address: string, port: number): SocketError {
  return new SocketError(
    'ETIMEDOUT',
    `connecting to ${address}:${port}: no answer before the deadline`,
    true,
  );
}

/**
 * Our code for a failed connect. A dropped SYN shows as the deadline (or the kernel's own
 * ETIMEDOUT); an ICMP unreachable or a missing route as EHOSTUNREACH/ENETUNREACH; a local
 * firewall REJECT as EACCES/EPERM, which to the user is the same as unreachable.
 */
export function classifyConnectError(err: SocketError): FailureCode {
  if (err.aborted) return 'timeout';
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    default:
      // EHOSTUNREACH, ENETUNREACH, EACCES, EPERM, EADDRNOTAVAIL, ENETDOWN…
      return 'unreachable';
  }
}
