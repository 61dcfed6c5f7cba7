/**
 * The few pieces of RFC 5389 (STUN) that a Binding check needs: build a Binding Request, read a
 * Binding Success Response and its (XOR-)MAPPED-ADDRESS. Shared by the probe and the lab
 * responder so both speak the same wire format.
 */
import { randomBytes } from 'node:crypto';

export const MAGIC_COOKIE = 0x2112a442;
export const BINDING_REQUEST = 0x0001;
export const BINDING_SUCCESS = 0x0101;
export const BINDING_ERROR = 0x0111;
const ATTR_MAPPED_ADDRESS = 0x0001;
const ATTR_ERROR_CODE = 0x0009;
const ATTR_XOR_MAPPED_ADDRESS = 0x0020;
const HEADER_BYTES = 20;

export interface StunAddress {
  address: string;
  port: number;
}

export interface StunMessage {
  type: number;
  transactionId: Buffer;
  /** XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS (RFC 3489 servers), when present. */
  mapped?: StunAddress & { attribute: 'XOR-MAPPED-ADDRESS' | 'MAPPED-ADDRESS' };
  /** ERROR-CODE of an error response, e.g. "420 Unknown Attribute". */
  error?: string;
}

/** Why a datagram is not a STUN message we can read. */
export class StunParseError extends Error {}

/** A fresh Binding Request with a random 96-bit transaction id. */
export function bindingRequest(): { packet: Buffer; transactionId: Buffer } {
  const transactionId = randomBytes(12);
  return { packet: header(BINDING_REQUEST, 0, transactionId), transactionId };
}

/** A Binding Success Response telling `sender` how it was seen (XOR-MAPPED-ADDRESS). */
export function bindingSuccess(transactionId: Buffer, sender: StunAddress): Buffer {
  const attr = xorAddressAttribute(transactionId, sender);
  return Buffer.concat([header(BINDING_SUCCESS, attr.length, transactionId), attr]);
}

/** Reads a STUN message; throws StunParseError naming what is wrong. */
export function parseStun(packet: Buffer): StunMessage {
  if (packet.length < HEADER_BYTES)
    throw new StunParseError(`${packet.length} bytes is shorter than a STUN header`);
  const type = packet.readUInt16BE(0);
  const length = packet.readUInt16BE(2);
  if (type & 0xc000) throw new StunParseError('the two leading bits are not zero: not a STUN message');
  if (packet.readUInt32BE(4) !== MAGIC_COOKIE) throw new StunParseError('the magic cookie is missing');
  if (length % 4 !== 0 || length !== packet.length - HEADER_BYTES) {
    throw new StunParseError(
      `the header says ${length} attribute bytes but ${packet.length - HEADER_BYTES} came`,
    );
  }
  const message: StunMessage = { type, transactionId: packet.subarray(8, 20) };
  let offset = HEADER_BYTES;
  while (offset + 4 <= packet.length) {
    const attrType = packet.readUInt16BE(offset);
    const attrLength = packet.readUInt16BE(offset + 2);
    const value = packet.subarray(offset + 4, offset + 4 + attrLength);
    if (value.length !== attrLength)
      throw new StunParseError(`attribute 0x${attrType.toString(16)} is truncated`);
    if (attrType === ATTR_XOR_MAPPED_ADDRESS) {
      message.mapped = {
        ...readAddress(value, message.transactionId, true),
        attribute: 'XOR-MAPPED-ADDRESS',
      };
    } else if (attrType === ATTR_MAPPED_ADDRESS && !message.mapped) {
      message.mapped = { ...readAddress(value, message.transactionId, false), attribute: 'MAPPED-ADDRESS' };
    } else if (attrType === ATTR_ERROR_CODE && value.length >= 4) {
      message.error = `${(value[2] & 0x07) * 100 + value[3]} ${value.subarray(4).toString('utf8')}`.trim();
    }
    offset += 4 + Math.ceil(attrLength / 4) * 4;
  }
  return message;
}

function header(type: number, length: number, transactionId: Buffer): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES);
  buf.writeUInt16BE(type, 0);
  buf.writeUInt16BE(length, 2);
  buf.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(buf, 8);
  return buf;
}

/** The XOR key for an address: the cookie, then (IPv6 only) the transaction id. */
function xorKey(transactionId: Buffer): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(key, 4);
  return key;
}

function xorAddressAttribute(transactionId: Buffer, sender: StunAddress): Buffer {
  const v6 = sender.address.includes(':');
  const raw = v6 ? ipv6Bytes(sender.address) : Buffer.from(sender.address.split('.').map(Number));
  const key = xorKey(transactionId);
  const value = Buffer.alloc(4 + raw.length);
  value[1] = v6 ? 0x02 : 0x01;
  value.writeUInt16BE(sender.port ^ (MAGIC_COOKIE >>> 16), 2);
  for (let i = 0; i < raw.length; i++) value[4 + i] = raw[i] ^ key[i];
  const attr = Buffer.alloc(4);
  attr.writeUInt16BE(ATTR_XOR_MAPPED_ADDRESS, 0);
  attr.writeUInt16BE(value.length, 2);
  return Buffer.concat([attr, value]);
}

function readAddress(value: Buffer, transactionId: Buffer, xored: boolean): StunAddress {
  const family = value[1];
  const size = family === 0x01 ? 4 : family === 0x02 ? 16 : 0;
  if (size === 0 || value.length < 4 + size) {
    throw new StunParseError(
      `mapped address with family 0x${family?.toString(16)} and ${value.length} bytes`,
    );
  }
  const key = xored ? xorKey(transactionId) : Buffer.alloc(16);
  const port = value.readUInt16BE(2) ^ (xored ? MAGIC_COOKIE >>> 16 : 0);
  const bytes = Buffer.from(value.subarray(4, 4 + size).map((b, i) => b ^ key[i]));
  if (size === 4) return { address: [...bytes].join('.'), port };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return { address: groups.join(':'), port };
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...new Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  const buf = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) buf.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return buf;
}
