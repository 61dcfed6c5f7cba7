/**
 * What the gateway tells the conversation core, as CoreEvents of bot/core/types.ts: paired,
 * report, recheckResult, agentProgress (throttled) and agentJobEnded (lost, refused, failed,
 * declined, or an action's outcome). Helpers here build their common parts.
 */
import type { CompactProgress, DeviceInfo } from '../../probes/agent/protocol.ts';
import type { Area } from '../../probes/runner.ts';
import type { CoreEvent, JobProgress, PairedDevice, Session } from '../core/types.ts';

export type { JobOutcome, JobProgress } from '../core/types.ts';

export type EventBase = Pick<
  CoreEvent,
  'id' | 'conversationKey' | 'channel' | 'conversation' | 'actor' | 'at'
>;

/** Every event the gateway emits is a core event. */
export type AgentEvent = CoreEvent;

/** Where the gateway delivers its events (the engine's handle, in the composition root). */
export type AgentEventSink = (event: AgentEvent) => Promise<void>;

export function eventBase(session: Session, id: string, agentId: string, at: number): EventBase {
  return {
    id,
    conversationKey: session.conversationKey,
    channel: session.channel,
    conversation: session.conversation,
    actor: { id: `agent:${agentId}`, role: 'agent' },
    at: new Date(at).toISOString(),
  };
}

const OS_NAMES: Record<string, string> = { windows: 'Windows', macos: 'macOS', linux: 'Linux' };

/** The device as the confirm card shows it: "LAPTOP-42", "Windows 10.0.22631". */
export function pairedDevice(device: DeviceInfo, agentId: string): PairedDevice {
  return { hostname: device.name, os: `${OS_NAMES[device.os] ?? device.os} ${device.osVersion}`, agentId };
}

/** "Alice Example's case 3F9K2A1B (web chat)": what the agent prints as the case it joined. */
export function caseLabel(session: Session): string {
  const short = session.id
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 8)
    .toUpperCase();
  const who = session.user.name?.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').slice(0, 80);
  const channel = { teams: 'Teams', webchat: 'web chat', slack: 'Slack' }[session.channel];
  return `${who ? `${who}'s` : 'the'} case ${short} (${channel})`;
}

/** Folds compact progress events into a job's running totals. */
export function applyProgress(progress: JobProgress, event: CompactProgress): void {
  const area = (name: Area) => {
    let a = progress.areas.find((x) => x.area === name);
    if (!a) {
      a = { area: name, done: 0, total: 0, failed: 0 };
      progress.areas.push(a);
    }
    return a;
  };
  if (event.stage === 'planned') {
    progress.total += event.probes.length;
    for (const p of event.probes) area(p.area).total++;
  } else if (event.stage === 'round') {
    const before = progress.watch?.failedRounds ?? 0;
    progress.watch = {
      rounds: event.round,
      failedRounds: before + (event.failed > 0 ? 1 : 0),
      leftMs: event.leftMs,
    };
  } else if (event.stage === 'finished') {
    const a = area(event.area);
    const bad = event.status === 'fail' || event.status === 'warn' || event.status === 'error';
    progress.done++;
    a.done++;
    if (bad) {
      progress.failed++;
      a.failed++;
    }
  }
}
