import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv6, ipv6Bytes } from '../../probes/dns/ip-text.ts';
import {
  type DnsRecord,
  DnsWireError,
  decodeMessage,
  encodeMessage,
  encodeQuery,
  rcodeName,
  TYPE,
  typeName,
} from '../../probes/dns/wire.ts';

const IN = 1;

/** Bytes of a name in plain labels. */
function labels(name: string): number[] {
  return [...name.split('.').flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]), 0];
}

/** A header: id 0x1234, QR set, the given counts. */
function header(counts: [number, number, number, number], flags = 0x8180): number[] {
  return [0x12, 0x34, flags >> 8, flags & 0xff, ...counts.flatMap((c) => [c >> 8, c & 0xff])];
}

test('a query round-trips: id, name, type, class IN, recursion desired', () => {
  const packet = encodeQuery({ id: 0xbeef, name: 'login.microsoftonline.com', type: 'AAAA' });
  const decoded = decodeMessage(packet);
  assert.equal(decoded.id, 0xbeef);
  assert.deepEqual(decoded.flags, { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false });
  assert.deepEqual(decoded.questions, [{ name: 'login.microsoftonline.com', type: TYPE.AAAA, class: IN }]);
  assert.deepEqual(decoded.answers, []);
  // 12 header + 27 name bytes + 4 type/class: the exact RFC 1035 layout.
  assert.equal(packet.length, 12 + 27 + 4);
  assert.equal(decodeMessage(encodeQuery({ id: 1, name: 'x.test', type: 'A', rd: false })).flags.rd, false);
});

test('a response round-trips with A, AAAA, CNAME, unknown types as raw bytes, every section and flag', () => {
  const answers: DnsRecord[] = [
    { name: 'login.lab.test', type: TYPE.CNAME, class: IN, ttl: 60, data: 'edge.lab.test' },
    { name: 'edge.lab.test', type: TYPE.A, class: IN, ttl: 30, data: '10.1.2.3' },
    { name: 'edge.lab.test', type: TYPE.AAAA, class: IN, ttl: 30, data: '2001:db8::7' },
    { name: 'edge.lab.test', type: 16, class: IN, ttl: 5, data: Uint8Array.of(3, 0x61, 0x62, 0x63) },
  ];
  const authorities: DnsRecord[] = [{ name: 'lab.test', type: 2, class: IN, ttl: 9, data: Uint8Array.of(0) }];
  const packet = encodeMessage({
    id: 7,
    flags: { qr: true, aa: true, tc: true, rd: true, ra: true },
    rcode: 3,
    questions: [{ name: 'login.lab.test', type: TYPE.A, class: IN }],
    answers,
    authorities,
  });
  const decoded = decodeMessage(packet);
  assert.equal(decoded.rcode, 3);
  assert.deepEqual(decoded.flags, { qr: true, opcode: 0, aa: true, tc: true, rd: true, ra: true });
  assert.deepEqual(decoded.answers, answers);
  assert.deepEqual(decoded.authorities, authorities);
  assert.deepEqual(decoded.additionals, []);
});

test('repeated names are compressed on encode and followed on decode', () => {
  const name = 'a-rather-long-label.lab.test';
  const answers: DnsRecord[] = Array.from({ length: 4 }, (_, i) => ({
    name,
    type: TYPE.A,
    class: IN,
    ttl: 1,
    data: `10.0.0.${i}`,
  }));
  const packet = encodeMessage({
    id: 1,
    flags: { qr: true },
    questions: [{ name, type: 1, class: IN }],
    answers,
  });
  // Each answer's owner is a 2-byte pointer instead of the 30-byte name.
  assert.equal(packet.length, 12 + 30 + 4 + 4 * (2 + 10 + 4));
  assert.deepEqual(decodeMessage(packet).answers, answers);
});

test('a hand-made packet with a pointer into the question decodes (interop, not just our own encoder)', () => {
  const packet = Uint8Array.from([
    ...header([1, 1, 0, 0]),
    ...labels('x.lab'),
    0,
    1,
    0,
    1,
    0xc0,
    12, // owner: pointer to the question name
    0,
    1,
    0,
    1,
    0,
    0,
    0,
    60,
    0,
    4,
    192,
    0,
    2,
    1,
  ]);
  const decoded = decodeMessage(packet);
  assert.deepEqual(decoded.answers, [{ name: 'x.lab', type: 1, class: 1, ttl: 60, data: '192.0.2.1' }]);
  assert.equal(rcodeName(decoded.rcode), 'NOERROR');
});

test('malformed packets are rejected with a DnsWireError naming what is wrong, never a crash or a hang', () => {
  const question = [...labels('x.lab'), 0, 1, 0, 1];
  const answerHead = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60];
  const cases: Array<[string, number[], RegExp]> = [
    ['short header', [0x12, 0x34, 0x81], /12-byte header/],
    ['question count past the end', header([2, 0, 0, 0]).concat(question), /truncated packet/],
    ['label past the end', [...header([1, 0, 0, 0]), 9, 0x61], /9-byte label/],
    [
      'rdata past the end',
      [...header([1, 1, 0, 0]), ...question, ...answerHead, 0, 4, 10, 0],
      /4-byte rdata/,
    ],
    [
      'A record of 3 bytes',
      [...header([1, 1, 0, 0]), ...question, ...answerHead, 0, 3, 1, 2, 3],
      /expected 4/,
    ],
    ['pointer to itself', [...header([1, 0, 0, 0]), 0xc0, 12, 0, 1, 0, 1], /compression pointer loop/],
    [
      'two pointers to each other',
      [...header([1, 0, 0, 0]), 0xc0, 14, 0xc0, 12, 0, 1, 0, 1],
      /compression pointer loop/,
    ],
    ['pointer beyond the packet', [...header([1, 0, 0, 0]), 0xc0, 0xff, 0, 1, 0, 1], /truncated packet/],
    ['extended label type', [...header([1, 0, 0, 0]), 0x41, 0, 0, 1, 0, 1], /unsupported label type 0x40/],
    [
      'name over 255 bytes',
      [...header([1, 0, 0, 0]), ...Array.from({ length: 5 }, () => [63, ...Array(63).fill(0x61)]).flat(), 0],
      /longer than 255/,
    ],
    [
      'CNAME name not filling its rdata',
      [...header([1, 1, 0, 0]), ...question, 0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 1, 0, 3, 0xc0, 12, 0],
      /does not fill/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    assert.throws(
      () => decodeMessage(Uint8Array.from(bytes)),
      (err: unknown) => err instanceof DnsWireError && err.code === 'EBADRESP' && message.test(err.message),
      what,
    );
  }
});

test('every truncation of a valid answer is rejected, never misread', () => {
  const packet = encodeMessage({
    id: 9,
    flags: { qr: true },
    questions: [{ name: 'login.lab.test', type: 1, class: IN }],
    answers: [
      { name: 'login.lab.test', type: TYPE.CNAME, class: IN, ttl: 1, data: 'edge.lab.test' },
      { name: 'edge.lab.test', type: TYPE.A, class: IN, ttl: 1, data: '10.9.9.9' },
    ],
  });
  for (let length = 0; length < packet.length; length++) {
    assert.throws(() => decodeMessage(packet.subarray(0, length)), DnsWireError, `first ${length} bytes`);
  }
});

test('names and fields that cannot be encoded are refused with what is accepted', () => {
  assert.throws(
    () => encodeQuery({ id: 1, name: `${'a'.repeat(64)}.test`, type: 'A' }),
    /1 to 63 printable ASCII/,
  );
  assert.throws(() => encodeQuery({ id: 1, name: 'a..test', type: 'A' }), /label "" must be 1 to 63/);
  assert.throws(() => encodeQuery({ id: 1, name: 'has space.test', type: 'A' }), DnsWireError);
  assert.throws(
    () => encodeQuery({ id: 1, name: Array(64).fill('abc').join('.'), type: 'A' }),
    /longer than 255/,
  );
  assert.throws(() => encodeQuery({ id: 70000, name: 'x.test', type: 'A' }), /0 to 65535/);
  const record = (data: string, type: number) => ({ name: 'x.test', type, class: IN, ttl: 1, data });
  assert.throws(
    () => encodeMessage({ id: 1, answers: [record('10.0.0.256', TYPE.A)] }),
    /not an IPv4 address/,
  );
  assert.throws(
    () => encodeMessage({ id: 1, answers: [record('10.0.0.1', TYPE.AAAA)] }),
    /not an IPv6 address/,
  );
  assert.throws(
    () => encodeMessage({ id: 1, answers: [record('text', 16)] }),
    /only accepted for A, AAAA, CNAME/,
  );
  // A trailing root dot is the same name.
  assert.equal(decodeMessage(encodeQuery({ id: 1, name: 'x.test.', type: 'A' })).questions[0].name, 'x.test');
});

test('rcode and type names', () => {
  assert.deepEqual([0, 2, 3, 5, 11].map(rcodeName), [
    'NOERROR',
    'SERVFAIL',
    'NXDOMAIN',
    'REFUSED',
    'RCODE11',
  ]);
  assert.deepEqual([1, 5, 28, 65].map(typeName), ['A', 'CNAME', 'AAAA', 'TYPE65']);
});

test('IPv6 text and bytes agree with RFC 5952', () => {
  const cases: Array<[string, string]> = [
    ['2001:db8::1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['fe80::1:2', 'fe80::1:2'],
  ];
  for (const [input, canonical] of cases) {
    const bytes = ipv6Bytes(input);
    assert.ok(bytes, input);
    assert.equal(formatIpv6(bytes), canonical, input);
  }
  assert.equal(ipv6Bytes('10.0.0.1'), null);
  assert.deepEqual([...(ipv6Bytes('::ffff:1.2.3.4') ?? [])].slice(10), [0xff, 0xff, 1, 2, 3, 4]);
});
