/**
 * The user's WinINet proxy (Internet Options / Settings > Network > Proxy), which Teams and
 * Edge WebView2 follow, from `reg query "HKCU\Software\Microsoft\Windows\CurrentVersion\Internet
 * Settings"`. Values: ProxyEnable (DWORD), ProxyServer, ProxyOverride (bypass), AutoConfigURL
 * (a PAC file, used whenever present) and AutoDetect (WPAD).
 */
import { parseWildcardList } from './bypass.ts';
import { ProxyConfigError, parseWindowsProxyList, type StaticProxy } from './servers.ts';

export interface WinInetSettings {
  proxyEnable: boolean;
  proxyServer?: string;
  proxyOverride?: string;
  autoConfigUrl?: string;
  autoDetect?: boolean;
  /** Present when ProxyEnable is 1 and ProxyServer names a server. */
  proxy?: StaticProxy;
}

export const INTERNET_SETTINGS_KEY = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings';
const WHERE = 'reg query Internet Settings';

interface RegValue {
  type: string;
  data: string;
}

/** Parses `reg query` output of the Internet Settings key; throws ProxyConfigError when it is not that. */
export function parseWinInet(output: string): WinInetSettings {
  const values = readKeyValues(output);
  const dword = (name: string): number | undefined => {
    const value = values.get(name.toLowerCase());
    if (!value) return undefined;
    if (value.type !== 'REG_DWORD' || !/^0x[0-9a-f]+$/i.test(value.data)) {
      throw new ProxyConfigError(
        `${WHERE}: ${name}`,
        `expected REG_DWORD 0x0 or 0x1, got ${value.type} "${value.data}"`,
      );
    }
    return Number.parseInt(value.data, 16);
  };
  const text = (name: string) => values.get(name.toLowerCase())?.data.trim() || undefined;

  const settings: WinInetSettings = { proxyEnable: dword('ProxyEnable') === 1 };
  const proxyServer = text('ProxyServer');
  const proxyOverride = text('ProxyOverride');
  const autoConfigUrl = text('AutoConfigURL');
  const autoDetect = dword('AutoDetect');
  if (proxyServer) settings.proxyServer = proxyServer;
  if (proxyOverride) settings.proxyOverride = proxyOverride;
  if (autoConfigUrl) settings.autoConfigUrl = autoConfigUrl;
  if (autoDetect !== undefined) settings.autoDetect = autoDetect === 1;
  if (settings.proxyEnable && proxyServer) {
    const bypass = (proxyOverride ?? '').split(/[;\s]+/).filter(Boolean);
    settings.proxy = {
      servers: parseWindowsProxyList(proxyServer, `${WHERE}: ProxyServer`),
      bypass,
      rules: parseWildcardList(bypass),
    };
  }
  return settings;
}

/** The values directly under the queried key (not its subkeys), by lowercase name. */
function readKeyValues(output: string): Map<string, RegValue> {
  const lines = output.split(/\r?\n/);
  const keyAt = lines.findIndex((l) => /^HKEY_CURRENT_USER\\.*\\Internet Settings\s*$/i.test(l));
  if (keyAt < 0) {
    const first = lines.find((l) => l.trim())?.trim() ?? '(empty output)';
    throw new ProxyConfigError(
      WHERE,
      `expected the key HKEY_CURRENT_USER\\…\\Internet Settings, got "${first}"`,
    );
  }
  const values = new Map<string, RegValue>();
  for (const line of lines.slice(keyAt + 1)) {
    if (/^HKEY_/i.test(line)) break;
    // "    Name    REG_TYPE    data": names may hold single spaces ("User Agent").
    const m = /^\s+(.+?)\s{2,}(REG_[A-Z0-9_]+)(?:\s{2,}(.*?))?\s*$/.exec(line);
    if (m) values.set(m[1].toLowerCase(), { type: m[2], data: m[3] ?? '' });
  }
  return values;
}
