/**
 * Driving the core through a fake channel (STYLE.md, after bolt's FakeReceiver): an in-memory
 * ChannelPort that keeps every activity (a card replaced in place keeps its id), and a chat
 * that says things and clicks the buttons the cards really show (F2's buttonsFor), as a given
 * user, over the real engine and G1's in-memory store.
 */

import { createEngine, type Engine, type EngineOptions } from '../../bot/core/engine.ts';
import type {
  ChannelPort,
  CoreEvent,
  NoticeView,
  OutboundView,
  Session,
  View,
} from '../../bot/core/types.ts';
import { loadBuiltinPlaybooks } from '../../bot/playbooks/load.ts';
import { createMemoryStore } from '../../bot/store/memory.ts';
import type { Store } from '../../bot/store/types.ts';
import { buttonsFor } from '../../cards/actions.ts';

export const PLAYBOOKS = await loadBuiltinPlaybooks();

export interface Activity {
  id: string;
  view: OutboundView;
  /** Every view this activity has shown, first to last. */
  history: OutboundView[];
}

export class FakeChannel implements ChannelPort {
  readonly activities = new Map<string, Activity>();
  readonly log: Array<{ op: 'send' | 'update'; id: string; view: OutboundView }> = [];
  #next = 0;

  async send(_session: Session, view: OutboundView): Promise<string> {
    const id = `activity-${++this.#next}`;
    this.activities.set(id, { id, view, history: [view] });
    this.log.push({ op: 'send', id, view });
    return id;
  }

  async update(_session: Session, activityId: string, view: View): Promise<void> {
    const activity = this.activities.get(activityId);
    if (!activity) throw new Error(`update of unknown activity ${activityId}`);
    activity.view = view;
    activity.history.push(view);
    this.log.push({ op: 'update', id: activityId, view });
  }

  /** The latest activity whose current view is a card on `screen` (any card when omitted). */
  card(screen?: View['screen']): Activity & { view: View } {
    const cards = [...this.activities.values()].filter(
      (a): a is Activity & { view: View } =>
        a.view.screen !== 'notice' && (!screen || a.view.screen === screen),
    );
    const last = cards.at(-1);
    if (!last) throw new Error(`no ${screen ?? ''} card in the chat`);
    return last;
  }

  notices(): NoticeView[] {
    return [...this.activities.values()]
      .map((a) => a.view)
      .filter((v): v is NoticeView => v.screen === 'notice');
  }

  lastNotice(): NoticeView {
    const n = this.notices().at(-1);
    if (!n) throw new Error('no notice in the chat');
    return n;
  }
}

export interface Person {
  id: string;
  name: string;
  role?: 'user' | 'support';
}

export const AMIRA: Person = { id: 'aad:amira', name: 'Amira Haddad' };
export const BORIS: Person = { id: 'aad:boris', name: 'Boris Novak' };

export interface Chat {
  engine: Engine;
  channel: FakeChannel;
  store: Store<Session>;
  /** A message event (not yet delivered), so a test can deliver it more than once. */
  message(text: string, as?: Person): CoreEvent;
  /** The click event for the button labelled `label` on `view` (default: the latest card showing it). */
  click(label: string, options?: { as?: Person; view?: View }): CoreEvent;
  say(text: string, as?: Person): ReturnType<Engine['handle']>;
  press(label: string, options?: { as?: Person; view?: View }): ReturnType<Engine['handle']>;
  session(): Promise<Session>;
}

let eventCounter = 0;

export function chat(options: Partial<EngineOptions> & { conversationId?: string } = {}): Chat {
  const channel = new FakeChannel();
  const store = options.store ?? createMemoryStore<Session>({ now: () => 0 });
  let t = Date.parse('2026-11-27T10:00:00.000Z');
  const engine = createEngine({
    store,
    port: channel,
    playbooks: PLAYBOOKS,
    clock: () => (t += 1000),
    newId: () => 'session-0001',
    ...options,
  });
  const conversationId = options.conversationId ?? 'conv-1';
  const base = (as: Person) => ({
    // Unique across chats: two engines sharing a store (a restart) must not collide.
    id: `event-${++eventCounter}`,
    conversationKey: `webchat:${conversationId}`,
    channel: 'webchat' as const,
    conversation: { id: conversationId },
    actor: { id: as.id, name: as.name, role: as.role ?? ('user' as const) },
    at: new Date(t).toISOString(),
  });
  const message = (text: string, as = AMIRA): CoreEvent => ({ ...base(as), kind: 'message', text });
  const click = (label: string, o: { as?: Person; view?: View } = {}): CoreEvent => {
    const views = o.view ? [o.view] : [...channel.activities.values()].map((a) => a.view).reverse();
    for (const view of views) {
      if (view.screen === 'notice') continue;
      const button = buttonsFor(view).find((b) => b.label.replace(/^✓ /, '') === label);
      if (button) {
        const { verb, ...data } = button.data;
        return { ...base(o.as ?? AMIRA), kind: 'action', verb, data };
      }
    }
    throw new Error(`no card in the chat shows a "${label}" button`);
  };
  return {
    engine,
    channel,
    store,
    message,
    click,
    say: (text, as) => engine.handle(message(text, as)),
    press: (label, o) => engine.handle(click(label, o)),
    session: async () => {
      const s = await store.sessions.findByConversation(`webchat:${conversationId}`);
      if (!s) throw new Error('no session yet');
      return s;
    },
  };
}
