/**
 * Shared set-up for the device tests: fixtures from test/fixtures/device and probe options with
 * the lab interlock on, a fixed clock and an injected command runner (the device probes send no
 * packets; the interlock is on all the same, as for every probe test).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ProbeContext } from '../../probes/context.ts';
import type { CommandOutput, CommandRunner } from '../../probes/device/command.ts';
import type { DeviceProbeOptions } from '../../probes/device.ts';
import { createInterlock } from '../../probes/interlock.ts';
import type { ProbeResult } from '../../probes/types.ts';
import { emptyLabCatalog } from '../lab/context.ts';

/** 2026-11-27T10:00:00Z: about two hours after the PRT in the Windows fixtures was renewed. */
export const NOW = Date.parse('2026-11-27T10:00:00Z');

export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/device/${name}`, import.meta.url), 'utf8');
}

export interface Calls {
  list: Array<{ cmd: string; args: string[] }>;
}

/**
 * A runner answering by executable: each value is the output to return, or an Error to throw
 * (e.g. an ENOENT error for a command that does not exist). Records every call.
 */
export function fakeRunner(
  outputs: Record<string, CommandOutput | Error>,
  calls: Calls = { list: [] },
): CommandRunner {
  return async (cmd, args) => {
    calls.list.push({ cmd, args });
    const answer = outputs[cmd];
    if (answer === undefined) throw Object.assign(new Error(`unexpected command ${cmd}`), { code: 'ENOENT' });
    if (answer instanceof Error) throw answer;
    return answer;
  };
}

export function enoent(cmd: string): Error {
  return Object.assign(new Error(`spawn ${cmd} ENOENT`), { code: 'ENOENT' });
}

export function options(
  extra: Partial<DeviceProbeOptions> = {},
  now = NOW,
  signal: AbortSignal = new AbortController().signal,
): DeviceProbeOptions {
  const ctx: ProbeContext = {
    interlock: createInterlock({ enabled: true }),
    systemResolver: '127.0.0.1:53',
    proxy: { source: 'none', forUrl: async () => null },
    trustedCa: [],
    catalog: emptyLabCatalog(),
    now: () => now,
  };
  return { signal, deadline: now + 5000, ctx, ...extra };
}

/** What every device probe result has: its id, all five phases at 0 (no network), a failure unless it passed. */
export function assertShape(result: ProbeResult, id: string): void {
  assert.equal(result.id, id);
  assert.deepEqual(result.phases, { dns: 0, connect: 0, proxy: 0, tls: 0, firstByte: 0 });
  assert.ok(result.durationMs >= 0);
  if (result.status !== 'pass') assert.ok(result.failure, 'every non-pass result carries a failure');
}
