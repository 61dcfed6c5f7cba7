/**
 * The fuzz suite on the agent gateway (issue 16): every message type of the protocol (hello,
 * pong, progress, result, consent), mutated from its valid shape, as the first messages of a
 * connection, plus binary frames. Properties: the gateway answers only with its own close codes
 * (never 1011, an internal error), nothing escapes, and /healthz answers after the run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { AGENTS_PATH, CLOSE } from '../../probes/agent/protocol.ts';
import { FUZZ_SEED, type FuzzBot, startFuzzBot } from './harness.ts';
import { mutatedJson } from './inputs.ts';

let f: FuzzBot;
before(async () => {
  f = await startFuzzBot();
});
after(async () => f?.close());

const device = { name: 'PC', os: 'linux', osVersion: '6.8', agentVersion: '0.1.0' };
const MESSAGES = [
  { v: 1, type: 'hello', code: '7K3M9-QXT4H', device },
  { v: 1, type: 'hello', agentId: 'ag-x', secret: 's'.repeat(43), device, running: ['j-1'] },
  { v: 1, type: 'pong' },
  { v: 1, type: 'progress', jobId: 'j-1', event: { done: 1, total: 2, probe: 'dns' } },
  { v: 1, type: 'result', jobId: 'j-1', report: { schema: 'reconnect.report/v1', probes: [], findings: [] } },
  { v: 1, type: 'consent', jobId: 'j-1', granted: true },
];
/** What the gateway may close with: its own codes, policy, too big, try later, normal. */
const EXPECTED = new Set([...Object.values(CLOSE), 1000, 1005, 1008, 1009, 1013]);

/** Opens a connection, sends `frames`, and resolves with the close code (or 0 if still open after a pong round). */
async function exchange(frames: (string | Buffer)[]): Promise<number> {
  const ws = new WebSocket(f.url.replace('http', 'ws') + AGENTS_PATH);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  for (const frame of frames) ws.send(frame);
  // A hello that is still being checked: wait for its answer or the close, then leave.
  const answered = new Promise<void>((resolve) => ws.once('message', () => resolve()));
  const code = await Promise.race([closed, answered.then(() => 0)]);
  ws.terminate();
  return code;
}

test('gateway: mutated protocol messages and binary frames', async () => {
  const frame = fc.oneof(
    ...MESSAGES.map((m) => mutatedJson(m)),
    fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
    fc.string(),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 4 }), async (frames) => {
      const code = await exchange(frames);
      assert.ok(code === 0 || EXPECTED.has(code), `closed with ${code}`);
    }),
    { numRuns: 120, seed: FUZZ_SEED },
  );
  assert.deepEqual(f.escaped, []);
  assert.equal((await f.send({ method: 'GET', path: '/healthz' })).status, 200);
});
