/**
 * The `pair` command's wiring: configuration from the environment, the catalog (built-in, or
 * RECONNECT_CATALOG's file in the lab), the terminal consent prompt, and the real check.
 */
import { terminalConsent } from '../actions/consent.ts';
import { builtInCatalog, loadCatalogFile } from '../catalog/index.ts';
import { runCheck } from './check.ts';
import { ConfigError, type Env, loadAgentConfig } from './config.ts';
import { runPair } from './pair.ts';
import { proxiedConnect } from './transport.ts';

export interface PairIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Where consent is typed; defaults to the process's standard input. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The environment; omitted, agent/config.ts reads the process's own. */
  env?: Env;
}

export async function pairCommand(input: {
  code: string;
  server?: string;
  io: PairIo;
  /** Printed after each result (the double-clicked window says what to do next). */
  nextSteps?: string;
}): Promise<number> {
  const { io } = input;
  const config = loadAgentConfig(io.env);
  const server = input.server ?? config.server;
  if (!server) {
    throw new ConfigError(
      'pair needs --server URL: the address shown in the chat next to the code (or set RECONNECT_SERVER)',
    );
  }
  const catalog = config.catalogPath ? loadCatalogFile(config.catalogPath) : builtInCatalog('commercial');
  return runPair({
    code: input.code,
    server,
    config,
    catalog,
    out: io.stdout,
    err: io.stderr,
    consent: terminalConsent({ input: io.stdin ?? process.stdin, output: io.stdout }),
    runCheck,
    // Through the proxy the computer uses for the bot's URL, trusting the OS store (issue 12).
    connect: proxiedConnect({ config }),
    ...(input.nextSteps ? { nextSteps: input.nextSteps } : {}),
  });
}
