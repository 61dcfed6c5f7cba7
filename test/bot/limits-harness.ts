/**
 * Helpers for the limit tests (issue 16): a bot on 127.0.0.1 with some limits set through the
 * same settings an operator uses, and raw HTTP over a socket for what fetch cannot send (bodies
 * that lie about their encoding, headers that never end, bodies trickled slowly).
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { type RunningBot, type StartOptions, startBot } from '../../bot/app.ts';
import { echoBot } from '../../bot/channels/directline/echo.ts';
import { type Env, loadBotConfig } from '../../bot/config.ts';
import { silentLogger } from '../../bot/log.ts';

/** The echo bot (as directline-client.ts's startTestBot) with extra settings such as LIMIT_*. */
export async function startLimitedBot(
  dataDir: string,
  env: Env = {},
  options: Partial<StartOptions> = {},
): Promise<RunningBot> {
  const config = loadBotConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: 'test', ...env });
  return startBot({
    config,
    log: silentLogger,
    onActivity: echoBot,
    teams: false,
    agents: false,
    ...options,
  });
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after answering. */
  closed: boolean;
}

/** A connected socket to the bot, and what it has sent back so far. */
export async function rawSocket(url: string): Promise<{ socket: Socket; answer: () => Promise<RawAnswer> }> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  /** Resolves when the server has closed the connection, with what it said. */
  const answer = async (): Promise<RawAnswer> => {
    await ended;
    return parseAnswer(Buffer.concat(chunks).toString('latin1'), true);
  };
  return { socket, answer };
}

function parseAnswer(text: string, closed: boolean): RawAnswer {
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: rest.join('\r\n\r\n'), closed };
}

/** Sends one request (headers and body as given, nothing added) and reads the answer to its close. */
export async function rawRequest(url: string, head: string, body: Buffer | string = ''): Promise<RawAnswer> {
  const { socket, answer } = await rawSocket(url);
  socket.write(head);
  socket.write(body);
  return answer();
}

/** A request head with `Connection: close`, so the server ends the socket after answering. */
export function requestHead(
  method: string,
  path: string,
  headers: Record<string, string | number> = {},
): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** JSON text of exactly `bytes` bytes (an object with one padded string). */
export function jsonOfSize(bytes: number): string {
  const shell = '{"pad":""}';
  return `{"pad":"${'x'.repeat(bytes - shell.length)}"}`;
}
