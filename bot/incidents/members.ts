/**
 * A case's report, as the incidents see it (after the core took it in): a member of a resolved
 * incident whose computer was asked to check again records whether the fix is verified there;
 * any other report with a problem is correlated, and when that opens an incident or joins one,
 * the support thread and the users hear of it.
 */

import type { Session } from '../core/types.ts';
import { caseRef } from '../core/views.ts';
import { incidentCard, incidentHandoff, incidentRef, incidentUserWords, incidentWords } from './card.ts';
import { egressOf, type IncidentContext } from './context.ts';
import { correlate } from './correlate.ts';
import { fingerprint, rootCause } from './fingerprint.ts';
import type { PlannedPost } from './thread.ts';
import type { IncidentDoc, IncidentMember } from './types.ts';

/** A report from `session` (agent, result code or pasted output) that the core applied. */
export async function onReport(ctx: IncidentContext, session: Session, reportId: string): Promise<void> {
  const member = await ctx.store.incidents.member(session.id);
  if (member?.recheck && member.verified !== true) {
    const doc = await ctx.store.incidents.get(member.incidentId);
    if (doc?.state === 'resolved') return verify(ctx, session, member, doc, reportId);
  }
  const fp = fingerprint(session, await egressOf(ctx, session));
  if (!fp) return;
  const at = ctx.now();
  const result = await correlate(
    ctx.store.incidents,
    { sessionId: session.id, label: caseRef(session), at, fingerprint: fp },
    ctx.settings,
    ctx.newId,
  );
  if (result.kind === 'opened') await opened(ctx, result.doc, session);
  else if (result.kind === 'joined') await joined(ctx, result.doc, session, at);
}

/** The group just passed the threshold: its card, the hand-off, a line per case so far; every member told. */
async function opened(ctx: IncidentContext, doc: IncidentDoc, opener: Session): Promise<void> {
  ctx.metrics?.incidentOpened(doc.cause, Math.max(0, ((doc.openedAt ?? doc.firstAt) - doc.firstAt) / 1000));
  const target = await ctx.relay.registry.current();
  const base = `incident:${doc.id}`;
  const sessions = new Map<string, Session>();
  for (const c of doc.candidates) {
    const s = c.sessionId === opener.id ? opener : await ctx.store.sessions.get(c.sessionId);
    if (s) sessions.set(c.sessionId, s);
  }
  const saved = await ctx.thread.write(
    doc.id,
    (redactor, d): PlannedPost[] => [
      { key: `${base}:card`, message: incidentCard(d, redactor), root: true },
      { key: `${base}:handoff`, message: incidentHandoff(opener, redactor) },
      ...d.candidates.map((c, i) => ({
        key: `${base}:joined:${c.sessionId}`,
        message: {
          kind: 'text' as const,
          text: redactor.text(incidentWords.joined({ label: caseRef({ id: c.sessionId }) }, i + 1, c.at)),
        },
      })),
    ],
    (d) => (d.support || !target ? undefined : { ...d, support: { ...target } }),
  );
  ctx.log.info('incident opened', { incidentId: doc.id, cause: doc.cause, members: doc.members });
  for (const s of sessions.values()) await tell(ctx, saved ?? doc, s);
}

/** A case joined an open incident: one line and the card's count, not a card of its own. */
async function joined(ctx: IncidentContext, doc: IncidentDoc, session: Session, at: number): Promise<void> {
  await ctx.thread.line(
    doc.id,
    `incident:${doc.id}:joined:${session.id}`,
    incidentWords.joined({ label: caseRef(session) }, doc.members, at),
  );
  await tell(ctx, doc, session);
}

/** The user hears that IT knows; an escalated case's own thread links to the incident instead of repeating it. */
async function tell(ctx: IncidentContext, doc: IncidentDoc, session: Session): Promise<void> {
  await ctx.thread.toUser(session.id, incidentUserWords.joined, `incident:${doc.id}:told:${session.id}`);
  const record = await ctx.relay.cases.get(session.id);
  if (record?.data.support?.threadId && record.status !== 'closed')
    await ctx.relay.poster.note(
      session,
      `incident:${doc.id}:link:${session.id}`,
      incidentWords.linked(incidentRef(doc)),
    );
}

/** After a resolve: does the report from this computer still show the cause? */
async function verify(
  ctx: IncidentContext,
  session: Session,
  member: IncidentMember,
  doc: IncidentDoc,
  reportId: string,
): Promise<void> {
  const cause = rootCause(session.findings);
  const stillFailing = session.findings.some(
    (f) => f.id === doc.cause && (f.severity === 'blocking' || f.severity === 'degraded'),
  );
  const verified = !stillFailing && session.report?.verdict !== 'inconclusive';
  await ctx.store.incidents.putMember({ ...member, verified });
  const count = (await ctx.store.incidents.members(doc.id)).filter((m) => m.verified === true).length;
  const key = `incident:${doc.id}:verify:${session.id}:${reportId}`;
  await ctx.thread.line(
    doc.id,
    key,
    verified
      ? incidentWords.verified(member, { ...doc, verified: count })
      : incidentWords.stillFailing(member, cause?.id ?? 'an unclear result'),
    (d) => ({ ...d, verified: count }),
  );
  await ctx.thread.toUser(
    session.id,
    verified ? incidentUserWords.verified : incidentUserWords.stillFailing,
    `${key}:user`,
  );
}
