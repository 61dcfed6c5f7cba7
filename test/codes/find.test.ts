import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findErrorCodes } from '../../probes/codes/index.ts';

const codes = (text: string) => findErrorCodes(text).map((f) => f.code);

describe('findErrorCodes', () => {
  const forms: Array<[string, string, string]> = [
    ['caa20004', 'CAA20004', 'caa20004'],
    ['0xCAA70004', 'CAA70004', '0xCAA70004'],
    ['error 80080300', '80080300', '80080300'],
    ['CAA 20004', 'CAA20004', 'CAA 20004'],
    ['CAA-20004', 'CAA20004', 'CAA-20004'],
    ['0x80080300', '80080300', '0x80080300'],
    ['Error code: 0xcaa82ee2.', 'CAA82EE2', '0xcaa82ee2'],
    ['(CAA2000b)', 'CAA2000B', 'CAA2000b'],
  ];
  for (const [text, code, raw] of forms) {
    test(`finds ${JSON.stringify(text)}`, () => {
      const found = findErrorCodes(text);
      assert.equal(found.length, 1);
      assert.equal(found[0].code, code);
      assert.equal(found[0].raw, raw);
      assert.equal(found[0].entry?.code, code);
    });
  }

  test('finds codes inside sentences, several in one message, in order, each once', () => {
    const text =
      "Teams says We weren't able to connect (caa20004). Yesterday it was 0xCAA82EE7, then CAA 20004 again and error 80080300.";
    assert.deepEqual(codes(text), ['CAA20004', 'CAA82EE7', '80080300']);
  });

  test('a CAA-family code the catalog does not list is still found, without an entry', () => {
    const [found] = findErrorCodes('now it shows CAA5001C');
    assert.equal(found.code, 'CAA5001C');
    assert.equal(found.entry, undefined);
  });

  test('the signed decimal form of a known code, as event logs print it', () => {
    assert.deepEqual(codes('Event 1098: Error: -894947614 (ERROR_ADAL_INTERNET_TIMEOUT)'), ['CAA82EE2']);
    assert.deepEqual(codes('value -123456789 in a log'), []);
  });

  const noise = [
    'Call me on +1 800 803 0300 or 800-803-0300',
    'my number is +49 30 80080300',
    'ring 0800 80080300 12',
    'tel. 08008030012',
    'On 2024-01-15 (20240115) at 10:30 it failed',
    'order 123456789012345678 shipped',
    'serial 12345678 and 0x12345678',
    'ip 10.80.80.30 and 192.168.0.1',
    'device id 80080300-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    'the abbreviation CAA is a DNS record type: CAA 0 issue "letsencrypt.org"',
    'codeCAA20004 and CAA20004x are not codes',
    'CAA2000 is too short and CAA200045 is too long',
    '3.14159265 and -0.894947614',
  ];
  for (const text of noise) {
    test(`no false positive in ${JSON.stringify(text)}`, () => {
      assert.deepEqual(codes(text), []);
    });
  }

  test('empty text finds nothing', () => {
    assert.deepEqual(findErrorCodes(''), []);
  });
});
