/**
 * The first message of every agent connection. With a pairing code: redeem it once, mint the
 * agent's identity and secret (the secret is returned once and stored only as a hash), and
 * announce the device so the chat asks the user to confirm it before any job runs. With an
 * agent id and secret: check them (rate-limited like codes), refuse a revoked agent, and mark
 * it online again.
 */
import type { AgentMessage, HelloErrorReason } from '../../probes/agent/protocol.ts';
import type { Session } from '../core/types.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { type AgentEventSink, caseLabel, eventBase, pairedDevice } from './events.ts';
import type { Pairing, RedeemFailure } from './pairing.ts';
import { type AgentRecords, hashSecret, newAgentId, newSecret, secretMatches } from './records.ts';

export type HelloOutcome =
  | {
      ok: true;
      agentId: string;
      sessionId: string;
      caseLabel: string;
      /** Only on first pairing. */
      secret?: string;
      /** Tells the core and the audit log; run after hello.ok went out. */
      announce(): Promise<void>;
    }
  | { ok: false; reason: HelloErrorReason; message: string };

export type Hello = (message: Extract<AgentMessage, { type: 'hello' }>, ip: string) => Promise<HelloOutcome>;

const REDEEM_MESSAGES: Record<RedeemFailure, string> = {
  invalid_code:
    'this pairing code is not valid: compare it with the one in the chat, or ask the chat for a new one',
  expired: 'this pairing code has expired: ask the chat for a new one',
  redeemed: 'this pairing code was already used: ask the chat for a new one',
  rate_limited: 'too many wrong codes from this network: wait a minute, then try again',
};

export function helloHandler(deps: {
  store: Pick<Store<Session>, 'sessions' | 'audit'>;
  records: AgentRecords;
  pairing: Pairing;
  sink: AgentEventSink;
  log: Logger;
  now(): number;
  replicaId: string;
}): Hello {
  const { store, records, log, now } = deps;
  const refuse = (
    reason: HelloErrorReason,
    message: string,
    fields: Record<string, unknown>,
  ): HelloOutcome => {
    log.warn('agent hello refused', { reason, ...fields });
    return { ok: false, reason, message };
  };
  const liveSession = async (sessionId: string) => {
    const session = await store.sessions.get(sessionId);
    return session && session.state !== 'resolved' ? session : undefined;
  };

  const pair = async (
    code: string,
    message: Extract<AgentMessage, { type: 'hello' }>,
    ip: string,
  ): Promise<HelloOutcome> => {
    const redeemed = await deps.pairing.redeem(code, ip);
    if (!redeemed.ok) return refuse(redeemed.reason, REDEEM_MESSAGES[redeemed.reason], { ip });
    const session = await liveSession(redeemed.pairing.sessionId);
    if (!session)
      return refuse('session_gone', 'the chat this code belongs to has ended: start again in the chat', {
        ip,
      });
    const agentId = newAgentId();
    const secret = newSecret();
    await records.create({
      agentId,
      sessionId: session.id,
      replicaId: deps.replicaId,
      online: true,
      lastSeenAt: now(),
      data: {
        secretHash: hashSecret(secret),
        device: message.device,
        pairedAt: now(),
        source: ip,
        jobs: {},
        finished: [],
      },
    });
    return {
      ok: true,
      agentId,
      sessionId: session.id,
      caseLabel: caseLabel(session),
      secret,
      async announce() {
        await store.audit.append({
          sessionId: session.id,
          kind: 'agent_paired',
          actor: `agent:${agentId}`,
          data: { agentId, device: message.device, source: ip },
        });
        await deps.sink({
          ...eventBase(session, `agent-paired:${agentId}`, agentId, now()),
          kind: 'paired',
          device: pairedDevice(message.device, agentId),
        });
      },
    };
  };

  const rejoin = async (
    agentId: string,
    secret: string,
    message: Extract<AgentMessage, { type: 'hello' }>,
    ip: string,
  ): Promise<HelloOutcome> => {
    // Secrets are 256 bits, but the limiter still bounds how fast anyone can try.
    if (!(await deps.pairing.limiter.take(ip)))
      return refuse('rate_limited', REDEEM_MESSAGES.rate_limited, { ip });
    const record = await records.get(agentId);
    if (!record || !secretMatches(secret, record.data.secretHash)) {
      return refuse(
        'unauthorized',
        'this computer is not paired with any chat: ask the chat for a new code',
        { ip, agentId },
      );
    }
    await deps.pairing.limiter.refund(ip);
    if (record.data.revoked)
      return refuse('revoked', 'this computer was disconnected from the case: ask the chat for a new code', {
        agentId,
      });
    const session = await liveSession(record.sessionId);
    if (!session)
      return refuse('session_gone', 'the chat this computer was paired with has ended', { agentId });
    const d = record.data.device;
    if (d.name !== message.device.name || d.os !== message.device.os) {
      log.warn('agent reconnected reporting another device than it paired with', {
        agentId,
        paired: d,
        now: message.device,
      });
    }
    await records.update(agentId, (r) => {
      r.online = true;
      r.replicaId = deps.replicaId;
      r.lastSeenAt = now();
    });
    return {
      ok: true,
      agentId,
      sessionId: session.id,
      caseLabel: caseLabel(session),
      announce: async () => {},
    };
  };

  return (message, ip) =>
    message.code !== undefined
      ? pair(message.code, message, ip)
      : rejoin(message.agentId!, message.secret!, message, ip);
}
