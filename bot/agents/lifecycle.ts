/**
 * What the gateway does after a conversation turn, read from the engine's own result (its
 * effects and the session it saved), so the pure core needs no port for it: a device the user
 * rejected ("No, not mine") loses its secret and its connection at once, and a resolved case
 * tells its agents to exit. Either is best effort: a failure is logged, never thrown back into
 * the turn that already happened.
 */
import type { HandleResult } from '../core/engine.ts';
import type { TurnStep } from '../core/pipeline.ts';
import type { Logger } from '../log.ts';
import type { AgentGateway } from './gateway.ts';

/** The agent ids a turn's `pairing_rejected` audit effects name (the device the user refused). */
export function rejectedAgents(result: HandleResult): string[] {
  const ids: string[] = [];
  for (const effect of result.effects) {
    if (effect.type !== 'audit' || effect.entry.kind !== 'pairing_rejected') continue;
    const device = effect.entry.data?.device as { agentId?: unknown } | undefined;
    if (typeof device?.agentId === 'string') ids.push(device.agentId);
  }
  return ids;
}

/** A step after every turn (createEngine's `steps`): revoke rejected devices, end resolved cases. */
export function agentLifecycle(gateway: Pick<AgentGateway, 'revoke' | 'endCase'>, log: Logger): TurnStep {
  return { after: (_turn, result) => afterTurn(gateway, log, result) };
}

async function afterTurn(
  gateway: Pick<AgentGateway, 'revoke' | 'endCase'>,
  log: Logger,
  result: HandleResult,
): Promise<void> {
  if (result.outcome !== 'applied' || !result.session) return;
  const session = result.session;
  try {
    for (const agentId of rejectedAgents(result))
      await gateway.revoke(agentId, 'the person in the chat said this is not their computer');
    if (session.state === 'resolved') await gateway.endCase(session.id);
  } catch (error) {
    log.error('agent lifecycle after a turn failed', { sessionId: session.id, error });
  }
}
