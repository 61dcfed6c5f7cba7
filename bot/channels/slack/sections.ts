/**
 * A long mrkdwn text as several section texts of at most `max` characters each (Slack refuses a
 * section over 3,000), cut at line ends. A cut inside a code block closes the block and opens it
 * again in the next section, so a long hand-off sent to copy stays whole and monospace instead of
 * being clipped mid-fence.
 */
const FENCE = '```';

export function mrkdwnSections(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  let current: string[] = [];
  let size = 0;
  let inCode = false;
  let codeAtStart = false;
  const flush = () => {
    if (current.length === 0) return;
    out.push([...(codeAtStart ? [FENCE] : []), ...current, ...(inCode ? [FENCE] : [])].join('\n'));
    codeAtStart = inCode;
    current = [];
    size = 0;
  };
  // Room for the fences a cut may add (two lines of three characters).
  const room = max - 2 * (FENCE.length + 1);
  for (const raw of text.split('\n')) {
    // A single line longer than a section is cut into pieces (rare: a PAC line, a long host list).
    for (let i = 0; i < Math.max(1, raw.length); i += room) {
      const line = raw.slice(i, i + room);
      if (size + line.length + 1 > room) flush();
      current.push(line);
      size += line.length + 1;
    }
    const fences = raw.split(FENCE).length - 1;
    if (fences % 2 === 1) inCode = !inCode;
  }
  flush();
  return out;
}
