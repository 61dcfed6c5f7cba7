/**
 * A lab STUN responder: answers Binding Requests with the sender's XOR-MAPPED-ADDRESS, or
 * stays silent, or answers with bytes that are not STUN, so the probe meets each case for real.
 */
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { BINDING_REQUEST, bindingSuccess, parseStun } from '../../probes/stun/message.ts';

export type StunServerMode = 'answer' | 'silence' | 'garbage';

export interface StunServerOptions {
  /** Defaults to 127.0.0.1. */
  address?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  mode?: StunServerMode;
}

export interface LabStunServer {
  port: number;
  /** `address:port`, ready for a probe target. */
  hostPort: string;
  /** Datagrams received so far (retransmissions included). */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startStunServer(options: StunServerOptions = {}): Promise<LabStunServer> {
  const address = options.address ?? '127.0.0.1';
  const mode = options.mode ?? 'answer';
  const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
  let requests = 0;
  socket.on('message', (msg, rinfo) => {
    requests += 1;
    if (mode === 'silence') return;
    if (mode === 'garbage') {
      socket.send(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), rinfo.port, rinfo.address);
      return;
    }
    try {
      const request = parseStun(msg);
      if (request.type !== BINDING_REQUEST) return;
      const reply = bindingSuccess(request.transactionId, { address: rinfo.address, port: rinfo.port });
      socket.send(reply, rinfo.port, rinfo.address);
    } catch {
      // Not STUN: a real server drops it silently, and so do we.
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const port = socket.address().port;
  return {
    port,
    hostPort: isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
