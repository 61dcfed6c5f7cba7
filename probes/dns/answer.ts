/**
 * One host asked of one resolver the way getaddrinfo asks it (A and AAAA in parallel), and
 * the answers read the way a stub resolver reads them: follow the CNAME chain from the name
 * asked, keep the addresses owned by a name on it.
 */
import { ExchangeError, type ExchangeOptions, exchange, sameName } from './exchange.ts';
import { type DnsMessage, rcodeName, TYPE } from './wire.ts';

/** What the direct query to one server concluded. */
export interface Answered {
  rcode: string;
  addresses: string[];
  cname: string[];
  ttl?: number;
  transport: 'udp' | 'tcp';
}

export type Asked = { answer: Answered } | { error: ExchangeError };

/** A and AAAA in parallel, as getaddrinfo asks them. */
export async function askBoth(
  host: string,
  server: { host: string; port: number },
  opts: ExchangeOptions,
): Promise<Asked> {
  const settled = await Promise.allSettled([
    exchange(server, { name: host, type: 'A' }, opts),
    exchange(server, { name: host, type: 'AAAA' }, opts),
  ]);
  const answered = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (answered.length === 0) {
    const reason = (settled[0] as PromiseRejectedResult).reason;
    return { error: reason instanceof ExchangeError ? reason : new ExchangeError('EDNS', String(reason)) };
  }
  const parts = answered.map((a) => ({ exchanged: a, ...followChain(a.message, host) }));
  // The rcode and chain of an answer that carried addresses, else of the A answer.
  const primary = parts.find((p) => p.addresses.length > 0) ?? parts[0];
  const ttls = parts.flatMap((p) => (p.ttl === undefined ? [] : [p.ttl]));
  return {
    answer: {
      rcode: rcodeName(primary.exchanged.message.rcode),
      addresses: [...new Set(parts.flatMap((p) => p.addresses))],
      cname: primary.cname,
      ...(ttls.length > 0 ? { ttl: Math.min(...ttls) } : {}),
      transport: primary.exchanged.transport,
    },
  };
}

/**
 * Follows CNAMEs from `host` through the answer section; addresses are the A/AAAA records
 * owned by a name on that chain (records for unrelated names are ignored, as resolvers do).
 */
export function followChain(
  message: DnsMessage,
  host: string,
): { cname: string[]; addresses: string[]; ttl?: number } {
  const chain = [host];
  const ttls: number[] = [];
  for (;;) {
    const current = chain[chain.length - 1];
    const next = message.answers.find((r) => r.type === TYPE.CNAME && sameName(r.name, current));
    if (!next || typeof next.data !== 'string' || chain.some((name) => sameName(name, next.data as string)))
      break;
    chain.push(next.data);
    ttls.push(next.ttl);
  }
  const onChain = message.answers.filter(
    (r) => (r.type === TYPE.A || r.type === TYPE.AAAA) && chain.some((name) => sameName(name, r.name)),
  );
  ttls.push(...onChain.map((r) => r.ttl));
  return {
    cname: chain.slice(1),
    addresses: onChain.map((r) => r.data as string),
    ...(ttls.length > 0 ? { ttl: Math.min(...ttls) } : {}),
  };
}
