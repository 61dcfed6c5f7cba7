/**
 * npm run bench:incidents (issue 18): what correlating one report costs when 10,000 cases are
 * already open, and what each open case costs to keep, per store (memory, SQLite, Redis on
 * loopback when redis-server is installed). Budget: under 5 ms per report.
 *
 * The open cases: 1,000 fingerprints (proxy hosts on as many office networks) with 10 cases
 * each, so 1,000 open incidents. Then 1,000 more reports, each one fingerprinted (the real
 * bot/incidents/fingerprint.ts on a session's findings) and correlated (bot/incidents/correlate.ts
 * against the store), one at a time. Side by side, the baseline: the same report compared with
 * every open case in turn (fingerprint each, compare), which is what correlation costs without
 * the store's key index. Memory per open case: the JS heap (memory store), the database file
 * (SQLite) and Redis's used_memory, each over the 10,000 cases, beside the baseline of the
 * smallest index any correlation needs (a Map from case id to fingerprint key).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { correlate } from '../bot/incidents/correlate.ts';
import { fingerprint } from '../bot/incidents/fingerprint.ts';
import { createMemoryIncidents } from '../bot/incidents/store-memory.ts';
import type { IncidentSettings, IncidentStore } from '../bot/incidents/types.ts';
import { connectRedisStore } from '../bot/store/redis.ts';
import { openSqliteStore } from '../bot/store/sqlite.ts';
import type { Finding } from '../probes/findings.ts';
import type { Report } from '../probes/report.ts';
import { startRedis } from '../test/lab/redis.ts';

const OPEN = 10_000;
const GROUPS = 1_000;
const PROBES = 1_000;
const SETTINGS: IncidentSettings = { threshold: 3, windowMs: 30 * 60_000 };
const T0 = Date.parse('2026-12-01T09:00:00.000Z');

/** What a case holds for correlation: its findings, its report's environment, the agent's address. */
interface Case {
  id: string;
  findings: Finding[];
  report: Report;
  egress: string;
}

function caseOf(i: number, group: number): Case {
  const proxy = `http://proxy-${group}.corp.example:3128`;
  return {
    id: `case-${i}`,
    findings: [
      {
        id: 'proxy.auth_required',
        severity: 'blocking',
        summary: `The proxy (${proxy}) asks for a sign-in (HTTP 407) before it lets Teams through.`,
        evidence: ['https:login.microsoftonline.com:443', 'https:teams.microsoft.com:443'],
        facts: { proxy, source: 'env' },
      },
      {
        id: 'credentials.cache_present',
        severity: 'info',
        summary: 'Teams caches exist',
        evidence: [],
        facts: { locations: ['~/.config/Microsoft/MSTeams'] },
      },
    ],
    report: {
      cloud: 'commercial',
      environment: { proxy: { source: 'env', url: proxy }, resolvers: ['10.0.0.53'] },
    } as unknown as Report,
    egress: `10.${group >> 8}.${group & 255}.${1 + (i % 200)}`,
  };
}

let ids = 0;
const newId = () => `inc-${++ids}`;

async function join_(store: IncidentStore, c: Case, at: number): Promise<void> {
  const fp = fingerprint(c, c.egress)!;
  await correlate(store, { sessionId: c.id, label: c.id, at, fingerprint: fp }, SETTINGS, newId);
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function heap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

interface Row {
  store: string;
  median: number;
  p99: number;
  bytesPerCase: number;
  what: string;
}

async function measure(
  name: string,
  store: IncidentStore,
  size: () => Promise<number>,
  what: string,
): Promise<Row> {
  const before = await size();
  for (let i = 0; i < OPEN; i++) await join_(store, caseOf(i, i % GROUPS), T0 + i);
  const bytesPerCase = ((await size()) - before) / OPEN;
  const times: number[] = [];
  for (let i = 0; i < PROBES; i++) {
    const c = caseOf(OPEN + i, (i * 7) % GROUPS);
    const t = performance.now();
    await join_(store, c, T0 + OPEN + i);
    times.push(performance.now() - t);
  }
  return { store: name, median: quantile(times, 0.5), p99: quantile(times, 0.99), bytesPerCase, what };
}

/** The baseline: the report against every open case, one by one. */
function baseline(): Row {
  const open = Array.from({ length: OPEN }, (_, i) => caseOf(i, i % GROUPS));
  const before = heap();
  const index = new Map(open.map((c) => [c.id, fingerprint(c, c.egress)!.key]));
  const bytesPerCase = (heap() - before) / OPEN;
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const c = caseOf(OPEN + i, (i * 7) % GROUPS);
    const t = performance.now();
    const key = fingerprint(c, c.egress)!.key;
    let same = 0;
    for (const other of open) if (fingerprint(other, other.egress)!.key === key) same++;
    if (same === 0) throw new Error('the baseline found no match');
    times.push(performance.now() - t);
  }
  if (index.size !== OPEN) throw new Error('index');
  return {
    store: 'baseline: scan every open case',
    median: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    bytesPerCase,
    what: 'heap of a Map case id → key',
  };
}

const hasRedis = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const rows: Row[] = [baseline()];
const memory = createMemoryIncidents();
rows.push(await measure('memory', memory, async () => heap(), 'JS heap'));

const dir = mkdtempSync(join(tmpdir(), 'reconnect-bench-incidents-'));
const sqlite = openSqliteStore({ dataDir: dir });
const file = join(dir, 'reconnect.db');
const fileSize = async () => {
  sqlite.checkWritable && (await sqlite.checkWritable());
  return statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
};
rows.push(await measure('sqlite', sqlite.incidents, fileSize, 'database file + WAL'));
await sqlite.close();
rmSync(dir, { recursive: true, force: true });

if (hasRedis) {
  const server = await startRedis();
  const store = await connectRedisStore({ url: server.url, prefix: 'bench:' });
  const { Redis } = await import('ioredis');
  const probe = new Redis(server.url);
  const used = async () => Number(/used_memory:(\d+)/.exec(await probe.info('memory'))![1]);
  rows.push(await measure('redis (loopback)', store.incidents, used, 'Redis used_memory'));
  probe.disconnect();
  await store.close();
  await server.stop();
}

const base = rows[0];
console.log(
  `Correlating one report with ${OPEN.toLocaleString()} open cases (${GROUPS} incidents), budget 5 ms:`,
);
console.log('store                            median ms   p99 ms   vs baseline   bytes/open case (what)');
for (const r of rows)
  console.log(
    `${r.store.padEnd(32)} ${r.median.toFixed(3).padStart(9)} ${r.p99.toFixed(3).padStart(8)} ${
      r === base ? '          1x' : `${(base.median / r.median).toFixed(0).padStart(10)}x faster`
    }   ${Math.round(r.bytesPerCase)} (${r.what})`,
  );
const over = rows.slice(1).filter((r) => r.median >= 5);
console.log(
  over.length === 0
    ? 'Within budget: every store correlates a report in under 5 ms (median).'
    : `Over budget (median): ${over.map((r) => r.store).join(', ')}`,
);
// The p99 of a shared machine follows its load: print it so a slow tail can be told from a slow path.
console.log(
  `Load average while measuring: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores.`,
);
