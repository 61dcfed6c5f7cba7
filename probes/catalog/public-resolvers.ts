/**
 * Well-known public resolvers: the ones catalogs compare the system resolver with and the
 * playbooks tell users to try (`nslookup host 1.1.1.1`). One list: the paste parser reads a
 * query to one of them as the "public" answer, and redaction leaves them readable (they are
 * evidence, not anyone's data).
 */
export const WELL_KNOWN_PUBLIC_RESOLVERS: ReadonlySet<string> = new Set([
  '1.1.1.1',
  '1.0.0.1',
  '8.8.8.8',
  '8.8.4.4',
  '9.9.9.9',
  '149.112.112.112',
  '208.67.222.222',
  '208.67.220.220',
  '114.114.114.114',
  '223.5.5.5',
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
]);
