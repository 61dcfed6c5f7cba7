/**
 * macOS's IPv4 routing table as `netstat -rn -f inet` prints it. Columns are found by the
 * header (older releases add Refs and Use before Netif); Expire may be blank, so a row may be
 * one field short of the header.
 */
import { outputLines } from '../device/lines.ts';
import { gatewayAddress, ParseError, type WholeRoute } from './routes.ts';

export const NETSTAT = { cmd: '/usr/sbin/netstat', args: ['-rn', '-f', 'inet'] };
const SOURCE = 'netstat -rn -f inet';

export function parseNetstat(text: string): WholeRoute[] {
  const lines = outputLines(text);
  const headerAt = lines.findIndex((l) => /^Destination\s/.test(l.trim()));
  if (headerAt < 0)
    throw new ParseError(SOURCE, 'no routing table header; expected "Destination Gateway Flags … Netif"');
  const header = lines[headerAt].trim().split(/\s+/);
  const col = {
    gateway: header.indexOf('Gateway'),
    flags: header.indexOf('Flags'),
    netif: header.indexOf('Netif'),
  };
  if (col.gateway < 0 || col.flags < 0 || col.netif < 0)
    throw new ParseError(
      SOURCE,
      `line ${headerAt + 1}: the header "${header.join(' ')}" lacks Gateway, Flags or Netif`,
    );
  const routes: WholeRoute[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i].trim();
    // The IPv4 table ends at a blank line or the next section ("Internet6:").
    if (line === '' || /:$/.test(line)) break;
    const f = line.split(/\s+/);
    if (f.length <= col.netif)
      throw new ParseError(SOURCE, `line ${i + 1}: ${f.length} fields, expected at least ${col.netif + 1}`);
    const covers = coverage(f[0]);
    const flags = f[col.flags];
    if (!covers || !flags.includes('U') || flags.includes('R') || flags.includes('B')) continue;
    const gateway = gatewayAddress(f[col.gateway]);
    routes.push({
      covers,
      interface: f[col.netif],
      ...(gateway ? { gateway } : {}),
      metric: 0,
      scoped: flags.includes('I'),
    });
  }
  return routes;
}

/** `default`, and the halves netstat abbreviates as `0/1` and `128.0/1`. */
function coverage(destination: string): WholeRoute['covers'] | undefined {
  if (destination === 'default' || destination === '0.0.0.0/0') return 'all';
  if (/^0(\.0){0,3}\/1$/.test(destination)) return 'low';
  if (/^128(\.0){0,3}\/1$/.test(destination)) return 'high';
  return undefined;
}
