/**
 * A small RFC 1035 codec: just enough DNS to ask a resolver for A, AAAA and CNAME records
 * ourselves, so the probe sees what getaddrinfo hides (the rcode, the CNAME chain, the TTL),
 * and for the lab server to answer. Decoding treats every packet as hostile: every read is
 * bounds-checked and compression pointers cannot loop, so a malformed answer is a
 * DnsWireError, never a crash or a hang.
 */
import { formatIpv6, ipv4Bytes, ipv6Bytes } from './ip-text.ts';
import { Writer } from './writer.ts';

/** Record types we decode; any other type is kept as its number with raw rdata. */
export const TYPE = { A: 1, CNAME: 5, AAAA: 28 } as const;
export type QueryType = keyof typeof TYPE;

const CLASS_IN = 1;
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;
export type RcodeName = (typeof RCODES)[number] | `RCODE${number}`;

/** `NOERROR`, `NXDOMAIN`… or `RCODE<n>` for codes outside RFC 1035's list. */
export function rcodeName(rcode: number): RcodeName {
  return RCODES[rcode] ?? `RCODE${rcode}`;
}

/** `A`, `AAAA`, `CNAME` or `TYPE<n>` (RFC 3597 spelling) for the others. */
export function typeName(type: number): string {
  const known = (Object.keys(TYPE) as QueryType[]).find((name) => TYPE[name] === type);
  return known ?? `TYPE${type}`;
}

export class DnsWireError extends Error {
  /** c-ares' name for an answer it could not parse, so callers report what the platform would. */
  readonly code = 'EBADRESP';
  /** Byte offset in the packet where decoding failed (or -1 when encoding). */
  readonly offset: number;
  constructor(message: string, offset = -1) {
    super(message);
    this.offset = offset;
  }
}

export interface DnsFlags {
  /** true in responses. */
  qr: boolean;
  opcode: number;
  aa: boolean;
  /** Truncated: the answer did not fit a UDP datagram; ask again over TCP. */
  tc: boolean;
  rd: boolean;
  ra: boolean;
}

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  /** A and AAAA: the address as text; CNAME: the target name; other types: the raw rdata. */
  data: string | Uint8Array;
}

export interface DnsMessage {
  id: number;
  flags: DnsFlags;
  rcode: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

/** What encodeMessage needs: omitted flags are false (opcode 0), omitted sections empty. */
export interface DnsMessageInput {
  id: number;
  flags?: Partial<DnsFlags>;
  rcode?: number;
  questions?: DnsQuestion[];
  answers?: DnsRecord[];
  authorities?: DnsRecord[];
  additionals?: DnsRecord[];
}

/** A standard query (opcode 0, class IN) with recursion desired unless `rd` is false. */
export function encodeQuery(query: {
  id: number;
  name: string;
  type: QueryType | number;
  rd?: boolean;
}): Buffer {
  const type = typeof query.type === 'number' ? query.type : TYPE[query.type];
  return encodeMessage({
    id: query.id,
    flags: { rd: query.rd ?? true },
    questions: [{ name: query.name, type, class: CLASS_IN }],
  });
}

/** Encodes a whole message, compressing repeated name suffixes (RFC 1035 4.1.4). */
export function encodeMessage(message: DnsMessageInput): Buffer {
  const out = new Writer();
  const f = message.flags ?? {};
  const rcode = message.rcode ?? 0;
  if (!Number.isInteger(message.id) || message.id < 0 || message.id > 0xffff) {
    throw new DnsWireError(`message id ${message.id} is not an integer from 0 to 65535`);
  }
  if (!Number.isInteger(rcode) || rcode < 0 || rcode > 15) {
    throw new DnsWireError(`rcode ${rcode} is not an integer from 0 to 15`);
  }
  const opcode = f.opcode ?? 0;
  const flags =
    (f.qr ? 0x8000 : 0) |
    ((opcode & 0xf) << 11) |
    (f.aa ? 0x400 : 0) |
    (f.tc ? 0x200 : 0) |
    (f.rd ? 0x100 : 0) |
    (f.ra ? 0x80 : 0) |
    rcode;
  const sections = [message.answers ?? [], message.authorities ?? [], message.additionals ?? []];
  const questions = message.questions ?? [];
  out.u16(message.id).u16(flags).u16(questions.length);
  for (const section of sections) out.u16(section.length);
  for (const q of questions) out.name(splitName(q.name)).u16(q.type).u16(q.class);
  for (const section of sections) for (const record of section) writeRecord(out, record);
  return out.finish();
}

function writeRecord(out: Writer, record: DnsRecord): void {
  out.name(splitName(record.name)).u16(record.type).u16(record.class).u32(record.ttl);
  const lengthAt = out.reserve16();
  const start = out.length;
  const { data, type } = record;
  if ((type === TYPE.A || type === TYPE.AAAA) && typeof data === 'string') {
    const bytes = type === TYPE.A ? ipv4Bytes(data) : ipv6Bytes(data);
    if (!bytes)
      throw new DnsWireError(
        `${typeName(type)} record for ${record.name}: "${data}" is not an IPv${type === TYPE.A ? 4 : 6} address`,
      );
    out.bytes(bytes);
  } else if (type === TYPE.CNAME && typeof data === 'string') out.name(splitName(data));
  else if (data instanceof Uint8Array) out.bytes(data);
  else
    throw new DnsWireError(
      `record ${record.name} type ${typeName(type)}: text data is only accepted for A, AAAA, CNAME`,
    );
  out.patch16(lengthAt, out.length - start);
}

/** Decodes a whole message. Throws DnsWireError naming the offset and what was wrong. */
export function decodeMessage(packet: Uint8Array): DnsMessage {
  const buf = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  need(buf, 0, 12, 'the 12-byte header');
  const flags = buf.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((at) => buf.readUInt16BE(at));
  let pos = 12;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const { name, end } = readName(buf, pos);
    need(buf, end, 4, `the type and class of question ${i + 1}`);
    questions.push({ name, type: buf.readUInt16BE(end), class: buf.readUInt16BE(end + 2) });
    pos = end + 4;
  }
  const sections: DnsRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) {
      const record = readRecord(buf, pos);
      sections[s].push(record.record);
      pos = record.end;
    }
  }
  return {
    id: buf.readUInt16BE(0),
    flags: {
      qr: (flags & 0x8000) !== 0,
      opcode: (flags >> 11) & 0xf,
      aa: (flags & 0x400) !== 0,
      tc: (flags & 0x200) !== 0,
      rd: (flags & 0x100) !== 0,
      ra: (flags & 0x80) !== 0,
    },
    rcode: flags & 0xf,
    questions,
    answers: sections[0],
    authorities: sections[1],
    additionals: sections[2],
  };
}

function readRecord(buf: Buffer, pos: number): { record: DnsRecord; end: number } {
  const { name, end } = readName(buf, pos);
  need(buf, end, 10, `the fixed fields of the record for ${name || '.'}`);
  const type = buf.readUInt16BE(end);
  const rdLength = buf.readUInt16BE(end + 8);
  const rdStart = end + 10;
  const rdEnd = rdStart + rdLength;
  need(
    buf,
    rdStart,
    rdLength,
    `the ${rdLength}-byte rdata of the ${typeName(type)} record for ${name || '.'}`,
  );
  let data: string | Uint8Array;
  if (type === TYPE.A || type === TYPE.AAAA) {
    const size = type === TYPE.A ? 4 : 16;
    if (rdLength !== size) {
      throw new DnsWireError(
        `${typeName(type)} record for ${name} has rdata of ${rdLength} bytes, expected ${size}`,
        rdStart,
      );
    }
    const bytes = buf.subarray(rdStart, rdEnd);
    data = size === 4 ? bytes.join('.') : formatIpv6(bytes);
  } else if (type === TYPE.CNAME) {
    const target = readName(buf, rdStart);
    if (target.end !== rdEnd) {
      throw new DnsWireError(
        `CNAME record for ${name}: target name does not fill its ${rdLength}-byte rdata`,
        rdStart,
      );
    }
    data = target.name;
  } else {
    data = new Uint8Array(buf.subarray(rdStart, rdEnd));
  }
  return {
    record: { name, type, class: buf.readUInt16BE(end + 2), ttl: buf.readUInt32BE(end + 4), data },
    end: rdEnd,
  };
}

/**
 * Reads a possibly compressed name. Each pointer target may be visited once, so a pointer
 * loop is an error, and the 255-byte limit bounds the work for any packet.
 */
function readName(buf: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  const visited = new Set<number>();
  let pos = start;
  let end = -1;
  let length = 1;
  for (;;) {
    need(buf, pos, 1, `a label of the name at offset ${start}`);
    const len = buf[pos];
    if ((len & 0xc0) === 0xc0) {
      need(buf, pos, 2, `the compression pointer at offset ${pos}`);
      const target = buf.readUInt16BE(pos) & 0x3fff;
      if (visited.has(target)) {
        throw new DnsWireError(
          `compression pointer loop in the name at offset ${start} (offset ${target} again)`,
          pos,
        );
      }
      visited.add(target);
      if (end < 0) end = pos + 2;
      pos = target;
      continue;
    }
    if (len & 0xc0) {
      throw new DnsWireError(`unsupported label type 0x${(len & 0xc0).toString(16)} at offset ${pos}`, pos);
    }
    if (len === 0) {
      if (end < 0) end = pos + 1;
      return { name: labels.join('.'), end };
    }
    need(buf, pos + 1, len, `the ${len}-byte label at offset ${pos}`);
    length += len + 1;
    if (length > 255) throw new DnsWireError(`name at offset ${start} is longer than 255 bytes`, pos);
    labels.push(buf.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
}

function need(buf: Buffer, pos: number, count: number, what: string): void {
  if (pos + count > buf.length) {
    throw new DnsWireError(
      `truncated packet: ${what} needs ${count} byte(s) at offset ${pos}, but the packet has ${buf.length}`,
      pos,
    );
  }
}

function splitName(name: string): string[] {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed === '') return [];
  const labels = trimmed.split('.');
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || /[^\x21-\x7e]/.test(label)) {
      throw new DnsWireError(
        `name "${name}": label "${label}" must be 1 to 63 printable ASCII characters without spaces`,
      );
    }
  }
  if (trimmed.length + 2 > 255) throw new DnsWireError(`name "${name}" is longer than 255 bytes on the wire`);
  return labels;
}
