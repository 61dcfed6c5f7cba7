/**
 * Which buttons a screen shows, decided once from the view's state, and the one parser of what a
 * clicked button sends back. Renderers only lay the buttons out.
 */
import { OS_LABEL, WHERE_LABEL } from './format.ts';
import { type ActionData, type OsName, VERBS, type Verb, type View, type Where } from './views.ts';

export interface Button {
  label: string;
  data: ActionData;
  /** At most one primary button per screen: the thing to do next. */
  style?: 'primary' | 'danger';
  /** Buttons of one group are laid out together (intake has three groups). */
  group: 'main' | 'os' | 'where' | 'code';
  /** The word a text-only client types instead of clicking (see matchReply). */
  reply: string;
}

/** A link, not a bot action: opens in the browser. */
export interface Link {
  label: string;
  url: string;
}

type Draft = Omit<Button, 'data' | 'group'> & { verb: Verb; group?: Button['group']; value?: string };

function build(view: View, drafts: Draft[], stepId?: string): Button[] {
  return drafts.map(({ verb, value, group, ...rest }) => ({
    ...rest,
    group: group ?? 'main',
    data: {
      verb,
      sessionId: view.sessionId,
      version: view.version,
      ...(stepId !== undefined ? { stepId } : {}),
      ...(value !== undefined ? { value } : {}),
    },
  }));
}

const ESCALATE: Draft = { verb: 'case.escalate', label: 'Escalate', reply: 'escalate' };
const WATCH: Draft = { verb: 'watch.start', label: 'Keep checking while I try to sign in', reply: 'watch' };

/** The watch button where the view offers it (a paired agent), else nothing. */
const watchOffer = (view: { canWatch?: boolean }): Draft[] => (view.canWatch ? [WATCH] : []);

function drafts(view: View): Draft[] {
  switch (view.screen) {
    case 'intake':
      return [
        ...(Object.keys(OS_LABEL) as OsName[]).map((os) => ({
          verb: 'intake.os' as const,
          group: 'os' as const,
          value: os,
          label: `${view.os === os ? '✓ ' : ''}${OS_LABEL[os]}`,
          reply: os,
        })),
        ...(Object.keys(WHERE_LABEL) as Where[]).map((where) => ({
          verb: 'intake.where' as const,
          group: 'where' as const,
          value: where,
          label: `${view.where === where ? '✓ ' : ''}${WHERE_LABEL[where]}`,
          reply: where,
        })),
        ...(view.errorCode ? [] : (view.symptoms ?? [])).map((s) => ({
          verb: 'intake.code' as const,
          group: 'code' as const,
          value: `symptom:${s.key}`,
          label: `${view.symptomKey === s.key ? '✓ ' : ''}${s.label}`,
          reply: s.key,
        })),
        ...(view.errorCode ? [] : (view.suggestedCodes ?? [])).map((code) => ({
          verb: 'intake.code' as const,
          group: 'code' as const,
          value: code,
          label: code,
          reply: code.toLowerCase(),
        })),
      ];
    case 'pairing':
      if (view.pairedDevice)
        return [
          { verb: 'pairing.confirm', label: 'Yes, that is my computer', style: 'primary', reply: 'yes' },
          { verb: 'pairing.reject', label: 'No, not mine', style: 'danger', reply: 'no' },
        ];
      return [
        ...(view.expired || view.agentLost
          ? [
              {
                verb: 'pairing.renew' as const,
                label: 'Get a new code',
                style: 'primary' as const,
                reply: 'new code',
              },
            ]
          : []),
        {
          verb: 'pairing.manual',
          label: view.agentLost ? 'Continue manually' : 'No computer access? Continue manually',
          reply: 'manual',
        },
      ];
    case 'escalated':
      // No dead end after an escalation (issue 14): the person can still say it works, or try again.
      return [
        { verb: 'case.resolve', label: 'Teams works now', reply: 'works' },
        { verb: 'case.reopen', label: 'Try the steps again', reply: 'reopen' },
      ];
    case 'progress':
      return view.watch && !view.watch.stopping ? [{ verb: 'watch.stop', label: 'Stop', reply: 'stop' }] : [];
    case 'handoff':
      if (!view.copy) return [];
      // The web chat page copies the text carried in `value`; elsewhere the bot sends it as a message.
      return view.copy.how === 'clipboard'
        ? [
            {
              verb: 'handoff.copy',
              label: 'Copy text',
              style: 'primary',
              value: view.copy.text,
              reply: 'copy',
            },
          ]
        : [{ verb: 'handoff.copy', label: 'Send as text to copy', style: 'primary', reply: 'copy' }];
    case 'findings':
      if (view.stepCount > 0)
        return [
          { verb: 'plan.start', label: 'Show me the fix', style: 'primary', reply: 'fix' },
          ...watchOffer(view),
          ESCALATE,
        ];
      if (view.verdict === 'healthy')
        return [
          { verb: 'case.resolve', label: 'Teams works now', style: 'primary', reply: 'works' },
          ...watchOffer(view),
          { ...ESCALATE, label: 'Still cannot sign in' },
        ];
      return [{ ...ESCALATE, style: 'primary' }, ...watchOffer(view)];
    case 'step':
      return stepDrafts(view);
    case 'resolved':
      return [{ verb: 'case.reopen', label: 'It broke again', reply: 'reopen' }];
    case 'escalation':
      if (view.state === 'resolved') return [{ verb: 'case.reopen', label: 'Reopen', reply: 'reopen' }];
      return [
        ...(view.state === 'open'
          ? [
              {
                verb: 'case.take' as const,
                label: view.incident ? 'Take incident' : 'Take case',
                style: 'primary' as const,
                reply: 'take',
              },
            ]
          : []),
        {
          verb: 'case.rerun',
          label: view.incident ? 'Re-check every computer' : 'Re-run checks',
          reply: 'rerun',
        },
        { verb: 'case.resolve', label: 'Resolve', reply: 'resolve' },
      ];
  }
}

function stepDrafts(view: Extract<View, { screen: 'step' }>): Draft[] {
  switch (view.status) {
    case 'checking':
      // A way out while waiting (issue 14): the check never holds the person hostage.
      return [{ verb: 'step.skip', label: 'Skip', reply: 'skip' }, ESCALATE];
    case 'verified':
    case 'skipped':
      return view.index < view.total
        ? [{ verb: 'step.next', label: 'Next step', style: 'primary', reply: 'next' }]
        : [];
    case 'pending':
    case 'failed':
      if (view.answers && view.answers.length > 0)
        return [
          ...view.answers.map((a, i) => ({
            verb: 'step.next' as const,
            label: a.label,
            value: a.value,
            reply: a.label.toLowerCase(),
            ...(i === 0 ? { style: 'primary' as const } : {}),
          })),
          { verb: 'step.skip', label: 'Skip', reply: 'skip' },
          ESCALATE,
        ];
      return [
        { verb: 'step.recheck', label: 'Done — check again', style: 'primary', reply: 'check' },
        { verb: 'step.failed', label: 'Still failing', reply: 'failing' },
        ...(view.who === 'admin'
          ? [{ verb: 'handoff.show' as const, label: 'Text for my IT admin', reply: 'admin' }]
          : []),
        ...watchOffer(view),
        { verb: 'step.skip', label: 'Skip', reply: 'skip' },
        ESCALATE,
      ];
  }
}

/** The buttons `view` shows, each carrying {verb, sessionId, version, stepId?, value?}. */
export function buttonsFor(view: View): Button[] {
  return build(view, drafts(view), view.screen === 'step' ? view.stepId : undefined);
}

/** Links (opened in the browser, not sent to the bot) that `view` shows. */
export function linksFor(view: View): Link[] {
  if (view.screen === 'handoff' && view.downloadUrl)
    return [{ label: 'Download as text', url: view.downloadUrl }];
  if (
    view.screen === 'pairing' &&
    view.checkHereUrl &&
    !view.pairedDevice &&
    !view.expired &&
    !view.agentLost
  )
    return [{ label: 'On this computer? Check from this browser', url: view.checkHereUrl }];
  if (view.screen === 'step' && view.detailsUrl && view.status !== 'checking')
    return [{ label: 'Full instructions', url: view.detailsUrl }];
  return [];
}

/**
 * The button a typed reply stands for on a text-only client ("check", "skip", "windows"), or
 * undefined. Matches the reply word or the label, ignoring case and surrounding space.
 */
export function matchReply(view: View, text: string): ActionData | undefined {
  const typed = text.trim().toLowerCase();
  if (typed === '') return undefined;
  const found = buttonsFor(view).find(
    (b) => b.reply === typed || b.label.replace(/^✓ /, '').toLowerCase() === typed,
  );
  return found?.data;
}

/** Thrown by parseActionData; `code` is stable for the central error handler. */
export class ActionDataError extends Error {
  readonly code = 'invalid_action_data';
}

const VERB_SET: ReadonlySet<string> = new Set(VERBS);
const MAX_ID = 200;

function optionalString(raw: Record<string, unknown>, key: 'stepId' | 'value'): string | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID)
    throw new ActionDataError(`card action: "${key}" must be a string of 1-${MAX_ID} characters`);
  return v;
}

/**
 * Validate what a channel delivered for a click (Teams `value.action.data` or `value`, Slack's
 * button `value` parsed as JSON, Direct Line `value`) and keep only our fields. Throws
 * ActionDataError naming the field that is wrong and what is accepted.
 */
export function parseActionData(raw: unknown): ActionData {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ActionDataError('card action: data must be an object {verb, sessionId, version}');
  const r = raw as Record<string, unknown>;
  if (typeof r.verb !== 'string' || !VERB_SET.has(r.verb))
    throw new ActionDataError(
      `card action: unknown verb ${JSON.stringify(r.verb)}; accepted: ${VERBS.join(', ')}`,
    );
  if (typeof r.sessionId !== 'string' || r.sessionId.length === 0 || r.sessionId.length > MAX_ID)
    throw new ActionDataError(`card action: "sessionId" must be a string of 1-${MAX_ID} characters`);
  if (typeof r.version !== 'number' || !Number.isSafeInteger(r.version) || r.version < 0)
    throw new ActionDataError('card action: "version" must be a non-negative integer');
  const stepId = optionalString(r, 'stepId');
  const value = optionalString(r, 'value');
  return {
    verb: r.verb as Verb,
    sessionId: r.sessionId,
    version: r.version,
    ...(stepId !== undefined ? { stepId } : {}),
    ...(value !== undefined ? { value } : {}),
  };
}
