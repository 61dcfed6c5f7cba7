/**
 * A browser check came in (issue 17): the page on the affected computer measured what a browser
 * can (endpoints, the WebSocket, call media, the clock), and the bot diagnosed it with the same
 * rules. The chat says what it found, marked as seen from the browser, with what a browser cannot
 * see and the offer of the agent for that. The live card (usually the pairing card) stays as it
 * is, so the agent can still pair; a later agent report supersedes these findings.
 */
import { findingHeadline } from '../../cards/plain.ts';
import type { Finding, Report } from '../../probes/report.ts';
import { notice } from './notices.ts';
import { advance } from './session.ts';
import type { CoreEvent, Session, TransitionDeps, TransitionResult } from './types.ts';

type ReportEvent = Extract<CoreEvent, { kind: 'report' }>;

/** What a page cannot measure, said on every browser result. */
export const BROWSER_CANNOT_SEE =
  'A browser cannot see certificate chains, DNS answers or proxy settings, where sign-in often breaks.';

export function onBrowserReport(
  session: Session,
  event: ReportEvent,
  deps: TransitionDeps,
): TransitionResult {
  const { report } = event;
  const problems = report.findings.filter((f) => f.severity !== 'info');
  const next = advance(
    session,
    event,
    deps,
    `Browser check on the computer: ${problems.length > 0 ? problems.map((f) => f.id).join(', ') : 'nothing wrong that a browser can see'}`,
  );
  // The live card did not change: its buttons stay current.
  next.viewVersion = session.viewVersion;
  next.browser = { report, at: deps.now };
  const agentFirst = session.reportSource === 'agent';
  // Until a fuller report comes, what the browser saw is what the case knows: the manual path plans from it.
  if (!session.report && (session.state === 'pairing' || session.state === 'intake'))
    next.findings = report.findings;
  const text = browserFindingsText(report, { agentFirst });
  return {
    session: next,
    effects: [{ type: 'send', view: notice(next, text, { tone: problems.length > 0 ? 'warning' : 'info' }) }],
  };
}

/** The chat's message for a browser report (Markdown: bold, a list), in the user's words. */
export function browserFindingsText(report: Report, options: { agentFirst?: boolean } = {}): string {
  const problems = report.findings.filter((f) => f.severity !== 'info');
  const lines = ['**Seen from the browser on your computer** (a quick check, not the full one)', ''];
  if (problems.length === 0) lines.push(healthyLine(report));
  else for (const f of problems) lines.push(`- **${findingHeadline(f.id)}**: ${browserSentence(f, report)}`);
  lines.push('', BROWSER_CANNOT_SEE);
  lines.push(
    options.agentFirst
      ? 'The agent’s full check already came in and counts; this is added to the case for support.'
      : 'To check those too, run the Reconnect agent on that computer: on the same page, download it with the code from the card above.',
  );
  return lines.join('\n');
}

function healthyLine(report: Report): string {
  const passed = (kind: string) => report.probes.filter((p) => p.kind === kind && p.status === 'pass').length;
  const parts = [`${passed('browser-fetch')} Microsoft addresses answer`];
  if (passed('browser-websocket') > 0) parts.push('the live connection (WebSocket) opens');
  if (passed('browser-ice') > 0) parts.push('call media gets through (UDP)');
  if (passed('browser-clock') > 0) parts.push('the clock is right');
  return `Everything a browser can check works: ${parts.join(', ')}.`;
}

/** The finding in words that fit what a browser measured (it knows that a request failed, not why). */
function browserSentence(f: Finding, report: Report): string {
  const hosts = Array.isArray(f.facts.hosts) ? (f.facts.hosts as string[]).join(', ') : '';
  switch (f.id) {
    case 'endpoint.failed': {
      const timedOut = report.probes.some((p) => f.evidence.includes(p.id) && p.failure?.code === 'timeout');
      return `the browser could not reach ${hosts} (${timedOut ? 'no answer in time' : 'the connection failed at once'}).`;
    }
    case 'proxy.websocket_blocked':
      return `web pages from ${hosts} get through, but the live connection (WebSocket) that Teams needs is refused on the way.`;
    case 'media.udp_blocked': {
      const ice = report.probes.find((p) => p.kind === 'browser-ice');
      const ports = ice ? ice.target.split(':').at(-1) : '3478-3481';
      return `no answer on UDP ports ${ports}: calls and meetings will suffer; sign-in does not.`;
    }
    default:
      return f.summary;
  }
}
