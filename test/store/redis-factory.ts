/**
 * The Redis store for the store contract suites: one redis-server per test file (started on
 * first use, no persistence), and one client with its own key prefix per store, so every test
 * starts from an empty store exactly as the SQLite factory's fresh directory does.
 */

import { openRedisStore } from '../../bot/store/redis.ts';
import { connectRedis } from '../../bot/store/redis-client.ts';
import type { Store, VersionedDoc } from '../../bot/store/types.ts';
import { type RedisServer, startRedis } from '../lab/redis.ts';

export function redisFactory() {
  let server: Promise<RedisServer> | undefined;
  let n = 0;
  return {
    async make<S extends VersionedDoc = VersionedDoc>(now: () => number = Date.now): Promise<Store<S>> {
      server ??= startRedis();
      const { url } = await server;
      const client = await connectRedis({ url, name: 'contract' });
      return openRedisStore<S>({ client, now, prefix: `t${++n}:` });
    },
    /** Two stores over one key prefix through two connections: what two replicas see. */
    async pair<S extends VersionedDoc = VersionedDoc>(): Promise<[Store<S>, Store<S>]> {
      server ??= startRedis();
      const { url } = await server;
      const prefix = `t${++n}:`;
      const open = async (name: string) =>
        openRedisStore<S>({ client: await connectRedis({ url, name }), prefix });
      return [await open('replica-a'), await open('replica-b')];
    },
    /** For `after`: stops the server if one was started. */
    async stop(): Promise<void> {
      if (server) await (await server).stop();
    },
  };
}
