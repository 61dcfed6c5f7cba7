/**
 * One wrapper around the bot's event entry point (bot/app.ts `handle`): every event, from every
 * channel and from the agent gateway, runs inside a log context with its correlation ids (the
 * event's id as the turn, the session as the case, the agent job), and its result feeds the
 * metrics: turns and latency per channel, conversations that ended, findings newly named, steps
 * re-checked. The state before the turn comes from the session the engine loaded (the store
 * wrapper reports each load), so observing costs no extra read.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { InboundEvent, Session, SessionState } from './core/types.ts';
import type { Logger } from './log.ts';
import { addToLogContext, withLogContext } from './log-context.ts';
import type { Metrics } from './metrics.ts';
import type { VersionedDoc } from './store/types.ts';

/** What a turn needs to remember of a session as it was loaded. */
interface Before {
  state: SessionState;
  updatedAt: string;
  findings: Set<string>;
  checkedAt: Map<string, string | undefined>;
}

const loadedInTurn = new AsyncLocalStorage<Map<string, Before>>();

/** An open case silent for this long, then heard from again, counts as abandoned once. */
export const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;

const ENDED: ReadonlySet<SessionState> = new Set(['resolved', 'escalated']);

/** Called by the store wrapper for every session read: the first read in a turn is "before". */
export function sessionLoaded(doc: VersionedDoc): void {
  const loaded = loadedInTurn.getStore();
  if (!loaded || loaded.has(doc.id)) return;
  const s = doc as unknown as Session;
  if (!Array.isArray(s.findings) || !Array.isArray(s.plan)) return;
  loaded.set(s.id, {
    state: s.state,
    updatedAt: s.updatedAt,
    findings: new Set(s.findings.map((f) => f.id)),
    checkedAt: new Map(s.plan.map((p) => [p.stepId, p.checkedAt])),
  });
  if (loaded.size === 1) addToLogContext({ caseId: s.id });
}

/** The agent job an event belongs to: its own field, or the gateway's `agent-job:<id>` event id (a report). */
function jobOf(event: InboundEvent): string | undefined {
  if ('jobId' in event && typeof event.jobId === 'string') return event.jobId;
  return /^agent-job:(.+)$/.exec(event.id)?.[1];
}

/** Wraps `handle` so each event is correlated in the logs and counted in the metrics. */
export function observeTurns<R extends { outcome: string }>(
  deps: { metrics: Metrics; log: Logger; now?: () => number },
  handle: (event: InboundEvent) => Promise<R>,
): (event: InboundEvent) => Promise<R> {
  const now = deps.now ?? (() => performance.now());
  return (event) => {
    const jobId = jobOf(event);
    const ids = {
      turnId: event.id,
      ...(event.kind === 'action' ? { caseId: event.data.sessionId } : {}),
      ...(jobId ? { jobId } : {}),
    };
    const loaded = new Map<string, Before>();
    return withLogContext(ids, () =>
      loadedInTurn.run(loaded, async () => {
        const started = now();
        const labels = { channel: event.channel, kind: event.kind };
        let outcome = 'error';
        try {
          const result = await handle(event);
          outcome = result.outcome;
          const session = (result as { session?: Session }).session;
          if (session) observeSession(deps.metrics, event, loaded.get(session.id), session);
          return result;
        } finally {
          const seconds = (now() - started) / 1000;
          deps.metrics.turn({ ...labels, outcome }, seconds);
          deps.log.info('turn', { ...labels, outcome, ms: Math.round(seconds * 1000) });
        }
      }),
    );
  };
}

function observeSession(
  metrics: Metrics,
  event: InboundEvent,
  before: Before | undefined,
  after: Session,
): void {
  const wasOpen = before === undefined || !ENDED.has(before.state);
  if (wasOpen && ENDED.has(after.state)) metrics.conversation(after.state as 'resolved' | 'escalated');
  if (
    before &&
    !ENDED.has(before.state) &&
    Date.parse(event.at) - Date.parse(before.updatedAt) > ABANDONED_AFTER_MS
  )
    metrics.conversation('abandoned');
  for (const finding of after.findings ?? [])
    if (!before?.findings.has(finding.id)) metrics.finding(finding.id);
  for (const entry of after.plan ?? []) {
    if (entry.status !== 'verified' && entry.status !== 'failed') continue;
    if (entry.checkedAt !== undefined && entry.checkedAt !== before?.checkedAt.get(entry.stepId))
      metrics.step(entry.stepId, entry.status);
  }
}
