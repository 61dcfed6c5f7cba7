/**
 * A stand-in core for adapter-level tests (auth, port, translation): it records every event and
 * answers each with a notice through the Teams port, so a test sees both what reached the core
 * and what reached the connector. Whole-conversation tests use the real engine instead.
 */
import { newSession } from '../../bot/core/session.ts';
import type { ChannelPort, CoreEvent, Session } from '../../bot/core/types.ts';

export interface RecordingCore {
  events: CoreEvent[];
  handle(event: CoreEvent): Promise<void>;
}

/** A session for the event's conversation, as the engine would open it (conversation ref included). */
export function sessionFor(event: CoreEvent): Session {
  return newSession(`session-${event.conversation.id}`, event, event.at);
}

export function recordingCore(port: ChannelPort): RecordingCore {
  const events: CoreEvent[] = [];
  return {
    events,
    async handle(event) {
      events.push(event);
      const session = sessionFor(event);
      await port.send(session, {
        screen: 'notice',
        sessionId: session.id,
        version: session.version,
        tone: 'info',
        text: `heard ${event.kind}${event.kind === 'message' ? `: ${event.text}` : ''}`,
      });
    },
  };
}
