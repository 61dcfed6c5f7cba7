/**
 * GET /metrics in Prometheus' text format. Served on the bot's one port like /healthz; the label
 * sets carry no user, conversation or host (bot/metrics.ts), so the page holds nothing personal.
 */
import type { Request, Response } from 'restify';
import type { Metrics } from './metrics.ts';
import type { RouteModule } from './server.ts';

export function metricsRoutes(metrics: Metrics): RouteModule {
  return (server, context) => {
    server.get('/metrics', (_req: Request, res: Response, next: () => void) => {
      metrics
        .render()
        .then((text) => {
          res.setHeader('Content-Type', metrics.registry.contentType);
          res.sendRaw(200, text);
        })
        .catch((error: unknown) => {
          context.log.error('metrics failed', { error });
          res.send(500, { error: 'metrics_failed' });
        })
        .finally(() => next());
    });
  };
}
