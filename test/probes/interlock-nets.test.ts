/**
 * The interlock's lab nets: IPv4 and IPv6 namespace ranges are honoured only inside a closed
 * namespace, and everything else is refused, so no test can reach past its own lab.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createInterlock, InterlockError } from '../../probes/interlock.ts';

const closed = { enabled: true, labNets: ['10.213.7.0/24', 'fd00:213:7::/64'], hasDefaultRoute: () => false };

test('addresses inside an IPv4 or IPv6 lab net pass; their neighbours are refused', () => {
  const interlock = createInterlock(closed);
  for (const ok of [
    '10.213.7.1',
    '10.213.7.254',
    'fd00:213:7::1',
    'FD00:213:7:0:ffff::2',
    '::1',
    '127.0.0.9',
  ])
    assert.doesNotThrow(() => interlock.check(ok), ok);
  for (const no of ['10.213.8.1', 'fd00:213:8::1', 'fd00:213:7:1::1', '2603:1063::1', '20.190.128.1', '::'])
    assert.throws(() => interlock.check(no), InterlockError, no);
});

test('lab nets count for nothing where the namespace has a default route', () => {
  const interlock = createInterlock({ ...closed, hasDefaultRoute: () => true });
  assert.throws(() => interlock.check('fd00:213:7::1'), InterlockError);
  assert.throws(() => interlock.check('10.213.7.1'), InterlockError);
});

test('a lab net that is too wide or not a CIDR is refused at start, naming what is accepted', () => {
  for (const bad of ['10.0.0.0/7', 'fd00::/47', '2603:1063::/38', 'fd00::g/64', '10.213.7.0/33']) {
    assert.throws(
      () => createInterlock({ ...closed, labNets: [bad] }),
      /IPv4 CIDR with a prefix of \/8 to \/32 or an IPv6 one of \/48 to \/128/,
      bad,
    );
  }
});
