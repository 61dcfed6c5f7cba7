/**
 * The first thing to do for each finding, printed under the summary of `check`. The full
 * guided steps live in the bot's playbooks; this is the one line a person reading a terminal
 * needs. Typed against the finding table, so a new finding id cannot ship without one.
 */
import type { FindingId } from '../findings.ts';

export const FIRST_STEPS: Record<FindingId, string> = {
  'network.offline':
    'Check that Wi-Fi or the cable is connected and that other websites open; then run the check again.',
  'dns.system_failed':
    "Flush the DNS cache (Windows: ipconfig /flushdns; macOS: sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder; Linux: resolvectl flush-caches), then ask IT why the company DNS server can't resolve Microsoft's sign-in names.",
  'dns.all_failed':
    'No DNS server answers: reconnect to the network or try another one (a phone hotspot), and tell IT.',
  'dns.hijacked':
    "Something rewrites DNS answers for Microsoft (a filter, a security product or a hosts file entry): check the hosts file and ask IT to allow Microsoft 365's names.",
  'firewall.blocked':
    'Ask IT to allow TCP 443 to the Microsoft 365 hosts listed above (the bot can hand them the exact allow-list).',
  'proxy.unreachable':
    'The proxy setting points at a server that does not answer: check the proxy address or turn it off if you are off the company network.',
  'proxy.auth_required':
    'Sign in to the proxy (or ask IT to exempt Microsoft 365 from proxy authentication).',
  'proxy.websocket_blocked':
    'Ask IT to allow WebSocket upgrades to *.teams.microsoft.com through the proxy or firewall.',
  'tls.inspection':
    'Ask IT to exclude Microsoft 365 sign-in and Teams hosts from TLS inspection (the bot can hand them the bypass list).',
  'tls.untrusted':
    "Check the computer's date and time first; then ask IT why the certificate for Microsoft's sign-in is not trusted.",
  'tls.handshake_failed':
    'Something in the path cuts secure connections: try another network (a phone hotspot) and tell IT what you saw.',
  'clock.skew':
    'Set the clock to update automatically (Windows: w32tm /resync; macOS: sudo sntp -sS time.apple.com; Linux: timedatectl set-ntp true).',
  'service.unavailable':
    "Microsoft's service is having trouble: check the Microsoft 365 service health page and try again later.",
  'media.udp_blocked': 'Calls will be poor: ask IT to allow UDP 3478-3481 to Microsoft Teams media relays.',
  'credentials.cache_present':
    'If sign-in still fails once the network is fixed, sign out of Teams and clear its cache (the bot guides you).',
  'device.not_registered':
    'Open Company Portal (or Settings > Accounts > Access work or school) and register this device, or ask IT.',
  'broker.unhealthy':
    'Re-register the Microsoft Entra sign-in broker (the bot gives the command), then restart the computer.',
  'vpn.active':
    'If sign-in fails, disconnect the VPN and try again, or ask IT to split-tunnel Microsoft 365.',
  'vpn.optimize_tunneled':
    'Calls and sign-in go through the VPN: ask IT to send Microsoft 365 Optimize traffic outside the tunnel.',
  'vpn.split_misrouted':
    'The VPN sends Microsoft traffic down a path that fails: disconnect the VPN and try again, and tell IT.',
  'firewall.sni_filtered':
    "A firewall or web filter blocks Microsoft's sign-in by name: ask IT to allow the Microsoft 365 hosts.",
  'network.captive_portal':
    'This network wants you to sign in first: open a browser, accept the Wi-Fi sign-in page, then try Teams again.',
  'ipv6.broken':
    'IPv6 on this network is broken and slows sign-in: try another network, or ask IT to fix IPv6.',
  'network.intermittent':
    'The connection comes and goes: try another network (a phone hotspot) and tell IT how often it failed.',
  'endpoint.failed':
    'Try another network (a phone hotspot); if the problem stays, ask for help with this report.',
};
