/**
 * What bench/soak.bench.ts makes of its samples: the curves as rows of numbers, a verdict per
 * curve (growth that levels off, or not), and a small SVG chart of ours beside the echo bot.
 */
import type { Sample } from './soak-serve.ts';

type Key = Exclude<keyof Sample, 't'>;

type Stat = 'mean' | 'min' | 'median' | 'max';

/**
 * Each curve, the statistic its quarters are compared by, and the growth that still counts as
 * flat. Heap and RSS are sawtooths (garbage collection, the Direct Line history cache filling to
 * its bound and evicting): their floor (the quarter's minimum) is what would show a leak.
 * Event-loop delay on a shared machine is spiky: its median, within half again.
 */
export const CURVES: { key: Key; label: string; stat: Stat; floor: number; relative: number }[] = [
  { key: 'rssMiB', label: 'RSS, floor (MiB)', stat: 'min', floor: 8, relative: 0.05 },
  { key: 'heapMiB', label: 'heap used, floor (MiB)', stat: 'min', floor: 4, relative: 0.05 },
  { key: 'eldP99Ms', label: 'event-loop delay p99 (ms)', stat: 'median', floor: 10, relative: 0.5 },
  { key: 'handles', label: 'open handles, most', stat: 'max', floor: 4, relative: 0.1 },
  { key: 'storeMiB', label: 'store on disk (MiB)', stat: 'mean', floor: 0, relative: 0 },
];

const STATS: Record<Stat, (xs: number[]) => number> = {
  mean: (xs) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length),
  min: (xs) => Math.min(...xs),
  max: (xs) => Math.max(...xs),
  median: (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0,
};

/** The samples after the first tenth (start-up), in four equal quarters, each as `stat`. */
function quarters(samples: Sample[], key: Key, stat: Stat = 'mean'): number[] {
  const steady = samples.slice(Math.floor(samples.length / 10));
  const q = Math.max(1, Math.floor(steady.length / 4));
  return [0, 1, 2, 3].map((i) =>
    STATS[stat](steady.slice(i * q, i === 3 ? undefined : (i + 1) * q).map((s) => s[key])),
  );
}

/**
 * Levels off: the last quarter is within max(relative, the curve's floor) of the third.
 * The store is kept by design (conversations are history), so it must grow; what must level
 * off is its growth per conversation, which `conversations` (counted per quarter) gives.
 */
export function verdict(samples: Sample[], curve: (typeof CURVES)[number], conversations?: number[]): string {
  const { key, floor } = curve;
  const [, , q3, q4] = quarters(samples, key, curve.stat);
  if (key === 'storeMiB' && conversations) {
    const per = (i: number, a: number, b: number) => ((b - a) * 1024) / Math.max(1, conversations[i]);
    const [q1, q2] = quarters(samples, key);
    const early = per(1, q1, q2);
    const late = per(3, q3, q4);
    const ok = late <= early * 1.3 + 1;
    return `${ok ? 'levels off' : 'GROWS'}: ${early.toFixed(1)} then ${late.toFixed(1)} KiB per conversation`;
  }
  const growth = q4 - q3;
  const ok = growth <= Math.max(q3 * curve.relative, floor);
  return `${ok ? 'levels off' : 'GROWS'}: third quarter ${q3.toFixed(1)}, last ${q4.toFixed(1)} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)})`;
}

/** One row per sample time: t, then each curve for ours and echo. */
export function table(ours: Sample[], echo: Sample[]): string {
  const head = ['t(s)', ...CURVES.flatMap((c) => [`${c.key}`, `echo`])];
  const rows = ours.map((s, i) => {
    const e = echo[i];
    return [String(s.t), ...CURVES.flatMap((c) => [s[c.key].toFixed(1), e ? e[c.key].toFixed(1) : '-'])];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((cell, i) => cell.padStart(widths[i])).join('  ')).join('\n');
}

/** Five small panels, one per curve: ours in blue, the echo bot in grey. */
export function chart(ours: Sample[], echo: Sample[]): string {
  const W = 320;
  const H = 120;
  const pad = 28;
  const panels = CURVES.map((c, index) => {
    const all = [...ours, ...echo];
    const tMax = Math.max(1, ...all.map((s) => s.t));
    const vMax = Math.max(1e-9, ...all.map((s) => s[c.key])) * 1.1;
    const line = (samples: Sample[], color: string) => {
      const points = samples
        .map(
          (s) =>
            `${(pad + (s.t / tMax) * (W - pad - 8)).toFixed(1)},${(H - 18 - (s[c.key] / vMax) * (H - 36)).toFixed(1)}`,
        )
        .join(' ');
      return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>`;
    };
    const x = (index % 2) * (W + 10);
    const y = Math.floor(index / 2) * (H + 10);
    return `<g transform="translate(${x},${y})"><rect width="${W}" height="${H}" fill="#fff" stroke="#ccc"/>
<text x="${pad}" y="14" font-size="11">${c.label.replace(/, (floor|most)/, '')} (max ${vMax.toFixed(1)}, ${tMax} s)</text>
<line x1="${pad}" y1="${H - 18}" x2="${W - 8}" y2="${H - 18}" stroke="#999"/>
${line(echo, '#999')}${line(ours, '#1f5fbf')}</g>`;
  });
  const width = 2 * W + 10;
  const height = 3 * (H + 10);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<text x="${W + 20}" y="${2 * (H + 10) + 30}" font-size="12" fill="#1f5fbf">ours (all channels)</text>
<text x="${W + 20}" y="${2 * (H + 10) + 50}" font-size="12" fill="#999">botbuilder echo bot (Teams only)</text>
${panels.join('\n')}
</svg>
`;
}
