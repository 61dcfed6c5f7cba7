/**
 * The agent's process entry: the one place that hands the real environment and streams to the
 * CLI. No top-level await: the one-file bundle is CommonJS inside its loader.
 */
import { main } from './cli.ts';

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`reconnect-agent: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 2;
  },
);
