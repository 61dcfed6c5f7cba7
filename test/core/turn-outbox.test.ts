/**
 * The turn outbox (Session.undelivered, issue 16): a turn's effects are committed with the turn,
 * and a process that dies between the commit and the channel leaves them for the next start
 * (Engine.resumeInterrupted), which delivers only what had not gone out. "Dying" here is a send
 * that never returns: the first engine is simply abandoned, as a SIGKILL would abandon it;
 * test/faults/kill-many.test.ts does it with real kills.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDirectLineChannel } from '../../bot/channels/directline/channel.ts';
import type { OutboundView, Session } from '../../bot/core/types.ts';
import { silentLogger } from '../../bot/log.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import { chat, FakeChannel } from './fake-channel.ts';

/** A channel that stops answering (the process "dies") at its `dieAt`-th send. */
class DyingChannel extends FakeChannel {
  sends = 0;
  readonly keys: (string | undefined)[] = [];
  readonly dieAt: number;
  constructor(dieAt: number) {
    super();
    this.dieAt = dieAt;
  }
  override async send(session: Session, view: OutboundView, key?: string): Promise<string> {
    this.keys.push(key);
    if (++this.sends === this.dieAt) return new Promise(() => {});
    return super.send(session, view);
  }
}

test('killed after the card went out: the next start sends only the notice, once', async () => {
  const store = createMemoryStore<Session>({ now: () => 0 });
  const dying = new DyingChannel(2);
  const first = chat({ store, port: dying });
  void first.say('Teams says CAA20004'); // never settles: the notice's send hangs
  await waitFor(() => dying.sends === 2);
  const [left] = await store.sessions.listUndelivered!();
  assert.equal(left?.undelivered?.next, 1, 'the card is recorded as sent, the notice is not');
  assert.equal(dying.log.length, 1);

  const port = new FakeChannel();
  const second = chat({ store, port });
  assert.equal(await second.engine.resumeInterrupted(), 1);
  assert.deepEqual(
    port.log.map((l) => [l.op, l.view.screen]),
    [['send', 'notice']],
    'only what had not gone out',
  );
  assert.equal((await store.sessions.listUndelivered!()).length, 0, 'the outbox is empty now');
  assert.equal(await second.engine.resumeInterrupted(), 0, 'a second start resumes nothing');
  assert.equal(port.log.length, 1);
});

test('killed between a send and its bookkeeping: the resumed send carries the same key', async () => {
  const store = createMemoryStore<Session>({ now: () => 0 });
  const dying = new DyingChannel(1);
  const first = chat({ store, port: dying });
  void first.say('Teams says CAA20004');
  await waitFor(() => dying.sends === 1);
  const again = new DyingChannel(0);
  const second = chat({ store, port: again });
  await second.engine.resumeInterrupted();
  assert.ok(dying.keys[0], 'a turn outbox send is keyed');
  assert.equal(again.keys[0], dying.keys[0], 'the same send, the same key: a channel that can dedupe does');
  assert.equal(again.log.length, 2, 'the card and the notice');
});

test('a turn that delivered everything leaves no outbox behind', async () => {
  const store = createMemoryStore<Session>({ now: () => 0 });
  const c = chat({ store });
  await c.say('Teams says CAA20004');
  assert.equal((await store.sessions.listUndelivered!()).length, 0);
});

test('the web chat answers a second send with the same key with the first id, and appends nothing', async () => {
  const store = createMemoryStore();
  const channel = createDirectLineChannel({
    store: store.directline,
    secret: 'x'.repeat(32),
    onActivity: async () => {},
    log: silentLogger,
  });
  await store.directline.createConversation({ id: 'conv1', data: {} });
  const a = await channel.port.send('conv1', { type: 'message', text: 'hi' }, 'turn@2:0');
  const b = await channel.port.send('conv1', { type: 'message', text: 'hi' }, 'turn@2:0');
  const c = await channel.port.send('conv1', { type: 'message', text: 'hi' }, 'turn@2:1');
  assert.equal(a, b);
  assert.notEqual(a, c);
  const unkeyed = await channel.port.send('conv1', { type: 'message', text: 'hi' });
  assert.notEqual(unkeyed, a);
  const stored = await store.directline.list('conv1');
  assert.equal(stored.activities.length, 3);
});

/** Waits (on the event loop, no timer) until `ready` holds; the engine's work is all promises. */
async function waitFor(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !ready(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(ready(), 'the engine got there');
}
