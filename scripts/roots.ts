/**
 * Writes the `microsoftRoots` of the built-in catalogs from the certificates themselves, so no
 * SPKI hash is ever typed by hand.
 *
 *   node scripts/roots.ts          rewrite probes/catalog/<cloud>.json where the roots differ
 *   node scripts/roots.ts --check  exit 1 if any file differs (CI), change nothing
 *
 * Certificates come from Node's bundled root store (`tls.rootCertificates`) and, for roots Node
 * no longer bundles, from PEM files in probes/catalog/roots/. Each one must match the SHA-1
 * thumbprint Microsoft publishes for it, so a same-named impostor cannot slip in.
 */
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { CLOUDS } from '../probes/catalog/index.ts';
import { spkiSha256FromPem } from '../probes/certs/spki.ts';
import type { CatalogRoot } from '../probes/types.ts';

/**
 * The roots Microsoft's TLS chains end at, with the SHA-1 thumbprints from "Azure Certificate
 * Authority details" (learn.microsoft.com/azure/security/fundamentals/azure-ca-details), whose
 * scope includes the government and national clouds. Baltimore CyberTrust Root is left out: it
 * expired in May 2025. The same set serves every cloud: 21Vianet's chains (DigiCert Basic RSA CN
 * CA G2) end at DigiCert Global Root CA, which is in it; a genuine root missing here would make
 * a real chain look like TLS inspection, an extra genuine root costs nothing.
 */
export const MICROSOFT_ROOTS = [
  { name: 'DigiCert Global Root CA', sha1: 'a8985d3a65e5e5c4b2d7d66d40c6dd2fb19c5436' },
  { name: 'DigiCert Global Root G2', sha1: 'df3c24f9bfd666761b268073fe06d1cc8d4f82a4' },
  { name: 'DigiCert Global Root G3', sha1: '7e04de896a3e666d00e687d33ffad93be83d349e' },
  { name: 'Microsoft RSA Root Certificate Authority 2017', sha1: '73a5e64a3bff8316ff0edccc618a906e4eae4d74' },
  { name: 'Microsoft ECC Root Certificate Authority 2017', sha1: '999a64c37ff47d9fab95f14769891460eec4c3c5' },
  // Microsoft's own root for the rotation away from DigiCert (issue 15). Self-signed, 2025-2040;
  // the same key is cross-signed by DigiCert Global Root G2, so one SPKI covers both chains.
  // The PEM (Microsoft's PKI repository, www.microsoft.com/pkiops/certs/) matches two pins
  // published independently: SHA-1 21734d95… (taskcluster's Azure root list) and SHA-256 of the
  // DER 6a170583db584151e1c454eeca2a64cc5d8e484a5bd1156e720b4458654ee9e5 (Azure/azhpc-images'
  // install_microsoft_tls_root_g2.sh); its self-signature verifies with node-forge.
  { name: 'Microsoft TLS RSA Root G2', sha1: '21734d95a2473be25cbfd12a84c6fbc5bc8e2414' },
];

const CATALOG_DIR = fileURLToPath(new URL('../probes/catalog/', import.meta.url));
const EXTRA_ROOTS_DIR = join(CATALOG_DIR, 'roots');

function commonName(cert: X509Certificate): string | undefined {
  return /^CN=(.*)$/m.exec(cert.subject)?.[1];
}

/** Node's bundled roots first, then the PEM files kept for roots Node has dropped. */
function candidatePems(): string[] {
  const extra = readdirSync(EXTRA_ROOTS_DIR)
    .filter((name) => name.endsWith('.pem'))
    .map((name) => readFileSync(join(EXTRA_ROOTS_DIR, name), 'utf8'));
  return [...rootCertificates, ...extra];
}

/** The `microsoftRoots` every built-in catalog carries, computed from the certificates. */
export function computeRoots(): CatalogRoot[] {
  const pems = candidatePems();
  return MICROSOFT_ROOTS.map(({ name, sha1 }) => {
    const pem = pems.find((p) => commonName(new X509Certificate(p)) === name);
    if (pem === undefined) {
      throw new Error(
        `root "${name}" is neither in Node's bundled store nor in ${EXTRA_ROOTS_DIR}; add its PEM there`,
      );
    }
    const thumbprint = new X509Certificate(pem).fingerprint.replaceAll(':', '').toLowerCase();
    if (thumbprint !== sha1) {
      throw new Error(`root "${name}" has SHA-1 thumbprint ${thumbprint}; Microsoft publishes ${sha1}`);
    }
    return { name, spkiSha256: spkiSha256FromPem(pem) };
  });
}

export interface RootsRun {
  check: boolean;
  /** Where the <cloud>.json files are; tests point it at a copy. */
  dir?: string;
  log?: (line: string) => void;
}

/** Compares (and unless `check`, rewrites) each catalog's roots. Returns the exit status. */
export function runRoots({ check, dir = CATALOG_DIR, log = console.log }: RootsRun): number {
  const roots = computeRoots();
  let differing = 0;
  for (const cloud of CLOUDS) {
    const file = join(dir, `${cloud}.json`);
    const catalog = JSON.parse(readFileSync(file, 'utf8')) as { microsoftRoots?: unknown };
    if (isDeepStrictEqual(catalog.microsoftRoots, roots)) {
      log(`${file}: microsoftRoots up to date`);
      continue;
    }
    differing++;
    if (check) {
      log(`${file}: microsoftRoots differ from the certificates; run node scripts/roots.ts`);
    } else {
      catalog.microsoftRoots = roots;
      writeFileSync(file, `${JSON.stringify(catalog, null, 2)}\n`);
      log(`${file}: microsoftRoots rewritten`);
    }
  }
  return check && differing > 0 ? 1 : 0;
}

function main(args: string[]): number {
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown[0]}; usage: node scripts/roots.ts [--check]`);
    return 2;
  }
  return runRoots({ check: args.includes('--check') });
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
