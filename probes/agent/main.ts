/**
 * The agent's process entry: hands the real streams to the CLI, which leaves the environment to
 * agent/config.ts (its one reader). No top-level await: the one-file bundle is CommonJS inside
 * its loader.
 */
import { main } from './cli.ts';

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`reconnect-agent: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 2;
  },
);
