/**
 * Address categories for telling a hijacked answer from a genuine one. A genuine answer for a
 * Microsoft host is a public address; a resolver that sinkholes or redirects answers with one
 * of the special ranges below. Comparing categories (not addresses) is what makes the rule
 * hold for CDNs, whose genuine answers differ by resolver.
 */
import { isIP } from 'node:net';

export type AddressCategory =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'benchmark'
  | 'documentation'
  | 'multicast'
  | 'public';

const V4_RANGES: Array<[string, number, AddressCategory]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['100.64.0.0', 10, 'shared'],
  ['169.254.0.0', 16, 'link-local'],
  // Fake-IP DNS proxies (and some firewalls' DNS interception) answer from 198.18.0.0/15.
  ['198.18.0.0', 15, 'benchmark'],
  ['192.0.2.0', 24, 'documentation'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'unspecified'],
];

function v4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => ((acc << 8) | Number(octet)) >>> 0, 0);
}

export function addressCategory(address: string): AddressCategory {
  const a = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address.toLowerCase();
  if (isIP(a) === 4) {
    const value = v4ToInt(a);
    for (const [base, bits, category] of V4_RANGES) {
      const mask = bits === 0 ? 0 : ~(0xffffffff >>> bits) >>> 0;
      if ((value & mask) >>> 0 === v4ToInt(base)) return category;
    }
    return 'public';
  }
  if (isIP(a) === 6) {
    if (a === '::') return 'unspecified';
    if (a === '::1') return 'loopback';
    if (/^f[cd]/.test(a)) return 'private';
    if (/^fe[89ab]/.test(a)) return 'link-local';
    if (a.startsWith('2001:db8')) return 'documentation';
    if (a.startsWith('ff')) return 'multicast';
    return 'public';
  }
  return 'unspecified';
}

/** Categories a resolver answered with, in first-seen order, without repeats. */
export function categoriesOf(addresses: string[]): AddressCategory[] {
  return [...new Set(addresses.map(addressCategory))];
}
