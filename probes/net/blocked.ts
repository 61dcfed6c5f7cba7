/**
 * Telling a proxy's or filter's answer from the origin's. Through a plain CONNECT tunnel a
 * proxy cannot touch the HTTPS response, so proxy fingerprints inside one mean something in
 * the path terminated TLS (inspection) and answered in the origin's place: a block, not the
 * service's own status. Used by the https and websocket probes alike.
 */
import type { CatalogRoot } from '../types.ts';
import type { ResponseHead } from './http-head.ts';
import type { TlsFacts } from './tls-handshake.ts';

/** Headers only a proxy or web filter writes. */
const PROXY_HEADER =
  /^(x-squid-error|x-zscaler-.*|x-bluecoat-.*|proxy-.*|x-cache-lookup|x-forcepoint-.*|x-iwsaas-.*)$/;

/** Web-filter products whose name on an error page marks it as theirs, not the origin's. */
const PRODUCTS: [RegExp, string][] = [
  [/zscaler/i, 'Zscaler'],
  [/blue ?coat|symantec web/i, 'Blue Coat'],
  [/squid/i, 'Squid'],
  [/forcepoint|websense/i, 'Forcepoint'],
  [/palo ?alto|pan-os/i, 'Palo Alto Networks'],
  [/fortiguard|fortigate/i, 'Fortinet'],
  [/netskope/i, 'Netskope'],
  [/cisco umbrella|ironport|opendns/i, 'Cisco'],
  [/mcafee web gateway|skyhigh/i, 'Skyhigh (McAfee)'],
  [/sophos/i, 'Sophos'],
  [/barracuda/i, 'Barracuda'],
  [/check ?point/i, 'Check Point'],
  [/iboss/i, 'iboss'],
];

/** Statuses with which filters refuse; a bare Via on one of these is enough to blame the path. */
const BLOCK_STATUS = new Set([403, 407, 451]);

export interface BlockContext {
  /** The chain's root is not one of the catalog's Microsoft roots (so someone else terminated TLS). */
  intercepted?: boolean;
  /** The name of the certificate issuer that terminated TLS, when intercepted. */
  issuer?: string;
}

/**
 * Who answered in the origin's place, or undefined when the response looks like the origin's.
 * Only error statuses (400 and up) are judged: a filter that lets a request through is not a block.
 */
export function blockedBy(head: ResponseHead, body: string, context: BlockContext = {}): string | undefined {
  if (head.status < 400) return undefined;
  const names = Object.keys(head.headers);
  const proxyHeaders = names.filter((n) => PROXY_HEADER.test(n));
  const via = head.headers['via'];
  const fromProduct = productIn(
    [...proxyHeaders.map((n) => `${n} ${head.headers[n]}`), via ?? '', head.headers['server'] ?? ''].join(
      ' ',
    ),
  );
  if (proxyHeaders.length > 0) {
    const evidence = proxyHeaders.map((n) => `${n}: ${head.headers[n]}`).join('; ');
    return `${fromProduct ?? 'a proxy'} (${evidence})`;
  }
  if (via && BLOCK_STATUS.has(head.status)) return `${fromProduct ?? 'a proxy'} (via: ${via})`;
  const inBody = /<html|<!doctype/i.test(body) ? productIn(body) : undefined;
  if (inBody) return `${inBody} (block page)`;
  if (context.intercepted && BLOCK_STATUS.has(head.status)) {
    return `the TLS inspector${context.issuer ? ` (${context.issuer})` : ''}`;
  }
  return undefined;
}

/**
 * Whether someone other than Microsoft terminated TLS: the chain reaches none of the catalog's
 * Microsoft roots. Undecidable (false) when the catalog names no roots.
 */
export function interception(tls: TlsFacts, roots: CatalogRoot[]): Required<BlockContext> {
  return {
    intercepted: roots.length > 0 && tls.microsoftRoot === null,
    issuer: tls.chain.at(-1)?.issuer ?? '',
  };
}

/** Who answered, as the https and websocket details report it. */
export interface AnswerFacts {
  status: number;
  via: string | null;
  server: string | null;
  headers: Record<string, string>;
  blockedBy?: string;
}

export function answerFacts(head: ResponseHead, body: string, context: BlockContext = {}): AnswerFacts {
  const facts: AnswerFacts = {
    status: head.status,
    via: head.headers['via'] ?? null,
    server: head.headers['server'] ?? null,
    headers: headersOfInterest(head.headers),
  };
  const by = blockedBy(head, body, context);
  if (by) facts.blockedBy = by;
  return facts;
}

/** A proxy's refusal of CONNECT: when it is a policy refusal (403, 451), blockedBy names the proxy. */
export function refusalFacts(refusal: ResponseHead & { body: string }, proxy: string | null): AnswerFacts {
  const facts = answerFacts(refusal, refusal.body);
  if (refusal.status === 403 || refusal.status === 451)
    facts.blockedBy ??= `the proxy ${proxy ?? 'in the path'}`;
  else delete facts.blockedBy;
  return facts;
}

function productIn(text: string): string | undefined {
  return PRODUCTS.find(([pattern]) => pattern.test(text))?.[1];
}

/** The response headers worth keeping in a report: who served it and what sits in the path. */
export function headersOfInterest(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (PROXY_HEADER.test(name) || /^(via|server|date|location|content-type|x-ms-.*|x-cache)$/.test(name)) {
      kept[name] = value;
    }
  }
  return kept;
}
