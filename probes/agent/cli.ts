/**
 * `reconnect-agent`: the command line of CONTRACTS.md. Exit 0 healthy, 1 problems found (or
 * inconclusive), 2 usage or configuration error, with a message that names what was wrong and
 * what is accepted.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { builtInCatalog, CLOUDS, isCloudName, loadCatalogFile } from '../catalog/index.ts';
import { parseDuration } from '../watch.ts';
import { runCheck } from './check.ts';
import { ConfigError, type Env, loadAgentConfig } from './config.ts';
import { pairCommand } from './pair-command.ts';
import { progressPrinter, summaryText, watchPrinter } from './render.ts';
import { AGENT_VERSION } from './version.ts';

export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** The environment; omitted, agent/config.ts reads the process's own. */
  env?: Env;
}

export const USAGE = `Usage:
  reconnect-agent check [--cloud commercial|gcch|dod|china] [--catalog FILE] [--json] [--out FILE] [--pac URL] [--watch DURATION]
  reconnect-agent pair CODE [--server URL]
  reconnect-agent --help | --version

check   runs every network check for Teams sign-in from this computer and names the cause.
        --cloud    which Microsoft cloud's endpoints to check (default commercial)
        --catalog  a catalog file that replaces the built-in one (CONTRACTS.md format)
        --json     print only the report JSON on standard output
        --out      also write the report JSON to FILE
        --pac      use this PAC file instead of the computer's proxy settings (try one before rollout)
        --watch    after the full check, keep re-checking for DURATION (30s, 5m, 1h) while you try
                   to sign in, and report per endpoint how often it failed: for problems that come and go
pair    joins the chat that showed CODE and runs the checks the helpdesk bot asks for.

Exit status: 0 healthy, 1 problems found, 2 usage or configuration error.
`;

class UsageError extends Error {}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    // A ConfigError covers every refused input: settings, catalogs, proxy settings.
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.stderr.write(`reconnect-agent: ${err.message}\n`);
      if (err instanceof UsageError) io.stderr.write(`\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }
  if (command === 'check') return check(rest, io);
  if (command === 'pair') return pair(rest, io);
  throw new UsageError(`unknown command "${command}"; accepted: check, pair, --help, --version`);
}

function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(
  args: string[],
  options: T,
  command: string,
) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const accepted = Object.keys(options)
      .map((o) => `--${o}`)
      .join(', ');
    throw new UsageError(
      `${command}: ${(err as Error).message.split('\n')[0]} (accepted: ${accepted}, --help)`,
    );
  }
}

async function check(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      cloud: { type: 'string' },
      catalog: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      pac: { type: 'string' },
      watch: { type: 'string' },
    },
    'check',
  );
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`check takes no arguments, got "${positionals.join(' ')}"`);
  const cloud = (values.cloud as string | undefined) ?? 'commercial';
  if (!isCloudName(cloud))
    throw new UsageError(`--cloud "${cloud}" is not a cloud; accepted: ${CLOUDS.join(', ')}`);
  if (values.cloud && values.catalog) {
    throw new UsageError('--cloud and --catalog cannot be combined: a catalog file names its own cloud');
  }
  const pacUrl = values.pac as string | undefined;
  if (pacUrl !== undefined && !/^https?:\/\/[^/\s]+/i.test(pacUrl)) {
    throw new UsageError(`--pac "${pacUrl}" is not a PAC file URL; expected http://… or https://…`);
  }
  let watchMs: number | undefined;
  if (values.watch !== undefined) {
    try {
      watchMs = parseDuration(values.watch as string);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const config = loadAgentConfig(io.env);
  const catalog = values.catalog ? loadCatalogFile(values.catalog as string) : builtInCatalog(cloud);
  const json = Boolean(values.json);
  const tty = Boolean(io.stderr.isTTY) && !json;
  const report = await runCheck({
    config,
    catalog,
    pacUrl,
    onProgress: progressPrinter(io.stderr, { tty }),
    ...(watchMs
      ? { watch: { durationMs: watchMs, onRound: watchPrinter(io.stderr, catalog.endpoints.length) } }
      : {}),
  });
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (values.out) await writeFile(values.out as string, text);
  io.stdout.write(json ? text : summaryText(report));
  return report.verdict === 'healthy' ? 0 : 1;
}

async function pair(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { server: { type: 'string' } }, 'pair');
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('pair takes exactly one pairing code, e.g. reconnect-agent pair 7K3M9-QXT4H');
  return pairCommand({ code: positionals[0], server: values.server as string | undefined, io });
}
