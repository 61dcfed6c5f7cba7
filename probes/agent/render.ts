/**
 * What a person sees in a terminal: live progress (an updating line per area) while the
 * probes run, then a readable summary. Nothing animates when the output is not a terminal:
 * there a line is printed once per area, when it completes.
 */
import type { Report } from '../report.ts';
import type { Area, ProgressEvent } from '../runner.ts';
import type { WatchRound } from '../watch.ts';
import { FIRST_STEPS } from './first-steps.ts';

const AREA_LABELS: Record<Area, string> = {
  proxy: 'Proxy settings',
  dns: 'DNS',
  firewall: 'Firewall (TCP 443)',
  tls: 'Certificates (TLS)',
  web: 'HTTPS and WebSocket',
  media: 'Call media (UDP)',
  clock: 'Clock',
  credentials: 'Cached credentials',
  device: 'Device and sign-in broker',
};

interface AreaState {
  total: number;
  done: number;
  failed: number;
}

export interface Writer {
  write(text: string): unknown;
}

/** Returns the progress listener; `tty` picks live redraws over one line per finished area. */
export function progressPrinter(out: Writer, options: { tty: boolean }): (event: ProgressEvent) => void {
  const areas = new Map<Area, AreaState>();
  let drawn = 0;
  const line = (area: Area, s: AreaState) => {
    const mark = s.done < s.total ? '…' : s.failed > 0 ? '✖' : '✔';
    const failed = s.failed > 0 ? `, ${s.failed} with problems` : '';
    return `${mark} ${AREA_LABELS[area].padEnd(26)} ${s.done}/${s.total}${failed}`;
  };
  const redraw = () => {
    const lines = [...areas].map(([a, s]) => line(a, s));
    // Move back over what was drawn last time and draw every line again, cleared to the end.
    out.write(`${drawn > 0 ? `\x1b[${drawn}A` : ''}${lines.map((l) => `\r\x1b[2K${l}\n`).join('')}`);
    drawn = lines.length;
  };
  return (event) => {
    if (event.type === 'planned') {
      for (const p of event.probes) {
        const s = areas.get(p.area) ?? { total: 0, done: 0, failed: 0 };
        s.total++;
        areas.set(p.area, s);
      }
      if (options.tty) redraw();
      return;
    }
    if (event.type !== 'finished') return;
    const s = areas.get(event.area);
    if (!s) return;
    s.done++;
    const status = event.result.status;
    if (status === 'fail' || status === 'warn' || status === 'error') s.failed++;
    if (options.tty) redraw();
    else if (s.done === s.total) out.write(`${line(event.area, s)}\n`);
  };
}

const VERDICT_TEXT: Record<Report['verdict'], string> = {
  healthy: 'Healthy: nothing on this computer or network stands in the way of Teams sign-in.',
  problems: 'Problems found.',
  inconclusive: 'Inconclusive: too few checks could run to tell.',
};

/** The readable summary printed after a check without --json. */
/** One line per watch round on standard error: how many endpoints passed, and the time left. */
export function watchPrinter(
  out: { write(text: string): unknown },
  endpoints: number,
): (round: WatchRound, index: number, endsAt: number) => void {
  return (round, index, endsAt) => {
    const failed = new Set(
      round.probes.filter((p) => p.status === 'fail').map((p) => p.target.replace(/@system$/, '')),
    );
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    out.write(
      `Watching: round ${index + 1}, ${failed.size === 0 ? 'everything answered' : `${failed.size} of ${endpoints} failed`} (${left} s left)\n`,
    );
  };
}

export function summaryText(report: Report): string {
  const lines = [
    '',
    `Reconnect check: ${report.cloud} cloud, ${report.probes.length} checks in ${(report.durationMs / 1000).toFixed(1)} s`,
    VERDICT_TEXT[report.verdict],
  ];
  const proxy = report.environment.proxy;
  if (proxy.source !== 'none') lines.push(`Proxy: ${proxy.url ?? '(PAC)'} from ${proxy.source}`);
  for (const f of report.findings) {
    lines.push('', `${f.severity.toUpperCase().padEnd(9)} ${f.id}`, `  ${f.summary}`);
    const facts = Object.entries(f.facts)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    if (facts) lines.push(`  Facts: ${truncate(facts, 300)}`);
    lines.push(`  Evidence: ${truncate(f.evidence.join(', '), 300)}`);
  }
  if (report.watch) {
    lines.push(
      '',
      `Watched for ${Math.round(report.watch.durationMs / 1000)} s, ${report.watch.rounds} rounds:`,
    );
    for (const w of report.watch.endpoints) {
      const latency = w.latencyMs ? `, p50 ${w.latencyMs.p50} ms, p90 ${w.latencyMs.p90} ms` : '';
      lines.push(
        `  ${w.host}:${w.port}  failed ${w.failed} of ${w.rounds} (${Math.round(w.failureRate * 100)}%)${latency}, ${w.flaps.length} changes`,
      );
    }
  }
  const first = report.findings.find((f) => f.severity !== 'info') ?? report.findings[0];
  if (first) lines.push('', `First thing to do: ${FIRST_STEPS[first.id] ?? 'see the findings above.'}`);
  lines.push('');
  return lines.join('\n');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
