/**
 * Never silent (issue 14): when a turn changes a card in place (a verdict after pasted output,
 * Skip, Done, an agent's result), the person may be looking at the bottom of the chat while the
 * card sits above, out of sight on a phone. So the turn also sends one short line at the bottom:
 * what changed and what is next. Not for intake taps (the card under the person's finger is the
 * one that changed) and not when the turn already says something new at the bottom.
 */
import { findingHeadline } from '../../cards/plain.ts';
import type { View } from '../../cards/views.ts';
import { notice } from './notices.ts';
import type { Effect, Session, TransitionResult } from './types.ts';

/** The line for a card that now shows `view`, or undefined when nothing needs saying. */
export function bottomLine(view: View): string | undefined {
  switch (view.screen) {
    case 'step': {
      const where = `step ${view.index} of ${view.total}`;
      switch (view.status) {
        case 'pending':
          return `Next, ${where}: "${view.title}". It is on the card above.`;
        case 'checking':
          return undefined;
        case 'verified':
          return `✅ Fixed, and checked: "${view.title}".${view.index < view.total ? ' Tap "Next step" on the card above.' : ''}`;
        case 'failed':
          return `❌ "${view.title}" still fails${view.evidence ? `: ${view.evidence.summary}` : '.'} On the card above: do it again, Skip, or Escalate.`;
        case 'skipped':
          return `"${view.title}" is marked as skipped.${view.index < view.total ? ' Tap "Next step" on the card above.' : ''}`;
      }
      return undefined;
    }
    case 'findings': {
      const first = view.findings.find((f) => f.severity !== 'info') ?? view.findings[0];
      if (!first) return 'The checks found nothing in the way. The card above has the result.';
      const more = view.findings.length > 1 ? ` (and ${view.findings.length - 1} more)` : '';
      return `Found: ${first.headline ?? findingHeadline(first.id)}${more}. ${view.stepCount > 0 ? 'Tap "Show me the fix" on the card above.' : 'The card above says what to do.'}`;
    }
    case 'progress':
      return `Checking the network${view.device ? ` on ${view.device}` : ''}. The card above fills in as results come.`;
    case 'pairing':
      if (view.pairedDevice)
        return `A computer connected: ${view.pairedDevice.hostname}. Is it yours? Answer on the card above.`;
      if (view.expired || view.agentLost)
        return 'That code no longer works. Tap "Get a new code" on the card above.';
      return `New code: ${view.code}. The card above says where to type it.`;
    case 'resolved':
      return `✅ ${view.summary}`;
    default:
      return undefined;
  }
}

/**
 * `result` plus the bottom line its in-place update needs. Unchanged when the session did not
 * move (replays, progress ticks), or the turn already sends a message of its own.
 */
export function withBottomLine(before: Session, result: TransitionResult): TransitionResult {
  if (result.session.version === before.version) return result;
  if (result.effects.some((e) => e.type === 'send')) return result;
  const updates = result.effects.filter((e): e is Extract<Effect, { type: 'update' }> => e.type === 'update');
  const last = updates.at(-1);
  if (!last || last.view.screen === 'intake') return result;
  const text = bottomLine(last.view);
  if (!text) return result;
  return { ...result, effects: [...result.effects, { type: 'send', view: notice(result.session, text) }] };
}
