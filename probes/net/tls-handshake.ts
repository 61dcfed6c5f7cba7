/**
 * The TLS handshake of the connection path, and our own judgement of the chain. We handshake
 * with rejectUnauthorized:false so that an untrusted chain is still seen and described (the
 * point of the tls probe), then decide trust the way Teams' stack does: OpenSSL's verdict
 * against the system store (ctx.trustedCa) plus the host name check.
 */
import { isIP, type Socket } from 'node:net';
import {
  checkServerIdentity,
  connect,
  createSecureContext,
  type DetailedPeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import { spkiSha256 } from '../certs/spki.ts';
import type { CatalogRoot, FailureCode } from '../types.ts';

export type TrustReason = 'unknown_ca' | 'expired' | 'not_yet_valid' | 'hostname_mismatch';

export interface ChainCert {
  /** The certificate's common name (or organisation, or the whole DN when it has neither). */
  subject: string;
  issuer: string;
  spkiSha256: string;
  notBefore: string;
  notAfter: string;
  selfSigned: boolean;
}

export interface TlsFacts {
  /** Leaf first, as the server sent it and as OpenSSL completed it from the trust store. */
  chain: ChainCert[];
  trusted: boolean;
  /** OpenSSL's code (SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED…) or ERR_TLS_CERT_ALTNAME_INVALID. */
  verifyError?: string;
  reason?: TrustReason;
  /** Name of the catalog's microsoftRoots entry whose key appears anywhere in the chain. */
  microsoftRoot: string | null;
  protocol: string | null;
  cipher: string | null;
}

export interface HandshakeOptions {
  host: string;
  alpn?: string[];
  ca: string[];
  roots: CatalogRoot[];
  signal: AbortSignal;
}

export type HandshakeResult =
  | { ok: true; socket: TLSSocket; tls: TlsFacts }
  | { ok: false; code: FailureCode; error: { code: string; message: string } };

/**
 * Runs the client handshake over an open socket (direct, or a proxy tunnel). On failure the
 * socket is destroyed; on success the caller owns the returned TLS socket.
 */
/**
 * One SecureContext per trust list: parsing ~150 system roots for every connection costs a
 * megabyte or more each, and a check opens a dozen at once.
 */
const contexts = new WeakMap<string[], SecureContext>();
function contextFor(ca: string[]): SecureContext {
  let context = contexts.get(ca);
  if (!context) {
    context = createSecureContext({ ca });
    contexts.set(ca, context);
  }
  return context;
}

export function handshake(socket: Socket, options: HandshakeOptions): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const tlsSocket = connect({
      socket,
      // Over an existing socket Node checks the name against `host` (default 'localhost') when
      // there is no SNI: give it the real one so IP literals are checked against IP SANs.
      host: options.host,
      // An IP literal is not a valid SNI name (RFC 6066); OpenSSL then checks IP SANs.
      servername: isIP(options.host) ? undefined : options.host,
      secureContext: contextFor(options.ca),
      rejectUnauthorized: false,
      ALPNProtocols: options.alpn,
    });
    const settle = (result: HandshakeResult) => {
      options.signal.removeEventListener('abort', onAbort);
      tlsSocket.off('secureConnect', onSecure);
      tlsSocket.off('error', onError);
      tlsSocket.off('close', onClose);
      if (!result.ok) {
        tlsSocket.destroy();
        socket.destroy();
      }
      resolve(result);
    };
    const onSecure = () => settle({ ok: true, socket: tlsSocket, tls: describe(tlsSocket, options) });
    const onError = (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'ETLS';
      const reset = code === 'ECONNRESET' || code === 'EPIPE';
      settle({
        ok: false,
        code: reset ? 'handshake_reset' : 'tls_error',
        error: { code, message: err.message },
      });
    };
    const onClose = () =>
      settle({
        ok: false,
        code: 'handshake_reset',
        error: { code: 'ECONNRESET', message: 'the connection closed during the TLS handshake' },
      });
    const onAbort = () =>
      settle({
        ok: false,
        code: 'handshake_timeout',
        error: { code: 'ETIMEDOUT', message: 'the TLS handshake did not finish before the deadline' },
      });
    if (options.signal.aborted) {
      onAbort();
      return;
    }
    options.signal.addEventListener('abort', onAbort, { once: true });
    tlsSocket.once('secureConnect', onSecure);
    tlsSocket.once('error', onError);
    tlsSocket.once('close', onClose);
  });
}

function describe(socket: TLSSocket, options: HandshakeOptions): TlsFacts {
  const peer = socket.getPeerCertificate(true);
  const chain = walkChain(peer);
  const roots = new Map(options.roots.map((r) => [r.spkiSha256.toLowerCase(), r.name]));
  const matched = chain.find((c) => roots.has(c.spkiSha256));
  const verdict = judge(socket, options.host, peer);
  return {
    chain,
    ...verdict,
    microsoftRoot: matched ? roots.get(matched.spkiSha256)! : null,
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.name ?? null,
  };
}

/**
 * OpenSSL's chain verdict first (it is what a client sees first), then the name check. With
 * SNI set Node has already done the name check (authorizationError ERR_TLS_CERT_ALTNAME_INVALID);
 * for IP literals it has not, so it is done here for both.
 */
function judge(
  socket: TLSSocket,
  host: string,
  peer: DetailedPeerCertificate,
): Pick<TlsFacts, 'trusted' | 'verifyError' | 'reason'> {
  if (!socket.authorized) {
    const verifyError = String(socket.authorizationError ?? 'UNABLE_TO_VERIFY');
    return { trusted: false, verifyError, reason: reasonFor(verifyError) };
  }
  const mismatch = peer.raw ? checkServerIdentity(host, peer) : new Error('no peer certificate');
  if (mismatch) {
    const verifyError = (mismatch as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID';
    return { trusted: false, verifyError, reason: 'hostname_mismatch' };
  }
  return { trusted: true };
}

function reasonFor(verifyError: string): TrustReason {
  // Node runs the name check itself when SNI is set and reports it as authorizationError.
  if (verifyError === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'hostname_mismatch';
  if (verifyError === 'CERT_HAS_EXPIRED') return 'expired';
  if (verifyError === 'CERT_NOT_YET_VALID') return 'not_yet_valid';
  return 'unknown_ca';
}

/** Follows issuerCertificate until it repeats (a root points at itself). */
function walkChain(peer: DetailedPeerCertificate): ChainCert[] {
  const chain: ChainCert[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = peer;
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const issuer: DetailedPeerCertificate | undefined = cert.issuerCertificate;
    chain.push({
      subject: displayName(cert.subject),
      issuer: displayName(cert.issuer),
      spkiSha256: spkiSha256(cert.raw),
      notBefore: new Date(cert.valid_from).toISOString(),
      notAfter: new Date(cert.valid_to).toISOString(),
      selfSigned: issuer
        ? issuer.fingerprint256 === cert.fingerprint256
        : sameName(cert.subject, cert.issuer),
    });
    cert = issuer;
  }
  return chain;
}

type Name = Record<string, string | string[] | undefined> | undefined;

function displayName(name: Name): string {
  const first = (key: string) => {
    const value = name?.[key];
    return Array.isArray(value) ? value[0] : value;
  };
  return (
    first('CN') ??
    first('O') ??
    first('OU') ??
    Object.entries(name ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')
  );
}

function sameName(a: Name, b: Name): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

/**
 * The failure an untrusted chain means to anything that needs trust (Teams, our https and
 * websocket probes), or null when the chain is trusted. `where` is host:port for the sentence.
 */
export function trustFailure(
  tls: TlsFacts,
  where: string,
): {
  failure: { phase: 'tls'; code: TrustReason; detail: string };
  error: { code: string; message: string };
} | null {
  if (tls.trusted) return null;
  const reason = tls.reason ?? 'unknown_ca';
  const top = tls.chain.at(-1);
  const detail =
    `the certificate of ${where} is not trusted (${tls.verifyError ?? reason})` +
    (top ? `; its chain ends at "${top.issuer}"` : '');
  return {
    failure: { phase: 'tls', code: reason, detail },
    error: { code: tls.verifyError ?? reason, message: detail },
  };
}
