/**
 * The IT admin's hand-off screen and its copyable text (issue 14): the sentences and sections of
 * bot/playbooks/handoff.ts for the session's findings, earlier ones included, with the copy
 * button each channel can really honour.
 */
import type { HandoffView } from '../../cards/views.ts';
import { builtInCatalog, isCloudName } from '../../probes/catalog/index.ts';
import { adminHandoff } from '../playbooks/handoff.ts';
import { notice } from './notices.ts';
import type { NoticeView, Session } from './types.ts';

/** The IT admin's hand-off for the session's findings (earlier ones too), with its copy button. */
export function handoffView(s: Session): HandoffView {
  const cloud = s.report?.cloud ?? '';
  const catalog = builtInCatalog(isCloudName(cloud) ? cloud : 'commercial');
  // Pasted output may name the proxy without an address ("address not shown"): no PAC line then.
  const proxyUrl = URL.canParse(s.report?.environment.proxy.url ?? '')
    ? s.report?.environment.proxy.url
    : undefined;
  const handoff = adminHandoff({
    catalog,
    findings: s.findings,
    earlier: s.earlierFindings ?? [],
    probes: [...s.probes, ...(s.report?.probes ?? [])],
    ...(proxyUrl ? { proxyUrl } : {}),
  });
  return {
    sessionId: s.id,
    version: s.version,
    screen: 'handoff',
    title: 'For your IT admin',
    intro: 'Copy these lines into a ticket for your IT team; each one is ready to paste.',
    sections: handoff.sections.map((x) => ({ title: x.title, lines: x.lines, format: x.format })),
    copy: { how: s.channel === 'webchat' ? 'clipboard' : 'message', text: handoff.text },
  };
}

/**
 * The hand-off as one message to copy: a code block, which Teams, Slack and the web chat show
 * as selectable monospace text (and the web chat's fallback when the page cannot use the clipboard).
 */
export function handoffCopy(s: Session): NoticeView {
  const text = handoffView(s).copy?.text ?? '';
  return notice(
    s,
    `Here is the text for your IT admin as one message. To copy it, press and hold it on a phone, or select it on a computer, then paste it into an email or ticket.\n\n\`\`\`\n${text.trimEnd().replace(/```/g, "'''")}\n\`\`\``,
  );
}
