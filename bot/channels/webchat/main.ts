/**
 * The web chat page's script (bundled by scripts/build-web.ts into dist/web/webchat.js, no CDN):
 * gets a token for ONE new conversation from our own /api/webchat/token, talks to our Direct
 * Line subset on this origin, and renders Bot Framework Web Chat, phone first. A reload within
 * the token's life, or the link opened again in a new tab, resumes the same conversation
 * (localStorage, shared by the tabs of this origin), so a user switching apps
 * on a phone does not lose the case.
 */
import ReactWebChat, { createDirectLine, createStore } from 'botframework-webchat';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { copyMiddleware } from './copy.ts';

interface Grant {
  token: string;
  conversationId: string;
}
interface Saved extends Grant {
  savedAt: number;
}

const KEY = 'reconnect.webchat';
/**
 * The last token, kept past the resume window: shown when a new conversation starts, so this
 * browser keeps its user id and the person can continue a case by typing its number.
 */
const USER_KEY = 'reconnect.webchat.user';
/** Tokens live 30 minutes; resume only well inside that, then start afresh. */
const RESUME_WINDOW_MS = 25 * 60 * 1000;
const domain = `${window.location.origin}/v3/directline`;

async function postJson(url: string, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

function load(): Saved | undefined {
  try {
    const saved = JSON.parse(window.localStorage.getItem(KEY) ?? 'null') as Saved | null;
    if (saved && Date.now() - saved.savedAt < RESUME_WINDOW_MS) return saved;
  } catch {
    // Unreadable or blocked storage: start a new conversation.
  }
  return undefined;
}

function save(grant: Grant): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify({ ...grant, savedAt: Date.now() } satisfies Saved));
    window.localStorage.setItem(USER_KEY, grant.token);
  } catch {
    // Private browsing may refuse storage; the chat still works, it just won't survive a reload.
  }
}

/** A refreshed token for the saved conversation, or a brand-new conversation's token. */
async function grant(): Promise<Grant & { resumed: boolean }> {
  const saved = load();
  if (saved !== undefined) {
    try {
      const refreshed = await postJson(`${domain}/tokens/refresh`, saved.token);
      return { ...saved, token: String(refreshed.token), resumed: true };
    } catch {
      // Expired or unknown after all: fall through to a new conversation.
    }
  }
  let previous: string | undefined;
  try {
    previous = window.localStorage.getItem(USER_KEY) ?? undefined;
  } catch {
    // No storage: a new user id, as on a first visit.
  }
  const minted = await postJson('/api/webchat/token', previous);
  return {
    token: String(minted.token),
    conversationId: String(minted.conversationId),
    resumed: false,
  };
}

async function start(): Promise<void> {
  const status = document.getElementById('status')!;
  const host = document.getElementById('webchat')!;
  let g: Awaited<ReturnType<typeof grant>>;
  try {
    g = await grant();
  } catch {
    status.textContent =
      'The help desk bot cannot be reached right now. Check your connection and reload this page, or contact your IT help desk.';
    return;
  }
  // A resumed conversation reconnects (GET conversations/:id) and replays its history.
  const directLine = createDirectLine({
    domain,
    token: g.token,
    ...(g.resumed ? { conversationId: g.conversationId, watermark: '' } : {}),
  });
  save(g);
  // Direct Line refreshes its token every 15 minutes; keep the newest for a reload.
  window.addEventListener('pagehide', () => {
    const current = (directLine as unknown as { token?: string }).token;
    if (current) save({ ...g, token: current });
  });
  status.hidden = true;
  const store = createStore({}, copyMiddleware);
  createRoot(host).render(
    createElement(ReactWebChat, {
      // No userID: Web Chat reads the user from the token, which the server signed.
      directLine,
      store,
      locale: navigator.language || 'en-US',
      styleOptions: {
        hideUploadButton: true,
        // A multi-line send box: pasted command output (nslookup, curl -v) keeps its line breaks,
        // which the bot's paste parsers need; a single-line input would join them into one line.
        sendBoxTextWrap: true,
        bubbleMaxWidth: 600,
        bubbleMinWidth: 0,
        cardEmphasisBackgroundColor: '#F0F0F0',
        accent: '#464775',
        sendBoxButtonColor: '#464775',
        suggestedActionLayout: 'flow',
        primaryFont: '"Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif',
      },
    }),
  );
}

void start();
