/**
 * Cutting long values so they never break a card: every cut ends with the ellipsis marker, and
 * lists say how many items were left out.
 */
import { ELLIPSIS } from './limits.ts';

/**
 * `text` in at most `max` UTF-16 code units (what JavaScript's length and the platforms count),
 * ending with "…" when cut. Never splits a surrogate pair, so an emoji is kept or dropped whole.
 */
export function clip(text: string, max: number): string {
  if (max < 1) throw new RangeError(`clip: max must be at least 1, got ${max}`);
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end).trimEnd() + ELLIPSIS;
}

/** Whitespace (newlines included) collapsed to single spaces: for values shown on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** One-line and clipped: the usual treatment of a value from outside (an issuer, a host). */
export function shortValue(text: string, max: number): string {
  return clip(oneLine(text), max);
}

/** The first `n` items and the count of the rest. */
export function firstN<T>(items: readonly T[], n: number): { shown: T[]; more: number } {
  return { shown: items.slice(0, n), more: Math.max(0, items.length - n) };
}

/** "and 22 more" (or "" when nothing was left out). */
export function moreText(more: number, noun = 'more'): string {
  return more > 0 ? `and ${more} ${noun}` : '';
}

/**
 * A list on one line: "a, b, c and 22 more". Each item is clipped to `itemMax`, and at most `n`
 * items are shown.
 */
export function joinWithMore(items: readonly string[], n: number, itemMax: number): string {
  const { shown, more } = firstN(items, n);
  const text = shown.map((item) => shortValue(item, itemMax)).join(', ');
  return more > 0 ? `${text} ${moreText(more)}` : text;
}

/**
 * Cut a list of lines to fit `budget` characters in total (newlines counted): whole lines only,
 * the last kept line clipped when it alone would not fit. Returns the lines and how many were
 * dropped, so the caller can say "and N more lines".
 */
export function fitLines(lines: readonly string[], budget: number): { lines: string[]; dropped: number } {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const cost = line.length + (kept.length > 0 ? 1 : 0);
    if (used + cost > budget) {
      const room = budget - used - (kept.length > 0 ? 1 : 0);
      if (kept.length === 0 && room > ELLIPSIS.length) kept.push(clip(line, room));
      break;
    }
    kept.push(line);
    used += cost;
  }
  return { lines: kept, dropped: lines.length - kept.length };
}
