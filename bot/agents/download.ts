/**
 * Serves the one-file agent (dist/reconnect-agent.js, built by scripts/build.ts) at
 * /agent/reconnect-agent.js, with its SHA-256 in the response headers and in a sha256sum-style
 * file beside it, so a user or an admin can check what they run. The digest is computed once
 * per build of the file (its size and modification time), not per download.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../log.ts';

export const AGENT_FILE = 'reconnect-agent.js';
export const AGENT_URL_PATH = `/agent/${AGENT_FILE}`;
export const DEFAULT_AGENT_BUNDLE = fileURLToPath(new URL(`../../dist/${AGENT_FILE}`, import.meta.url));

export interface AgentBundle {
  body: Buffer;
  sha256: string;
}

/** Reads the bundle, caching it and its digest until the file changes. */
export function agentBundleReader(path: string): () => Promise<AgentBundle | undefined> {
  let cached: { key: string; bundle: AgentBundle } | undefined;
  return async () => {
    let key: string;
    try {
      const s = await stat(path);
      key = `${s.size}:${s.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if (cached?.key !== key) {
      const body = await readFile(path);
      cached = { key, bundle: { body, sha256: createHash('sha256').update(body).digest('hex') } };
    }
    return cached.bundle;
  };
}

/** The route module: GET /agent/reconnect-agent.js and /agent/reconnect-agent.js.sha256. */
export function agentDownloadRoutes(options: { log: Logger; bundlePath?: string }) {
  const read = agentBundleReader(options.bundlePath ?? DEFAULT_AGENT_BUNDLE);

  const serve =
    (variant: 'file' | 'sha256') =>
    (req: Request, res: Response, next: () => void): void => {
      read()
        .then((bundle) => {
          if (!bundle) {
            res.send(503, {
              error: {
                code: 'NotBuilt',
                message: `the agent is not built: run npm run build (expected dist/${AGENT_FILE})`,
              },
            });
            return;
          }
          res.setHeader('Cache-Control', 'no-cache');
          res.setHeader('ETag', `"${bundle.sha256}"`);
          res.setHeader('X-Checksum-Sha256', bundle.sha256);
          if (variant === 'sha256') {
            res.setHeader('Content-Type', 'text/plain; charset=utf-8');
            res.writeHead(200);
            res.end(`${bundle.sha256}  ${AGENT_FILE}\n`);
            return;
          }
          res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
          res.setHeader('Content-Disposition', `attachment; filename="${AGENT_FILE}"`);
          // RFC 9530: the digest of the representation, for clients that check it themselves.
          res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(bundle.sha256, 'hex').toString('base64')}:`);
          if (req.headers['if-none-match'] === `"${bundle.sha256}"`) {
            res.writeHead(304);
            res.end();
            return;
          }
          res.writeHead(200);
          res.end(bundle.body);
        })
        .catch((error: unknown) => {
          options.log.error('agent download failed', { error });
          res.send(500, { error: { code: 'ServiceError', message: 'the agent file could not be read' } });
        })
        .finally(() => next());
    };

  return (server: Server): void => {
    server.get(AGENT_URL_PATH, serve('file'));
    server.get(`${AGENT_URL_PATH}.sha256`, serve('sha256'));
  };
}
