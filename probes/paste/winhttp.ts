/**
 * `netsh winhttp show proxy` (and Windows 11's `show advproxy`) read with helper C's parser
 * (probes/proxy/winhttp.ts) into the `proxy:discovery` probe the agent reports, source winhttp.
 * A configured proxy is a fact, not a failure: whether it works shows in curl's output.
 */

import { ProxyConfigError, redactProxyUrl } from '../proxy/servers.ts';
import { parseWinHttp } from '../proxy/winhttp.ts';
import type { ProxyDetail } from '../proxy.ts';
import type { ProbeResult } from '../types.ts';
import { pastedResult } from './result.ts';
import { PasteError } from './types.ts';

export function parseNetshWinHttp(text: string): ProbeResult {
  let settings: ReturnType<typeof parseWinHttp>;
  try {
    settings = parseWinHttp(text);
  } catch (err) {
    if (err instanceof ProxyConfigError) throw new PasteError('netsh-winhttp', err.message);
    throw err;
  }
  const url = settings.proxy?.servers.https ?? settings.proxy?.servers.http;
  const detail: ProxyDetail = {
    source: settings.direct && !settings.autoConfigUrl ? 'none' : 'winhttp',
    bypass: settings.proxy?.bypass ?? [],
    ...(url ? { url: redactProxyUrl(url) } : {}),
    ...(settings.autoConfigUrl ? { pacUrl: settings.autoConfigUrl } : {}),
    ...(settings.autoDetect ? { autoDetect: true } : {}),
  };
  return pastedResult({ kind: 'proxy', target: 'discovery', status: 'pass', detail, tool: 'netsh-winhttp' });
}
