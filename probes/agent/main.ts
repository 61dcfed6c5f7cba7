/**
 * The agent's process entry: the one place that hands the real environment and streams to the
 * CLI. No top-level await: the one-file bundle is CommonJS inside its loader. Started with no
 * arguments (a double-click), it pairs from its own file name instead (launch.ts).
 */
import { isSea } from 'node:sea';
import { main } from './cli.ts';
import { launch, ownPath } from './launch.ts';

const argv = process.argv.slice(2);
// The environment is agent/config.ts's to read (its one reader), so none is passed here.
const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
const self = ownPath({ isSea: isSea(), execPath: process.execPath, argv: process.argv });

(argv.length === 0 ? launch(self, io) : main(argv, io)).then(
  (code) => {
    process.exitCode = code;
    // Enter was read: the standard input has done its job and must not keep the process up.
    if (argv.length === 0) process.stdin.destroy();
  },
  (err: unknown) => {
    process.stderr.write(`reconnect-agent: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 2;
  },
);
