/**
 * SHA-256 over a certificate's DER SubjectPublicKeyInfo (CONTRACTS.md `spkiSha256`).
 * Read with node-forge's ASN.1 parser rather than its certificate API, because forge's
 * certificate API only understands RSA keys and Microsoft's ECC roots must hash too.
 */
// Only the parts this needs: the package index initialises every cipher forge has, which
// costs the agent ~10 MB of memory for one hash.
import forge from 'node-forge/lib/forge.js';
import 'node-forge/lib/asn1.js';
import 'node-forge/lib/sha256.js';

/** `der`: the certificate's DER bytes. Returns lowercase hex. */
export function spkiSha256(der: Uint8Array): string {
  const cert = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')));
  // Certificate ::= SEQUENCE { tbsCertificate, ... }; the SPKI is the 6th field of
  // tbsCertificate, or the 7th when the explicit [0] version tag is present.
  const tbs = (cert.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const offset = tbs[0].tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const spki = tbs[5 + offset];
  const md = forge.md.sha256.create();
  md.update(forge.asn1.toDer(spki).getBytes());
  return md.digest().toHex();
}

/** The same for a PEM certificate. */
export function spkiSha256FromPem(pem: string): string {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return spkiSha256(Buffer.from(body, 'base64'));
}
