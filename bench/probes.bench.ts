/**
 * npm run bench:probes: the full suite on a healthy lab and on a lab where every packet to the
 * lab is dropped (inside a namespace), and each probe kind's time against Debian's
 * prometheus-blackbox-exporter probing the same lab targets in the same run.
 * Everything stays on loopback or in a namespace this bench makes; requests are bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProbeContext } from '../probes/context.ts';
import { probeDns } from '../probes/dns.ts';
import { probeHttps } from '../probes/https.ts';
import { createInterlock } from '../probes/interlock.ts';
import { probeTcp } from '../probes/tcp.ts';
import { probeTls } from '../probes/tls.ts';
import type { Catalog, ProbeResult } from '../probes/types.ts';
import { AGENT_SOURCES, runAgent } from '../test/agent/agent-run.ts';
import { createLabNetns, runProcess } from '../test/lab/netns.ts';
import { startScenario } from '../test/lab/scenario.ts';

const RUNS = 5;
const SAMPLES = 30;
const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function suiteTimes(
  label: string,
  run: () => Promise<{ durationMs: number; wallMs: number; verdict: string }>,
) {
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await run());
  const suite = median(results.map((r) => r.durationMs));
  const wall = median(results.map((r) => r.wallMs));
  console.log(
    `${label.padEnd(34)} suite ${String(suite).padStart(6)} ms   whole command ${String(Math.round(wall)).padStart(6)} ms   verdict ${results[0].verdict}`,
  );
  return suite;
}

async function agentOnce(
  catalogPath: string,
  env: Record<string, string>,
  netns?: Awaited<ReturnType<typeof createLabNetns>>,
) {
  const started = performance.now();
  const run = await runAgent(['check', '--catalog', catalogPath, '--json'], env, {
    netns,
    entry: AGENT_SOURCES,
  });
  if (!run.report) throw new Error(`agent failed: ${run.stderr}`);
  return {
    durationMs: run.report.durationMs,
    wallMs: performance.now() - started,
    verdict: run.report.verdict,
  };
}

async function startBlackbox(
  dir: string,
  caFile: string,
  port: number,
): Promise<{ child: ChildProcess; url: string }> {
  const config = `modules:
  tcp:
    prober: tcp
    timeout: 5s
  tls:
    prober: tcp
    timeout: 5s
    tcp:
      tls: true
      tls_config: { ca_file: ${caFile}, server_name: login.lab.test }
  https:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      tls_config: { ca_file: ${caFile}, server_name: login.lab.test }
  dns:
    prober: dns
    timeout: 5s
    dns:
      query_name: login.lab.test
      query_type: A
      transport_protocol: udp
      preferred_ip_protocol: ip4
`;
  const file = join(dir, 'blackbox.yml');
  await writeFile(file, config);
  const listen = `127.0.0.1:${port}`;
  const child = spawn(
    BLACKBOX,
    [`--config.file=${file}`, `--web.listen-address=${listen}`, '--log.level=error'],
    {
      stdio: 'ignore',
    },
  );
  const url = `http://${listen}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/-/healthy`)).ok) return { child, url };
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error(
    `blackbox_exporter did not start on ${listen} (apt-get install prometheus-blackbox-exporter)`,
  );
}

/** blackbox's own measure of one probe: probe_duration_seconds, and whether it succeeded. */
async function blackboxProbe(
  url: string,
  module: string,
  target: string,
): Promise<{ ms: number; ok: boolean }> {
  const text = await (
    await fetch(`${url}/probe?module=${module}&target=${encodeURIComponent(target)}`)
  ).text();
  const duration = Number(/^probe_duration_seconds ([\d.e+-]+)$/m.exec(text)?.[1]);
  const ok = /^probe_success 1$/m.test(text);
  return { ms: duration * 1000, ok };
}

async function main() {
  console.log(`Reconnect probe benchmark (median of ${RUNS} full runs; ${SAMPLES} samples per probe kind)\n`);

  // 1. The full suite, healthy.
  const healthy = await startScenario({});
  const healthyMs = await suiteTimes('full suite, healthy lab', () =>
    agentOnce(healthy.catalogPath, healthy.env),
  );

  // 2. The full suite where every packet to the lab is dropped.
  const ns = await createLabNetns();
  let droppedMs = 0;
  try {
    const dropped = await startScenario({ netns: ns });
    // Drop what comes back, not what goes out: an OUTPUT drop makes Linux fail the send at
    // once (EPERM), while a network that swallows packets leaves the sender waiting.
    await ns.iptables('-A', 'INPUT', '-s', ns.hostAddress, '-j', 'DROP');
    droppedMs = await suiteTimes('full suite, every packet dropped', () =>
      agentOnce(dropped.catalogPath, dropped.env, ns),
    );
    await dropped.close();
  } finally {
    await ns.close();
  }
  console.log(
    `budgets: healthy < 2000 ms: ${healthyMs < 2000 ? 'met' : 'MISSED'}; dropped < 10000 ms: ${droppedMs < 10000 ? 'met' : 'MISSED'}\n`,
  );

  // 3. A 30-second watch on the healthy lab: its figures, and whether it ended on time
  // (the window opens after the full check; no round may run past its end).
  {
    const watchMs = Number(process.env.BENCH_WATCH_SECONDS ?? 30) * 1000;
    const started = performance.now();
    const run = await runAgent(
      ['check', '--catalog', healthy.catalogPath, '--json', '--watch', `${watchMs / 1000}s`],
      healthy.env,
      { entry: AGENT_SOURCES, timeoutMs: watchMs + 30_000 },
    );
    const wall = performance.now() - started;
    const w = run.report?.watch;
    if (!w) throw new Error(`watch run failed: ${run.stderr}`);
    const over = run.report!.durationMs - w.firstCheckMs - watchMs;
    console.log(
      `--watch ${watchMs / 1000}s, healthy lab: ${w.rounds} rounds, first check ${w.firstCheckMs} ms, whole report ${run.report!.durationMs} ms, whole command ${Math.round(wall)} ms; ended ${over} ms after the window (${over < 1000 ? 'on time' : 'LATE'})`,
    );
    for (const e of w.endpoints)
      console.log(
        `  ${e.host.padEnd(22)} failed ${e.failed}/${e.rounds}  p50 ${e.latencyMs?.p50 ?? '-'} ms  p90 ${e.latencyMs?.p90 ?? '-'} ms  max ${e.latencyMs?.max ?? '-'} ms`,
      );
    console.log('');
  }

  // 4. Per probe kind against blackbox_exporter, same targets, same run.
  const catalog = JSON.parse(
    await (await import('node:fs/promises')).readFile(healthy.catalogPath, 'utf8'),
  ) as Catalog;
  const auth = catalog.endpoints[0];
  const dnsServer = healthy.env.RECONNECT_SYSTEM_RESOLVER;
  const ctx: ProbeContext = {
    interlock: createInterlock({ enabled: true }),
    systemResolver: dnsServer,
    proxy: { source: 'none', forUrl: async () => null },
    trustedCa: [healthy.pki.microsoftRoot.certPem],
    catalog,
    now: () => Date.now(),
  };
  const ours = async (
    probe: (o: { signal: AbortSignal; deadline: number; ctx: ProbeContext }) => Promise<ProbeResult<object>>,
  ) => {
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const result = await probe({ signal: AbortSignal.timeout(5000), deadline: Date.now() + 5000, ctx });
      if (result.status !== 'pass') throw new Error(`${result.id} did not pass: ${result.failure?.detail}`);
      times.push(result.durationMs);
    }
    return median(times);
  };
  const port = Number(
    (
      await runProcess(process.execPath, [
        '-e',
        "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
      ])
    ).stdout,
  );
  const blackbox = await startBlackbox(healthy.dir, healthy.env.NODE_EXTRA_CA_CERTS, port);
  try {
    const theirs = async (module: string, target: string) => {
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const r = await blackboxProbe(blackbox.url, module, target);
        if (!r.ok) throw new Error(`blackbox ${module} ${target} failed`);
        times.push(r.ms);
      }
      return median(times);
    };
    const hostPort = `127.0.0.1:${auth.port}`;
    const rows: Array<[string, number, number]> = [
      [
        'dns (direct query)',
        await ours((o) => probeDns({ host: auth.host, resolver: dnsServer }, o)),
        await theirs('dns', dnsServer),
      ],
      [
        'tcp connect',
        await ours((o) => probeTcp({ host: '127.0.0.1', port: auth.port }, o)),
        await theirs('tcp', hostPort),
      ],
      [
        'tls handshake',
        await ours((o) => probeTls({ host: auth.host, port: auth.port }, o)),
        await theirs('tls', hostPort),
      ],
      [
        'https GET',
        await ours((o) => probeHttps({ host: auth.host, port: auth.port }, o)),
        await theirs('https', `https://${hostPort}/`),
      ],
    ];
    console.log('probe kind            ours (ms)   blackbox (ms)   ratio ours/blackbox');
    for (const [name, a, b] of rows) {
      console.log(
        `${name.padEnd(20)} ${a.toFixed(2).padStart(9)}   ${b.toFixed(2).padStart(13)}   ${(a / b).toFixed(2).padStart(8)}`,
      );
    }
    console.log(
      "\n(ours: the probe's durationMs, which includes resolving the lab name where blackbox gets an address;",
    );
    console.log(' blackbox: its probe_duration_seconds for the same target.)');
  } finally {
    blackbox.child.kill();
    await healthy.close();
  }
}

await main();
