/**
 * A TCP load balancer on 127.0.0.1 standing in for the Ingress in front of the replicas: each
 * new connection goes to the next backend in turn, and to the one after it when that one
 * refuses (a replica that died), so agents and browsers reconnecting through it land on a live
 * replica. It passes bytes only, so HTTP and WebSocket upgrades work alike.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface Balancer {
  url: string;
  port: number;
  /** Replaces the backends (`127.0.0.1:PORT` each). */
  setBackends(ports: number[]): void;
  close(): Promise<void>;
}

export async function startBalancer(ports: number[] = []): Promise<Balancer> {
  let backends = [...ports];
  let next = 0;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const forward = (client: Socket, tries: number) => {
    if (tries >= backends.length || backends.length === 0) return client.destroy();
    const port = backends[next++ % backends.length];
    const upstream = connect(port, '127.0.0.1');
    track(upstream);
    upstream.once('error', () => {
      // Refused: try the next backend, unless bytes already flowed (then the client sees the drop).
      if (upstream.bytesRead === 0 && upstream.bytesWritten === 0) forward(client, tries + 1);
      else client.destroy();
    });
    upstream.once('connect', () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
    });
  };
  const server = createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    client.on('error', () => undefined);
    forward(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setBackends(list) {
      backends = [...list];
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
