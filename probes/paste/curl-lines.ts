/**
 * Reading the pieces of curl's output: response heads (`curl -I`, and `< ` lines of `curl -v`),
 * the verbose `* ` lines (resolution, connection, proxy tunnel, server certificate) and the
 * final `curl: (N) message` error line.
 */
import type { ResponseHead } from '../net/http-head.ts';
import { commonName } from './tls-result.ts';

export interface CurlHead extends ResponseHead {
  /** The proxy's answer to CONNECT, not the origin's. */
  connect: boolean;
}

export interface CurlVerbose {
  /** From "Uses proxy env variable …" or "Connected to PROXY … port" before a tunnel. */
  proxy: string | null;
  /** "Establish HTTP proxy tunnel to HOST:PORT" / "> CONNECT HOST:PORT". */
  tunnelTo: { host: string; port: number } | null;
  /** Addresses from "* IPv4: a, b" / "* IPv6: …" / "Trying a:443". */
  addresses: string[];
  connectedTo: { host: string; address: string; port: number } | null;
  requestHost: string | null;
  cert: { subject: string; issuer: string; notBefore?: string; notAfter?: string } | null;
  /** "SSL certificate verify ok." → null; "verify result: X (N), continuing anyway" → X. */
  verifyError: string | null;
  verifyOk: boolean;
  protocol: string | null;
  cipher: string | null;
}

export interface CurlError {
  code: number;
  message: string;
}

const STATUS = /^(?:<\s*)?HTTP\/[\d.]+\s+(\d{3})(?:\s+(.*?))?\s*$/;
const HEADER = /^(?:<\s*)?([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*?)\s*$/;

/** Every response head in order; the proxy's CONNECT answer flagged as such. */
export function readHeads(lines: string[], tunnelled: boolean): CurlHead[] {
  const heads: CurlHead[] = [];
  for (let i = 0; i < lines.length; i++) {
    const status = STATUS.exec(lines[i]);
    if (!status) continue;
    const headers: Record<string, string> = {};
    for (let j = i + 1; j < lines.length; j++) {
      const header = HEADER.exec(lines[j]);
      if (!header || STATUS.test(lines[j])) break;
      const name = header[1].toLowerCase();
      headers[name] = name in headers ? `${headers[name]}, ${header[2]}` : header[2];
    }
    const statusText = status[2] ?? '';
    const first = heads.length === 0;
    const connect =
      /connection established/i.test(statusText) ||
      (first && tunnelled && !/^(<\s*)?HTTP\/2/.test(lines[i]) && Number(status[1]) !== 200) ||
      (first && Number(status[1]) === 407 && 'proxy-authenticate' in headers);
    heads.push({ status: Number(status[1]), statusText, headers, connect });
  }
  return heads;
}

export function readVerbose(lines: string[]): CurlVerbose {
  const v: CurlVerbose = {
    proxy: null,
    tunnelTo: null,
    addresses: [],
    connectedTo: null,
    requestHost: null,
    cert: null,
    verifyError: null,
    verifyOk: false,
    protocol: null,
    cipher: null,
  };
  const cert: Record<string, string> = {};
  // One rule per kind of verbose line; the first that matches a line reads it.
  const rules: Array<[RegExp, (m: RegExpExecArray) => void]> = [
    [/Uses proxy env variable \S+ == '([^']+)'/i, (m) => (v.proxy = m[1])],
    [
      /(?:Establish HTTP proxy tunnel to|^>\s*CONNECT)\s+([^\s:]+):(\d+)/i,
      (m) => (v.tunnelTo = { host: m[1].toLowerCase(), port: Number(m[2]) }),
    ],
    [/^\*\s+IPv[46]:\s*(.+)$/, (m) => v.addresses.push(...m[1].split(/,\s*/).filter((a) => a !== '(none)'))],
    [/^\*\s+Trying\s+\[?([0-9a-f.:]+?)\]?:(\d+)/i, (m) => v.addresses.push(m[1])],
    [
      /Connected to (\S+) \(([^)]+)\) port (\d+)/i,
      (m) => (v.connectedTo = { host: m[1].toLowerCase(), address: m[2], port: Number(m[3]) }),
    ],
    [/^>\s*Host:\s*([^\s:]+)/i, (m) => (v.requestHost ??= m[1].toLowerCase())],
    [
      /^\*\s+(subject|issuer|start date|expire date):\s*(.+)$/i,
      (m) => (cert[m[1].toLowerCase()] = m[2].trim()),
    ],
    [/SSL certificate verify ok/i, () => (v.verifyOk = true)],
    [
      /SSL certificate verify result:\s*(.+?)\s*(?:\(\d+\))?,\s*continuing anyway/i,
      (m) => (v.verifyError = m[1]),
    ],
    [
      /SSL connection using (\S+) \/ (\S+)/i,
      (m) => {
        v.protocol = m[1];
        v.cipher = m[2];
      },
    ],
  ];
  for (const line of lines) {
    for (const [re, read] of rules) {
      const m = re.exec(line);
      if (m) {
        read(m);
        break;
      }
    }
  }
  if (v.connectedTo && v.tunnelTo && !v.proxy) v.proxy = `http://${v.connectedTo.host}:${v.connectedTo.port}`;
  if (cert.subject && cert.issuer) {
    v.cert = {
      subject: commonName(cert.subject),
      issuer: commonName(cert.issuer),
      ...(cert['start date'] ? { notBefore: isoDate(cert['start date']) } : {}),
      ...(cert['expire date'] ? { notAfter: isoDate(cert['expire date']) } : {}),
    };
  }
  v.addresses = [...new Set(v.addresses)];
  return v;
}

export function readError(lines: string[]): CurlError | null {
  for (const line of lines) {
    const m = /curl:\s*\((\d+)\)\s*(.*)$/.exec(line);
    if (m) return { code: Number(m[1]), message: m[2].trim() };
  }
  return null;
}

/** "Oct  1 00:00:00 2025 GMT" → ISO, or the text as printed when it does not parse. */
export function isoDate(text: string): string {
  const t = Date.parse(text.replace(/\s+/g, ' '));
  return Number.isFinite(t) ? new Date(t).toISOString() : text;
}
