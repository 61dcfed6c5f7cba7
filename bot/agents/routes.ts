/**
 * The agent gateway's route module for bot/server.ts: claims WebSocket upgrades at
 * /api/agents and closes the gateway at shutdown. (The download route is download.ts.)
 */
import { AGENTS_PATH } from '../../probes/agent/protocol.ts';
import type { RouteModule } from '../server.ts';
import type { AgentGateway } from './gateway.ts';

/** The route module for bot/server.ts: claims WebSocket upgrades at /api/agents. */
export function agentGatewayRoutes(gateway: AgentGateway): RouteModule {
  return (_server, context) => {
    context.onUpgrade(
      (pathname) => pathname === AGENTS_PATH,
      (req, socket, head) => gateway.handleUpgrade(req, socket, head),
    );
    context.onClose(() => gateway.close());
  };
}
