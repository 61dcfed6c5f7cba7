/**
 * Runs one probe in this process and prints its result as JSON: the way tests run a probe
 * inside a lab network namespace (`ip netns exec NAME node test/lab/run-probe.ts …`).
 *
 *   node test/lab/run-probe.ts <module> <export> '<target JSON>' '<context JSON>'
 *
 * context JSON: { labNets?: string[] | string, systemResolver?: string, deadlineMs?: number,
 *                 trustedCa?: string[], proxy?: string, catalog?: Catalog }
 * The lab interlock is always on here.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProbeContext } from '../../probes/context.ts';
import { createInterlock } from '../../probes/interlock.ts';
import type { Catalog } from '../../probes/types.ts';
import { emptyLabCatalog } from './context.ts';

const [modulePath, exportName, targetJson, contextJson = '{}'] = process.argv.slice(2);
if (!modulePath || !exportName || !targetJson) {
  process.stderr.write('usage: run-probe.ts <module> <export> <target JSON> [<context JSON>]\n');
  process.exit(2);
}
const spec = JSON.parse(contextJson) as {
  labNets?: string[] | string;
  systemResolver?: string;
  deadlineMs?: number;
  trustedCa?: string[];
  proxy?: string;
  catalog?: Catalog;
};
const labNets = typeof spec.labNets === 'string' ? [spec.labNets] : (spec.labNets ?? []);
const proxy = spec.proxy;
const ctx: ProbeContext = {
  interlock: createInterlock({ enabled: true, labNets }),
  systemResolver: spec.systemResolver ?? null,
  proxy: proxy
    ? { source: 'env', url: proxy, forUrl: async () => proxy }
    : { source: 'none', forUrl: async () => null },
  trustedCa: spec.trustedCa ?? [],
  catalog: spec.catalog ?? emptyLabCatalog(),
  now: () => Date.now(),
};
const deadlineMs = spec.deadlineMs ?? 2000;
const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as Record<string, unknown>;
const probe = mod[exportName];
if (typeof probe !== 'function') {
  process.stderr.write(`${modulePath} has no function export ${exportName}\n`);
  process.exit(2);
}
const result = await probe(JSON.parse(targetJson), {
  signal: AbortSignal.timeout(deadlineMs),
  deadline: Date.now() + deadlineMs,
  ctx,
});
// Exit at once: an uncancellable getaddrinfo may still hold the event loop after the deadline.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
