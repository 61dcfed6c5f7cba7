/**
 * The lab's authoritative DNS server: plays the internet's resolvers on a lab address. Each
 * name answers correctly, or with NXDOMAIN, SERVFAIL, REFUSED, a sinkhole or private address
 * (just records), silence (reads the query, never answers), a truncated UDP answer (the full
 * one over TCP), or a malformed packet. It listens on UDP and TCP on the same port and records
 * every question it read, so tests can assert what was (or was not) asked.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Socket } from 'node:net';
import {
  type DnsMessage,
  type DnsRecord,
  decodeMessage,
  encodeMessage,
  TYPE,
  typeName,
} from '../../probes/dns/wire.ts';
import { closeServer, hostPort, listen, socketSet } from './server-util.ts';

export type LabMode = 'answer' | 'nxdomain' | 'servfail' | 'refused' | 'silence' | 'truncate' | 'malformed';

export interface LabRecord {
  a?: string[];
  aaaa?: string[];
  /** Alias target; followed inside the zone, so the answer holds the chain and the final records. */
  cname?: string;
  /**
   * 'answer' (default). 'truncate': over UDP, TC set and no records (the full answer over TCP).
   * 'malformed': a reply with the right id whose answer section runs past the packet's end.
   */
  mode?: LabMode;
  /** Seconds. Default 300. */
  ttl?: number;
}

export interface LabQuery {
  /** Lowercase, without the root dot. */
  name: string;
  /** 'A', 'AAAA', 'CNAME' or 'TYPE<n>'. */
  type: string;
  transport: 'udp' | 'tcp';
}

export interface LabDnsServer {
  address: string;
  port: number;
  /** `ip:port` (`[v6]:port`), as ProbeContext.systemResolver and resolver targets take it. */
  hostPort: string;
  /** Every question read, in arrival order, silenced ones included. */
  queries: LabQuery[];
  /** Adds or replaces the record for `name` (case-insensitive). */
  set(name: string, record: LabRecord): void;
  close(): Promise<void>;
}

export interface DnsServerOptions {
  /** Default 127.0.0.1. */
  address?: string;
  /** Default 0: any port free on both UDP and TCP. */
  port?: number;
  records?: Record<string, LabRecord>;
  /** What names without a record get. Default 'nxdomain'. */
  defaultMode?: LabMode;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
const MODE_RCODE: Partial<Record<LabMode, number>> = {
  answer: RCODE.NOERROR,
  nxdomain: RCODE.NXDOMAIN,
  servfail: RCODE.SERVFAIL,
  refused: RCODE.REFUSED,
};
const MAX_CHAIN = 16;

export async function startDnsServer(options: DnsServerOptions = {}): Promise<LabDnsServer> {
  const address = options.address ?? '127.0.0.1';
  const zone = new Map<string, LabRecord>();
  for (const [name, record] of Object.entries(options.records ?? {})) zone.set(key(name), record);
  const queries: LabQuery[] = [];
  const answer = (packet: Buffer, transport: 'udp' | 'tcp'): Buffer | null => {
    let query: DnsMessage;
    try {
      query = decodeMessage(packet);
    } catch {
      return null; // not DNS: a real server drops it too
    }
    const question = query.questions[0];
    if (query.flags.qr || !question) return null;
    queries.push({ name: key(question.name), type: typeName(question.type), transport });
    return respond(query, zone, options.defaultMode ?? 'nxdomain', transport);
  };

  // Port 0 gives UDP a free port that TCP may not have free: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const udp = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    try {
      const port = await bindUdp(udp, address, options.port ?? 0);
      const tcp = createServer();
      const sockets = socketSet();
      await listen(tcp, address, port);
      udp.on('message', (packet, from) => {
        const reply = answer(packet, 'udp');
        if (reply) udp.send(reply, from.port, from.address);
      });
      tcp.on('connection', (socket) => {
        sockets.add(socket);
        serveTcp(socket, (packet) => answer(packet, 'tcp'));
      });
      return {
        address,
        port,
        hostPort: hostPort(address, port),
        queries,
        set: (name, record) => void zone.set(key(name), record),
        async close() {
          await Promise.all([
            new Promise<void>((resolve) => udp.close(() => resolve())),
            closeServer(tcp, sockets),
          ]);
        },
      };
    } catch (err) {
      lastError = err;
      try {
        udp.close();
      } catch {
        // never bound: nothing to release
      }
      if (options.port) break;
    }
  }
  throw new Error(
    `lab DNS server: could not listen on ${address}:${options.port ?? 0}: ${String(lastError)}`,
  );
}

function respond(query: DnsMessage, zone: Map<string, LabRecord>, defaultMode: LabMode, transport: string) {
  const question = query.questions[0];
  const reply = (rcode: number, answers: DnsRecord[] = [], tc = false) =>
    encodeMessage({
      id: query.id,
      flags: { qr: true, aa: true, rd: query.flags.rd, ra: true, tc },
      rcode,
      questions: [question],
      answers,
    });
  const answers: DnsRecord[] = [];
  let name = question.name;
  let record = zone.get(key(name));
  const first = record?.mode ?? (record ? 'answer' : defaultMode);
  if (first === 'silence') return null;
  if (first === 'truncate' && transport === 'udp') return reply(RCODE.NOERROR, [], true);
  if (first === 'malformed') return reply(RCODE.NOERROR).subarray(0, 12).fill(0xff, 6, 8);
  if (!record) return reply(MODE_RCODE[first] ?? RCODE.NOERROR);
  for (let hops = 0; record && hops < MAX_CHAIN; hops++) {
    const mode = record.mode ?? 'answer';
    // A chain into a failing name keeps what was answered so far, as a recursive resolver does.
    const failing = mode === 'answer' ? undefined : MODE_RCODE[mode];
    if (failing !== undefined) return reply(failing, mode === 'nxdomain' ? answers : []);
    const ttl = record.ttl ?? 300;
    if (record.cname) {
      answers.push({ name, type: TYPE.CNAME, class: 1, ttl, data: record.cname });
      if (question.type === TYPE.CNAME) break;
      name = record.cname;
      record = zone.get(key(name));
      continue;
    }
    const data = question.type === TYPE.A ? record.a : question.type === TYPE.AAAA ? record.aaaa : undefined;
    for (const address of data ?? [])
      answers.push({ name, type: question.type, class: 1, ttl, data: address });
    break;
  }
  // A chain that leaves the zone ends there: the client follows it elsewhere.
  return reply(RCODE.NOERROR, answers);
}

/** RFC 1035 4.2.2: each message on TCP is preceded by its two-byte length. */
function serveTcp(socket: Socket, answer: (packet: Buffer) => Buffer | null): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const packet = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      buffered = buffered.subarray(2 + packet.length);
      const reply = answer(packet);
      if (!reply) continue;
      const framed = Buffer.alloc(2 + reply.length);
      framed.writeUInt16BE(reply.length, 0);
      reply.copy(framed, 2);
      socket.write(framed);
    }
  });
}

function bindUdp(udp: UdpSocket, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, address, () => {
      udp.off('error', reject);
      // A send to a vanished client (ICMP unreachable) must not crash the test run.
      udp.on('error', () => {});
      resolve(udp.address().port);
    });
  });
}

function key(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}
