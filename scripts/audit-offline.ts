/**
 * Lists the production dependencies package-lock.json pins, one `name version` a line, for a
 * security review done by hand where `npm audit` cannot reach the advisory endpoint (see the
 * README, "Dependencies and advisories"). Reads the lockfile only, so it needs no install and
 * shows what the container keeps after `npm prune --omit=dev`.
 *
 *   npm run audit:offline            name, version(s) and how many copies, sorted by name
 *   npm run audit:offline -- --json  the same as JSON: { name: [versions] }
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The part of a lockfile v3 entry this script reads. */
type LockEntry = { version?: string; dev?: boolean; link?: boolean };

/**
 * Production packages from a lockfile v3 `packages` map: every entry not marked `dev`, keyed by
 * package name (the path after its last `node_modules/`), each with its distinct versions.
 */
export function productionPackages(
  packages: Record<string, LockEntry>,
): Map<string, { versions: string[]; copies: number }> {
  const found = new Map<string, { versions: string[]; copies: number }>();
  for (const [path, entry] of Object.entries(packages)) {
    if (path === '' || entry.dev || entry.link || !entry.version) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const seen = found.get(name) ?? { versions: [], copies: 0 };
    if (!seen.versions.includes(entry.version)) seen.versions.push(entry.version);
    seen.copies += 1;
    found.set(name, seen);
  }
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
  const list = productionPackages(lock.packages ?? {});
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(Object.fromEntries([...list].map(([n, p]) => [n, p.versions])), null, 2));
  } else {
    for (const [name, { versions, copies }] of list) {
      console.log(`${name} ${versions.join(', ')}${copies > 1 ? ` (${copies} copies)` : ''}`);
    }
    console.log(`${list.size} production packages in package-lock.json`);
  }
}
