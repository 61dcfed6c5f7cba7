/**
 * The Windows side of the build, with Debian's osslsigncode: the official node.exe's Authenticode
 * signature comes off before injection (injection breaks it, and a broken signature warns worse
 * than none), and the operator's certificate can go on after.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { AgentBuildConfig } from './config.ts';

const run = promisify(execFile);

/** `source` without its signature, kept beside it in the cache (the result never changes). */
export async function unsignedCopy(source: string): Promise<string> {
  const out = join(dirname(source), 'unsigned.exe');
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  await run('osslsigncode', ['remove-signature', '-in', source, '-out', tmp]);
  await rename(tmp, out);
  return out;
}

/**
 * Signs `file` in place with the operator's PFX (SHA-256, description "Reconnect agent"). The
 * password goes through a private file, not the command line, unless a timestamp server is
 * set (osslsigncode takes -readpass only without -ts).
 */
export async function authenticodeSign(
  file: string,
  sign: NonNullable<AgentBuildConfig['sign']>,
): Promise<void> {
  const dir = await mkdtemp(join(dirname(file), '.sign-'));
  try {
    const out = join(dir, 'signed.exe');
    const args = ['sign', '-pkcs12', sign.pfx, '-h', 'sha256', '-n', 'Reconnect agent'];
    if (sign.timestampUrl) args.push('-pass', sign.password, '-ts', sign.timestampUrl);
    else {
      const pass = join(dir, 'pass');
      await writeFile(pass, sign.password, { mode: 0o600 });
      args.push('-readpass', pass);
    }
    await run('osslsigncode', [...args, '-in', file, '-out', out]);
    await rename(out, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
