/**
 * The routes the VPN probe cares about, in one shape for every platform's table, and the
 * choice of the route that actually carries "everything else". Parsers produce WholeRoutes;
 * pickDefault decides as the kernel would: a longer prefix beats a shorter one, then the lower
 * metric wins.
 */
import { isIP } from 'node:net';

export { ParseError } from '../device/lines.ts';

/** A route for all of an address family, or for half of it. */
export interface WholeRoute {
  /**
   * 'all' for 0.0.0.0/0 (::/0). 'low' and 'high' are 0.0.0.0/1 and 128.0.0.0/1: VPN clients
   * (OpenVPN's def1, some AnyConnect profiles) add both to override the default route
   * without replacing it, so together they carry everything.
   */
  covers: 'all' | 'low' | 'high';
  interface: string;
  /** The next hop's address; absent for a route straight onto the interface (on-link). */
  gateway?: string;
  /** Lower wins; platforms without metrics give 0. */
  metric: number;
  /** macOS interface-scoped route (flag I): it serves only sockets bound to that interface. */
  scoped?: boolean;
}

/**
 * The route traffic to an arbitrary internet address takes, or null when there is none. A
 * pair of /1 halves through one interface wins over any /0 (longest prefix); unscoped routes
 * win over scoped ones; then the lowest metric; then the first listed.
 */
export function pickDefault<R extends WholeRoute>(routes: R[]): R | null {
  const rank = (r: WholeRoute) => [r.scoped ? 1 : 0, r.metric];
  const best = (list: R[]): R | null => {
    let chosen: R | null = null;
    for (const r of list) {
      if (!chosen) chosen = r;
      else {
        const [a, b] = [rank(r), rank(chosen)];
        if (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])) chosen = r;
      }
    }
    return chosen;
  };
  const halves = routes.filter(
    (low) =>
      low.covers === 'low' &&
      !low.scoped &&
      routes.some((high) => high.covers === 'high' && !high.scoped && high.interface === low.interface),
  );
  return best(halves) ?? best(routes.filter((r) => r.covers === 'all'));
}

/** The address when `text` is one (and not the unspecified address), else undefined. */
export function gatewayAddress(text: string | undefined): string | undefined {
  if (!text || !isIP(text)) return undefined;
  return text === '0.0.0.0' || text === '::' ? undefined : text;
}
