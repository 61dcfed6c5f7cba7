/**
 * One line per view, in plain text: Slack's notification `text`, the Adaptive Card
 * `fallbackText`, and the first line of the plain-text rendering.
 */
import { SEVERITY, STEP_STATUS, stepHeading, utcText, VERDICT, watchTitle } from './format.ts';
import { CONTENT } from './limits.ts';
import { shortValue } from './truncate.ts';
import type { View } from './views.ts';

export function summaryLine(view: View): string {
  return shortValue(line(view), CONTENT.sentence);
}

function line(view: View): string {
  switch (view.screen) {
    case 'intake':
      return `Hi${view.userName ? ` ${view.userName}` : ''}, let's get Teams working again. What error code or problem do you see?`;
    case 'pairing':
      if (view.pairedDevice)
        return `A computer joined with code ${view.code}: ${view.pairedDevice.hostname}. Is it yours?`;
      if (view.agentLost)
        return `The agent stopped, so pairing code ${view.code} is used up. Ask for a new one.`;
      return view.expired
        ? `Pairing code ${view.code} expired. Ask for a new one.`
        : `Pairing code ${view.code} (expires ${utcText(view.expiresAt)}). Run the agent on the affected computer.`;
    case 'progress':
      if (view.watch) return watchTitle(view.watch);
      return `Checking your network: ${view.counts.done} of ${view.counts.total} checks done, ${view.counts.failed} problem${view.counts.failed === 1 ? '' : 's'}.`;
    case 'findings': {
      const first = view.findings[0];
      return first
        ? `${VERDICT[view.verdict]} ${SEVERITY[first.severity].word}: ${first.summary}`
        : VERDICT[view.verdict];
    }
    case 'step':
      return `${stepHeading(view)}: ${view.title} (${STEP_STATUS[view.status].word})`;
    case 'resolved':
      return `Fixed: ${view.summary}`;
    case 'handoff':
      return `${shortValue(view.title, CONTENT.shortText)}: ${view.sections.length} section${view.sections.length === 1 ? '' : 's'} for your IT admin.`;
    case 'escalated':
      return view.contact
        ? `Case ${view.caseRef} is saved. Nobody from support can answer in this chat yet.`
        : `Your case ${view.caseRef} is with ${view.supportName ?? 'support'}.`;
    case 'escalation':
      if (view.incident) return `Incident ${view.caseRef} (${view.state}): ${view.user}: ${view.symptom}`;
      return `Case ${view.caseRef} (${view.state}): ${view.user}, ${view.errorCode ?? 'no code'}: ${view.symptom}`;
  }
}
