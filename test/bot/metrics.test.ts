/**
 * The observation hooks on their own: the store wrapper (errors by area and operation, failed
 * pairing redeems, outbox attempts; every call passes through unchanged) and the turn wrapper
 * (an outcome counted once per conversation, abandonment after a day of silence, re-checks per
 * step, a failed turn still counted), read back from the exposition text.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CoreEvent, Session } from '../../bot/core/types.ts';
import { silentLogger } from '../../bot/log.ts';
import { currentLogContext } from '../../bot/log-context.ts';
import { createMetrics, type Metrics } from '../../bot/metrics.ts';
import { observeStore } from '../../bot/observe-store.ts';
import { ABANDONED_AFTER_MS, observeTurns } from '../../bot/observe-turn.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';

const metricsOnly = () => createMetrics({ processMetrics: false });
async function value(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const found = (metric?.values ?? []).find((v) =>
    Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l),
  );
  return found?.value ?? 0;
}

describe('the store wrapper', () => {
  test('counts failed operations, failed redeems and outbox results, and passes every call through', async () => {
    const metrics = metricsOnly();
    const store = observeStore(createMemoryStore<Session>(), metrics);
    await store.directline.createConversation({ id: 'c1' });
    await assert.rejects(store.directline.createConversation({ id: 'c1' }));
    assert.equal(
      await value(metrics, 'reconnect_store_errors_total', {
        area: 'directline',
        operation: 'createConversation',
      }),
      1,
    );
    assert.equal((await store.directline.getConversation('c1'))?.id, 'c1', 'results pass through');

    await store.pairing.put({ code: 'ABCDEFGHJK', sessionId: 's1', ttlMs: 60_000 });
    assert.equal((await store.pairing.redeem('ABCDEFGHJK')).ok, true);
    assert.equal((await store.pairing.redeem('ABCDEFGHJK')).ok, false);
    assert.equal((await store.pairing.redeem('ZZZZZZZZZZ')).ok, false);
    assert.equal(await value(metrics, 'reconnect_pairing_failures_total', { reason: 'redeemed' }), 1);
    assert.equal(await value(metrics, 'reconnect_pairing_failures_total', { reason: 'unknown' }), 1);

    await store.outbox.add({ key: 'k1', topic: 'user.notice', payload: {} });
    const [claimed] = await store.outbox.claim({ limit: 1, leaseMs: 1000 });
    await store.outbox.settle(claimed.key, {
      status: 'pending',
      nextAttemptAt: 0,
      error: { message: 'busy', status: 503 },
    });
    assert.equal(await value(metrics, 'reconnect_outbox_attempts_total', { result: 'retry' }), 1);
    await store.outbox.settle('k1', { status: 'delivered' });
    assert.equal(await value(metrics, 'reconnect_outbox_attempts_total', { result: 'delivered' }), 1);
    await store.checkWritable();
  });
});

const AT = Date.parse('2026-12-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function session(over: Partial<Session> = {}): Session {
  return {
    id: 's1',
    version: 1,
    viewVersion: 1,
    conversationKey: 'webchat:c1',
    channel: 'webchat',
    conversation: { id: 'c1' },
    user: { id: 'u1' },
    state: 'step',
    hints: [],
    probes: [],
    findings: [],
    plan: [],
    stepIndex: 0,
    recentEvents: [],
    timeline: [],
    createdAt: iso(AT),
    updatedAt: iso(AT),
    ...over,
  };
}

const event = (id: string, at = AT): CoreEvent => ({
  id,
  kind: 'message',
  text: 'hello',
  conversationKey: 'webchat:c1',
  channel: 'webchat',
  conversation: { id: 'c1' },
  actor: { id: 'u1', role: 'user' },
  at: iso(at),
});

/** A turn whose "engine" loads `before` through the wrapped store and answers with `after`. */
async function turn(metrics: Metrics, before: Session, after: Session, e: CoreEvent) {
  const raw = createMemoryStore<Session>();
  await raw.sessions.create(before);
  const store = observeStore(raw, metrics);
  const handle = observeTurns({ metrics, log: silentLogger }, async () => {
    await store.sessions.findByConversation(before.conversationKey);
    assert.equal(currentLogContext()?.caseId, before.id, 'the case joins the turn once it loads');
    return { outcome: 'applied', session: after, effects: [], failures: [] };
  });
  return handle(e);
}

describe('the turn wrapper', () => {
  test('an outcome is counted when a conversation ends, not again on the next turn of an ended one', async () => {
    const metrics = metricsOnly();
    await turn(metrics, session(), session({ state: 'resolved' }), event('e1'));
    await turn(metrics, session({ state: 'resolved' }), session({ state: 'resolved' }), event('e2'));
    await turn(metrics, session(), session({ state: 'escalated' }), event('e3'));
    assert.equal(await value(metrics, 'reconnect_conversations_total', { outcome: 'resolved' }), 1);
    assert.equal(await value(metrics, 'reconnect_conversations_total', { outcome: 'escalated' }), 1);
    assert.equal(
      await value(metrics, 'reconnect_turns_total', {
        channel: 'webchat',
        kind: 'message',
        outcome: 'applied',
      }),
      3,
    );
  });

  test('an open case heard from after a day of silence was abandoned; one heard from sooner was not', async () => {
    const metrics = metricsOnly();
    await turn(metrics, session(), session(), event('soon', AT + ABANDONED_AFTER_MS - 1));
    assert.equal(await value(metrics, 'reconnect_conversations_total', { outcome: 'abandoned' }), 0);
    await turn(metrics, session(), session(), event('late', AT + ABANDONED_AFTER_MS + 1));
    assert.equal(await value(metrics, 'reconnect_conversations_total', { outcome: 'abandoned' }), 1);
  });

  test('findings new to the case and every re-check of a step are counted; unchanged ones are not', async () => {
    const metrics = metricsOnly();
    const finding = {
      id: 'dns.hijacked',
      severity: 'blocking',
      summary: '',
      evidence: [],
      facts: {},
    } as never;
    const checked = (status: 'failed' | 'verified', at: number) => ({
      stepId: 'flush-dns',
      status,
      checkedAt: iso(at),
    });
    await turn(
      metrics,
      session(),
      session({ findings: [finding], plan: [checked('failed', AT)] }),
      event('a'),
    );
    const before = session({ findings: [finding], plan: [checked('failed', AT)] });
    await turn(metrics, before, before, event('b'));
    await turn(
      metrics,
      before,
      session({ findings: [finding], plan: [checked('failed', AT + 1)] }),
      event('c'),
    );
    await turn(
      metrics,
      before,
      session({ findings: [finding], plan: [checked('verified', AT + 2)] }),
      event('d'),
    );
    assert.equal(await value(metrics, 'reconnect_findings_total', { finding: 'dns.hijacked' }), 1);
    assert.equal(await value(metrics, 'reconnect_steps_total', { step: 'flush-dns', status: 'failed' }), 2);
    assert.equal(await value(metrics, 'reconnect_steps_total', { step: 'flush-dns', status: 'verified' }), 1);
  });

  test('a turn that throws is counted as an error and the error reaches the caller', async () => {
    const metrics = metricsOnly();
    const handle = observeTurns({ metrics, log: silentLogger }, async () => {
      throw new Error('store down');
    });
    await assert.rejects(handle(event('x')), /store down/);
    assert.equal(await value(metrics, 'reconnect_turns_total', { outcome: 'error' }), 1);
  });
});
