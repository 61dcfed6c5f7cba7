/**
 * restify 11 reaches Node's HTTP parser through `process.binding('http_parser')` (via spdy
 * and http-deceiver), which Node 24 no longer has (restify issue #1984). This hands it the
 * same parser Node's own HTTP client uses. Import it before restify; nothing else changes.
 */
import { createRequire } from 'node:module';
import { METHODS } from 'node:http';

const require = createRequire(import.meta.url);
const proc = process as unknown as { binding(name: string): unknown };
const original = proc.binding.bind(process);
proc.binding = (name: string) => {
  if (name === 'http_parser') return { HTTPParser: require('_http_common').HTTPParser, methods: METHODS };
  return original(name);
};
