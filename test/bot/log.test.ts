/**
 * The logger (pino underneath, bot/log.ts's interface kept): one JSON line per call in the
 * documented order, the running turn's ids added (a call site's own fields win), and what must
 * never be logged replaced: credential-named fields, message text, token shapes inside strings
 * and error messages.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../bot/log.ts';
import { withLogContext } from '../../bot/log-context.ts';

function collect() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, log: createLogger(stream, () => Date.parse('2026-12-01T10:00:00.000Z')) };
}

test('one JSON line per call: level, time, msg, then the fields, then the ids of the running turn', () => {
  const { lines, log } = collect();
  log.info('stopping', { signal: 'SIGTERM' });
  withLogContext({ turnId: 't-1', caseId: 'case-1' }, () =>
    withLogContext({ jobId: 'job-1' }, () => log.warn('agent job lost', { jobId: 'job-given', why: 'gone' })),
  );
  assert.equal(
    lines[0],
    '{"level":"info","time":"2026-12-01T10:00:00.000Z","msg":"stopping","signal":"SIGTERM"}',
  );
  assert.deepEqual(JSON.parse(lines[1]), {
    level: 'warn',
    time: '2026-12-01T10:00:00.000Z',
    msg: 'agent job lost',
    jobId: 'job-given',
    why: 'gone',
    turnId: 't-1',
    caseId: 'case-1',
  });
  log.error('outside', {});
  assert.equal(JSON.parse(lines[2]).turnId, undefined, 'no ids outside a turn');
});

test('secrets, tokens and what people typed are replaced, at any depth and inside strings and errors', () => {
  const { lines, log } = collect();
  log.error('request failed', {
    token: 'T0KEN-1',
    headers: { Authorization: 'Bearer abc.def', cookie: 'sid=C00KIE' },
    slack: { botToken: 'xoxb-1-2', signingSecret: 'S1GN' },
    config: { MicrosoftAppPassword: 'PASSW0RD', DIRECTLINE_SECRET: 'DLS3CRET' },
    activity: { type: 'message', text: 'my password is hunter2' },
    symptom: 'Teams says CAA20004 at home',
    list: [{ pairingCode: '7K3M9QXT4H' }],
    detail: 'upstream said: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig and xapp-1-A0',
    error: new Error('401 for xoxb-123-456 with Basic dXNlcjpwYXNz'),
  });
  const line = lines[0];
  for (const secret of [
    'T0KEN-1',
    'abc.def',
    'C00KIE',
    'xoxb-',
    'S1GN',
    'PASSW0RD',
    'DLS3CRET',
    'hunter2',
    'CAA20004 at home',
    '7K3M9QXT4H',
    'eyJhbGciOiJIUzI1NiJ9',
    'xapp-1',
    'dXNlcjpwYXNz',
  ])
    assert.equal(line.includes(secret), false, `${secret} in ${line}`);
  const parsed = JSON.parse(line);
  assert.equal(parsed.activity.type, 'message', 'what is not secret stays');
  assert.equal(parsed.activity.text, '[redacted]');
  assert.match(parsed.error.message, /^401 for \[redacted\] with \[redacted\]$/);
  assert.match(parsed.error.stack, /^Error: 401 for \[redacted\]/);
});
