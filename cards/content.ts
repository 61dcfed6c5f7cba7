/**
 * The long parts of views, cut to their budgets once for every channel: a step's instructions
 * per platform, its evidence, and the admin hand-off's sections.
 */
import { factText, PLATFORM_LABEL, stepPlatforms } from './format.ts';
import { type Budget, CONTENT } from './limits.ts';
import { fitBlocks, type MdBlock, parseMarkdown } from './markdown.ts';
import { clip, firstN, fitLines, shortValue } from './truncate.ts';
import type { HandoffView, Platform, StepEvidence, StepView } from './views.ts';

export interface FittedInstructions {
  platform: Platform;
  label: string;
  blocks: MdBlock[];
  /** Text was cut: point at the full instructions. */
  cut: boolean;
  /** Shown open: the user's platform, or every desktop when the OS is unknown. Others fold away. */
  primary: boolean;
  /**
   * Instructions for a desktop OS other than the user's (an admin step's): only behind an
   * "Other computer" toggle, never in the flow of the card (issue 14).
   */
  other: boolean;
}

/** A step's instructions, user's platform first, each within its budget. */
export function fittedInstructions(view: StepView, b: Budget = CONTENT): FittedInstructions[] {
  return stepPlatforms(view).map((platform, i) => {
    const primary = i === 0 || (!view.os && platform !== 'phone');
    const fitted = fitBlocks(
      parseMarkdown(view.instructions[platform] ?? ''),
      primary ? b.instructions : b.otherInstructions,
    );
    const other = view.os !== undefined && platform !== view.os && platform !== 'any' && platform !== 'phone';
    return {
      platform,
      label: PLATFORM_LABEL[platform],
      blocks: fitted.blocks,
      cut: fitted.cut,
      primary,
      other,
    };
  });
}

/** The note under instructions that were cut. */
export function cutNote(hasDetailsLink: boolean): string {
  return `Shortened here.${hasDetailsLink ? ' Open "Full instructions" for the rest.' : ''}`;
}

/** Evidence of a step's latest check: the sentence, a few probes as "status, detail", the count of the rest. */
export function fittedEvidence(
  evidence: StepEvidence,
  b: Budget = CONTENT,
): {
  summary: string;
  probes: { id: string; result: string }[];
  more: number;
} {
  const { shown, more } = firstN(evidence.probes ?? [], b.evidenceIds);
  return {
    summary: shortValue(evidence.summary, b.sentence),
    probes: shown.map((p) => ({
      id: shortValue(p.id, b.shortText),
      result: p.detail ? `${p.status}, ${factText(p.detail, b)}` : p.status,
    })),
    more,
  };
}

export interface FittedSection {
  title: string;
  format: 'text' | 'code';
  /** Never empty: an empty section shows "(empty)". */
  lines: string[];
  /** Lines left for the download. */
  dropped: number;
}

/**
 * The hand-off sections a card shows. Lines keep their leading spaces (PAC indentation) and are
 * only clipped, never re-flowed, so what is shown can be pasted.
 */
export function fittedHandoff(
  view: HandoffView,
  b: Budget = CONTENT,
): { sections: FittedSection[]; moreSections: number } {
  const { shown, more } = firstN(view.sections, b.handoffSections);
  return {
    sections: shown.map((s) => {
      const lines = s.lines
        .slice(0, b.handoffLines)
        .map((l) => clip(l.replace(/[\r\n]+/g, ' ').trimEnd(), b.handoffLine));
      const fitted = fitLines(lines, b.instructions);
      return {
        title: shortValue(s.title, b.shortText),
        format: s.format ?? 'text',
        lines: fitted.lines.length > 0 ? fitted.lines : ['(empty)'],
        dropped: s.lines.length - fitted.lines.length,
      };
    }),
    moreSections: more,
  };
}
