/**
 * What a VPN's network interface looks like, in one table: interface-name prefixes of the
 * tunnel drivers (Linux, macOS, and Windows adapters named after them) and the adapter
 * descriptions Windows shows for the common corporate clients. Judged from names only: the
 * probe never asks a VPN client anything.
 */

/** Interface-name prefixes of tunnel drivers and the clients that create them. */
const NAME_PREFIXES = [
  'tun', // OpenVPN, openconnect, most Linux clients
  'tap', // OpenVPN in bridged mode
  'wg', // WireGuard
  'ppp', // PPTP, L2TP, SSTP
  'ipsec', // IPsec (macOS, strongSwan)
  'gpd', // GlobalProtect (Linux)
  'cscotun', // Cisco AnyConnect / Secure Client (Linux)
  'zt', // ZeroTier
  'tailscale',
];

/**
 * macOS's utun devices also carry iCloud Private Relay, Back to My Mac and the like, so a utun
 * counts as a VPN only when it carries the default route.
 */
const DEFAULT_ONLY_PREFIXES = ['utun'];

/** Substrings of Windows adapter descriptions (InterfaceDescription, `route print`'s list). */
export const WINDOWS_VPN_DESCRIPTIONS = [
  'Cisco AnyConnect',
  'Cisco Secure Client',
  'WireGuard Tunnel',
  'Wintun',
  'PANGP Virtual Ethernet Adapter',
  'Fortinet',
  'TAP-Windows',
  'Juniper Networks Virtual Adapter',
  'Pulse Secure',
  'Ivanti Secure',
  'Check Point Virtual Network Adapter',
  'SonicWall',
  'ZeroTier Virtual Port',
  'Tailscale Tunnel',
];

/**
 * Whether an interface name looks like a VPN's. `carriesDefault` says the interface carries
 * the default route, which is what makes a macOS utun count.
 */
export function isVpnName(name: string, carriesDefault: boolean): boolean {
  const n = name.toLowerCase();
  const prefixes = carriesDefault ? [...NAME_PREFIXES, ...DEFAULT_ONLY_PREFIXES] : NAME_PREFIXES;
  return prefixes.some((p) => n.startsWith(p));
}

/** Whether a Windows adapter description names a VPN client's adapter. */
export function isVpnDescription(description: string | undefined): boolean {
  if (!description) return false;
  const d = description.toLowerCase();
  return WINDOWS_VPN_DESCRIPTIONS.some((v) => d.includes(v.toLowerCase()));
}
