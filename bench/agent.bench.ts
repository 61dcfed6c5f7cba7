/**
 * npm run bench:agent: the one-file agent's size, the cold start of `check --help` beside a
 * bare `node -e ''` in the same run, and the peak RSS of a full check on a healthy lab.
 * Budgets (DESIGN.md): under 1 MB, under 200 ms, under 80 MB.
 */
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { buildAgent } from '../scripts/build.ts';
import { startScenario } from '../test/lab/scenario.ts';

const RUNS = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs a command to its end; returns wall time and the peak resident set (VmHWM) seen. */
function measure(
  args: string[],
  env: Record<string, string>,
): Promise<{ ms: number; peakKb: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'ignore'] });
    let peakKb = 0;
    // VmHWM is the process's own high-water mark, so the last read before exit is its peak.
    const poll = setInterval(async () => {
      try {
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {}
    }, 5);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ ms: performance.now() - started, peakKb, code });
    });
  });
}

async function main() {
  const built = await buildAgent();
  const size = (await stat(built.path)).size;
  console.log(
    `bundle             ${size} bytes (${(size / 1024).toFixed(0)} KiB; code ${built.codeBytes} bytes before compression)  budget < 1 MB: ${size < 1_000_000 ? 'met' : 'MISSED'}`,
  );

  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const bare: number[] = [];
  const help: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push((await measure(['-e', ''], env)).ms);
    help.push((await measure([built.path, 'check', '--help'], env)).ms);
  }
  const helpMs = median(help);
  const bareMs = median(bare);
  console.log(
    `cold start         check --help ${helpMs.toFixed(0)} ms   bare node -e '' ${bareMs.toFixed(0)} ms   ratio ${(helpMs / bareMs).toFixed(2)}   budget < 200 ms: ${helpMs < 200 ? 'met' : 'MISSED'}`,
  );

  const lab = await startScenario({});
  try {
    const peaks: number[] = [];
    for (let i = 0; i < 5; i++) {
      const run = await measure([built.path, 'check', '--catalog', lab.catalogPath, '--json'], lab.env);
      if (run.code !== 0) throw new Error(`full check exited ${run.code} on the healthy lab`);
      peaks.push(run.peakKb);
    }
    const bareRss = (await measure(['-e', 'setTimeout(() => {}, 50)'], env)).peakKb;
    const peakMb = median(peaks) / 1024;
    console.log(
      `peak RSS           full check ${peakMb.toFixed(1)} MB   bare node ${(bareRss / 1024).toFixed(1)} MB   budget < 80 MB: ${peakMb < 80 ? 'met' : 'MISSED'}`,
    );
  } finally {
    await lab.close();
  }
}

await main();
