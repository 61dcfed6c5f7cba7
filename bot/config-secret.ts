/**
 * The Direct Line secret when none is configured: the one persisted in DATA_DIR, else a new
 * random one written there (mode 0600), so web chat tokens stay valid across restarts without
 * any setup. Part of loading the config (bot/config.ts); it reads files, never the environment.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.ts';

const SECRET_FILE = 'directline-secret';

export function persistedSecret(dataDir: string): {
  directLineSecret: string;
  directLineSecretSource: 'file' | 'generated';
} {
  const file = join(dataDir, SECRET_FILE);
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 32) return { directLineSecret: stored, directLineSecretSource: 'file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`DATA_DIR: cannot read ${file}: ${(error as Error).message}`);
    }
  }
  const secret = randomBytes(32).toString('base64url');
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (error) {
    throw new ConfigError(`DATA_DIR is "${dataDir}": cannot write ${file}: ${(error as Error).message}`);
  }
  return { directLineSecret: secret, directLineSecretSource: 'generated' };
}
