/**
 * A fault that comes and goes, in user space: a TCP front for a lab server that resets every
 * Nth TLS handshake (the client's first bytes) and passes every other connection through. A
 * connection that never speaks (a bare TCP probe) does not count, so the pattern is exact: with
 * one handshake per watch round, every Nth round fails and the others pass.
 */
import { connect, createServer, type Socket } from 'node:net';
import { closeServer, listen, socketSet } from './server-util.ts';

export interface FlakyFront {
  port: number;
  /** Handshakes seen and how many were reset. */
  readonly handshakes: number;
  readonly resets: number;
  close(): Promise<void>;
}

export async function startFlakyFront(options: {
  address: string;
  /** The lab server behind the front. */
  targetPort: number;
  every: number;
}): Promise<FlakyFront> {
  let handshakes = 0;
  let resets = 0;
  const sockets = socketSet();
  const server = createServer((client: Socket) => {
    sockets.add(client);
    client.once('data', (first) => {
      handshakes++;
      if (handshakes % options.every === 0) {
        resets++;
        client.resetAndDestroy();
        return;
      }
      const upstream = connect(options.targetPort, options.address);
      sockets.add(upstream);
      upstream.write(first);
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
  });
  const port = await listen(server, options.address, 0);
  return {
    port,
    get handshakes() {
      return handshakes;
    },
    get resets() {
      return resets;
    },
    close: () => closeServer(server, sockets),
  };
}
