/**
 * The dashboard page's script (bundled with uPlot by scripts/build-admin.ts into dist/admin/,
 * no CDN): reads /admin/api/summary with the session cookie every 30 seconds and draws it. All
 * text goes in through textContent, never as HTML (incident headlines come from case data).
 */
import uPlot from 'uplot';
import type { DashboardSummary, Durations, FindingSeries } from '../types.ts';

const REFRESH_MS = 30_000;
/** What the chart shows first, in seconds. */
const WINDOW_S = 48 * 3600;
/** Distinct on white and for the common kinds of colour blindness (Okabe–Ito). */
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#f0e442'];

const $ = (id: string) => document.getElementById(id)!;

function el(tag: string, className: string | undefined, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

/** "3 h 20 min", "45 min", "2 d 4 h". */
function duration(ms: number | undefined): string {
  if (ms === undefined) return '–';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

const ago = (iso: string, now: number) => `${duration(Math.max(0, now - Date.parse(iso)))} ago`;

/** Fills the list `id` with one row per item, or says `none` when there are none. */
function fill<T>(id: string, items: T[], none: string, row: (item: T) => HTMLElement): void {
  const list = $(id);
  list.replaceChildren(...(items.length === 0 ? [el('li', 'empty', none)] : items.map(row)));
}

/** One row: a state badge, what it is (a title and an id), and a line of details. */
const stateRow = (state: string, title: string, id: string, meta: string) =>
  el(
    'li',
    `row state-${state}`,
    el('span', 'badge', state),
    el('span', 'main', el('strong', undefined, title), el('code', 'cause', id)),
    el('span', 'meta', meta),
  );

function incidents(summary: DashboardSummary, now: number): void {
  fill('incidents', summary.incidents, 'No incidents: no cause is shared by several cases.', (i) =>
    stateRow(
      i.state,
      i.headline,
      i.cause,
      `${i.members} users · ${i.verified}/${i.members} verified · opened ${ago(i.openedAt, now)}${
        i.resolvedAt ? ` · resolved in ${duration(Date.parse(i.resolvedAt) - Date.parse(i.openedAt))}` : ''
      }`,
    ),
  );
}

function cases(summary: DashboardSummary, now: number): void {
  fill('cases', summary.cases, 'No open cases.', (c) =>
    stateRow(
      c.status,
      c.caseRef,
      c.cause ?? 'no findings yet',
      `${c.channel} · ${ago(c.since, now)} · agent ${c.agentOnline ? 'online' : 'offline'}`,
    ),
  );
}

function steps(summary: DashboardSummary): void {
  const most = Math.max(1, ...summary.steps.map((s) => s.verified + s.failed));
  fill('steps', summary.steps, 'No step was re-checked in the last 7 days.', (s) => {
    const bar = el('span', 'bar');
    const ok = el('span', 'ok');
    const bad = el('span', 'bad');
    // Widths through the CSSOM: the CSP allows no inline style attributes.
    ok.style.width = `${(100 * s.verified) / most}%`;
    bad.style.width = `${(100 * s.failed) / most}%`;
    bar.append(ok, bad);
    return el(
      'li',
      'row step',
      el('span', 'main', el('strong', undefined, s.title ?? s.stepId), el('code', 'cause', s.stepId)),
      el('span', 'meta', `${s.verified} verified · ${s.failed} failed`),
      bar,
    );
  });
}

function figures(name: string, d: Durations): Node[] {
  return [
    el('dt', undefined, name),
    el(
      'dd',
      undefined,
      d.count === 0
        ? 'none resolved yet'
        : `median ${duration(d.medianMs)} · 90% within ${duration(d.p90Ms)} · ${d.count} resolved`,
    ),
  ];
}

let chart: uPlot | undefined;
let drawn = '';

function chartSize(): { width: number; height: number } {
  const width = Math.max(280, $('chart').clientWidth);
  return { width, height: width < 600 ? 220 : 300 };
}

function findings(series: FindingSeries): void {
  // Redraw only when the data changed (a refresh with the same numbers keeps the cursor).
  const key = JSON.stringify(series);
  if (key === drawn) return;
  drawn = key;
  chart?.destroy();
  const box = $('chart');
  box.replaceChildren();
  if (series.series.length === 0) {
    box.append(el('p', 'empty', 'No findings in the last 7 days.'));
    chart = undefined;
    return;
  }
  const times = Array.from({ length: series.buckets }, (_, i) => (series.start + i * series.bucketMs) / 1000);
  const end = times[times.length - 1]! + series.bucketMs / 1000;
  chart = new uPlot(
    {
      ...chartSize(),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(2, Math.ceil(max * 1.1))] } },
      // Whole numbers only: these are counts.
      axes: [{}, { label: 'new per hour', size: 50, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
      series: [
        {},
        ...series.series.map((s, i) => ({
          label: s.id,
          stroke: COLOURS[i % COLOURS.length],
          fill: `${COLOURS[i % COLOURS.length]}33`,
          width: 2,
          points: { show: false },
          paths: uPlot.paths.stepped?.({ align: 1 }),
        })),
      ],
      // The last 48 hours first (an incident's day); drag to zoom, double-click for the whole week.
      hooks: { ready: [(u) => u.setScale('x', { min: end - WINDOW_S, max: end })] },
    },
    [times, ...series.series.map((s) => s.counts)],
    box,
  );
}

function render(summary: DashboardSummary): void {
  const now = Date.parse(summary.generatedAt);
  $('n-incidents').textContent = String(summary.incidents.filter((i) => i.state !== 'resolved').length);
  $('n-cases').textContent = String(summary.cases.length);
  $('n-agents').textContent = String(summary.agents.connected);
  $('n-resolve').textContent = duration(summary.resolution.cases.medianMs);
  $('updated').textContent =
    `Updated ${new Date(now).toLocaleTimeString()} · ${summary.agents.openCasesWithAgent} open cases have their agent online`;
  incidents(summary, now);
  cases(summary, now);
  steps(summary);
  $('resolution').replaceChildren(
    ...figures('Incidents', summary.resolution.incidents),
    ...figures('Cases (this replica)', summary.resolution.cases),
  );
  findings(summary.findings);
}

async function refresh(): Promise<void> {
  try {
    const res = await fetch('/admin/api/summary', { credentials: 'same-origin', cache: 'no-store' });
    if (res.status === 401) {
      $('updated').textContent =
        'Signed out: ask the bot for a new link in your support channel ("@Reconnect dashboard").';
      return;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    render((await res.json()) as DashboardSummary);
    document.body.dataset.loaded = 'true';
  } catch (error) {
    $('updated').textContent = `Could not refresh (${(error as Error).message}); trying again shortly.`;
  }
}

new ResizeObserver(() => chart?.setSize(chartSize())).observe($('chart'));
void refresh();
setInterval(() => void refresh(), REFRESH_MS);
