/**
 * `reconnect-agent pair CODE [--server URL]`: joins the chat that showed CODE over an outbound
 * WebSocket, says whose case it joined, runs the jobs the bot sends and streams their
 * progress. When the bot cannot be reached (the network is what is broken) it runs the checks
 * anyway, prints the report and the result code to type into the chat, and keeps trying to
 * connect for some minutes.
 */
import { hostname, release } from 'node:os';
import type { AskConsent } from '../actions/consent.ts';
import type { executeAction } from '../actions/run.ts';
import type { Report } from '../report.ts';
import { encodeResultCode } from '../result-code.ts';
import type { Timers } from '../timers.ts';
import type { Catalog } from '../types.ts';
import type { CheckOptions } from './check.ts';
import { type AgentConfig, ConfigError } from './config.ts';
import { createJobGuard } from './job-guard.ts';
import { createJobRunner } from './jobs.ts';
import { type Backoff, type Connect, DEFAULT_RETRY_FOR_MS, openLink } from './link.ts';
import { formatPairingCode, normalizePairingCode } from './pairing-code.ts';
import {
  type AgentMessage,
  CLOSE,
  type DeviceInfo,
  encode,
  parseServerMessage,
  type ResultMessage,
  refusableJobId,
} from './protocol.ts';
import { progressPrinter, summaryText, type Writer } from './render.ts';
import { agentsUrl } from './server-url.ts';
import { AGENT_VERSION } from './version.ts';

export interface PairOptions {
  code: string;
  server: string;
  config: AgentConfig;
  catalog: Catalog;
  out: Writer;
  err: Writer & { isTTY?: boolean };
  consent: AskConsent;
  runCheck(options: CheckOptions): Promise<Report>;
  executeAction?: typeof executeAction;
  device?: DeviceInfo;
  connect?: Connect;
  timers?: Timers;
  random?: () => number;
  backoff?: Backoff;
  retryForMs?: number;
  /** Printed after each result sent to the chat. */
  nextSteps?: string;
}

/** This computer as the chat shows it for confirmation. */
export function thisDevice(config: AgentConfig): DeviceInfo {
  const os =
    config.platform === 'win32' ? 'windows' : config.platform === 'darwin' ? 'macos' : config.platform;
  // Control characters would be refused by the protocol; a host name never needs them.
  const clean = (s: string, fallback: string) =>
    s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').slice(0, 128) || fallback;
  return {
    name: clean(hostname(), 'unknown'),
    os,
    osVersion: clean(release(), 'unknown'),
    agentVersion: AGENT_VERSION,
  };
}

/** Runs the pairing session to its end; resolves to the process exit status. */
export async function runPair(options: PairOptions): Promise<number> {
  const { out, err, config, catalog } = options;
  const code = normalizePairingCode(options.code);
  if (!code) {
    throw new ConfigError(
      `"${options.code}" is not a pairing code: expected the 10 letters and digits shown in the chat, e.g. 7K3M9-QXT4H`,
    );
  }
  const url = agentsUrl(options.server, config);
  const device = options.device ?? thisDevice(config);
  const now = options.timers?.now ?? Date.now;
  let credentials: { agentId: string; secret: string } | undefined;
  let joined = false;
  let exitStatus: number | undefined;
  let fallback: Promise<void> | undefined;
  /** Results the server has not acknowledged by a later hello.ok (kept across reconnects). */
  const pending = new Map<string, ResultMessage>();

  const send = (message: AgentMessage) => link.send(encode(message));
  const jobs = createJobRunner({
    config,
    catalog,
    guard: createJobGuard({ catalog, platform: config.platform, home: config.home, folders: config.folders }),
    consent: options.consent,
    runCheck: options.runCheck,
    executeAction: options.executeAction,
    send,
    deliver(result) {
      pending.set(result.jobId, result);
      if (send(result)) pending.delete(result.jobId);
    },
    out,
    err,
    now,
    nextSteps: options.nextSteps,
  });

  const runFallback = async () => {
    out.write(
      '\nThe helpdesk bot cannot be reached from here, so this computer checks the network on its own.\n',
    );
    const report = await options.runCheck({
      config,
      catalog,
      now,
      onProgress: progressPrinter(err, { tty: Boolean(err.isTTY) }),
    });
    out.write(summaryText(report));
    printResultCode(report);
  };

  const printResultCode = (report: Report) => {
    out.write(
      `\nResult code: ${encodeResultCode(report)}\nType this code into the chat on your phone; the helpdesk bot will carry on from it.\n`,
    );
  };

  const onMessage = (text: string) => {
    let message: ReturnType<typeof parseServerMessage>;
    try {
      message = parseServerMessage(text);
    } catch (e) {
      err.write(`reconnect-agent: ignored a message from the server: ${(e as Error).message}\n`);
      const jobId = refusableJobId(text);
      if (jobId && credentials) jobs.refuse(jobId, (e as Error).message);
      return;
    }
    switch (message.type) {
      case 'ping':
        send({ v: 1, type: 'pong' });
        return;
      case 'hello.ok':
        link.healthy();
        if (message.secret) credentials = { agentId: message.agentId, secret: message.secret };
        if (!joined) {
          joined = true;
          out.write(
            `\nJoined ${message.caseLabel}.\nIn the chat, confirm that this is your computer (${device.name}, ${device.os}); the checks start after that.\n`,
          );
        }
        for (const [jobId, result] of pending) if (send(result)) pending.delete(jobId);
        return;
      case 'hello.error':
        err.write(`reconnect-agent: the helpdesk bot refused this computer: ${message.message}\n`);
        if (message.reason === 'rate_limited') return link.drop();
        exitStatus = 2;
        return link.stop();
      case 'job':
        if (!credentials) return err.write('reconnect-agent: ignored a job sent before pairing finished\n');
        return jobs.handle(message);
      case 'cancel':
        return jobs.cancel(message.jobId);
    }
  };

  const link = openLink({
    url,
    connect: options.connect,
    timers: options.timers,
    random: options.random,
    backoff: options.backoff,
    retryForMs: options.retryForMs,
    final: (c) => c === CLOSE.caseClosed || c === CLOSE.revoked || c === CLOSE.refused,
    onOpen() {
      const running = [...new Set([...jobs.active(), ...pending.keys()])];
      const who = credentials ? { agentId: credentials.agentId, secret: credentials.secret } : { code };
      send({ v: 1, type: 'hello', ...who, device, ...(running.length > 0 ? { running } : {}) });
    },
    onMessage,
    onDown({ wasUp, reason, nextInMs }) {
      const why = reason ? ` (${reason})` : '';
      if (nextInMs !== undefined) {
        out.write(
          `${wasUp ? 'Lost the connection to' : 'Cannot reach'} the helpdesk bot at ${options.server}${why}; trying again in ${Math.ceil(nextInMs / 1000)} s.\n`,
        );
      }
      if (!joined && !fallback)
        fallback = runFallback().catch(
          (e) => void err.write(`reconnect-agent: the checks failed: ${(e as Error).message}\n`),
        );
    },
  });

  out.write(`Connecting to the helpdesk bot at ${options.server} with code ${formatPairingCode(code)}…\n`);
  const end = await link.ended;
  await fallback;
  if (end.why === 'final') {
    if (end.code === CLOSE.caseClosed)
      out.write('\nThe helpdesk closed the case. You can close this window.\n');
    else err.write(`reconnect-agent: the helpdesk bot ended the connection: ${end.reason || end.code}\n`);
    return end.code === CLOSE.caseClosed ? 0 : 1;
  }
  if (end.why === 'gave_up') {
    for (const result of pending.values()) if ('report' in result) printResultCode(result.report);
    out.write(
      `\nGave up reaching the helpdesk bot after ${Math.round((options.retryForMs ?? DEFAULT_RETRY_FOR_MS) / 60_000)} minutes: ${end.lastError}.\n`,
    );
    if (!joined)
      out.write(
        'Type the result code above into the chat, or run this command again when the network is back.\n',
      );
    return 1;
  }
  return exitStatus ?? 0;
}
