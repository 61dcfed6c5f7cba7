/**
 * Stands in for Node's `punycode`, which markdown-it requires and browsers lack. toASCII uses
 * the browser's own IDNA (the URL parser); toUnicode keeps the ASCII (xn--) form, which shows
 * look-alike domains for what they are in the links a user may be asked to open.
 */
export function toASCII(hostname: string): string {
  try {
    return new URL(`http://${hostname}`).hostname;
  } catch {
    return hostname;
  }
}

export function toUnicode(hostname: string): string {
  return hostname;
}

export default { toASCII, toUnicode };
