/**
 * The hand-off's "Copy text" button in the web chat (issue 14). Web Chat has no clipboard action
 * and Adaptive Cards' Action.Submit only posts to the bot, so the page's store middleware catches
 * the button's post (verb `handoff.copy`, the text in `value`), writes the text to the clipboard
 * and shows a "Copied" toast. Where the clipboard is refused (a page served over plain http from
 * another address is not a secure context, or the browser says no), the post goes on to the bot
 * without the text, and the bot answers with the hand-off as one message to select and copy.
 */

interface Action {
  type: string;
  payload?: { activity?: { value?: Record<string, unknown> } };
}
type Dispatch = (action: Action | Record<string, unknown>) => unknown;

const COPIED = 'Copied. Paste it into an email or a ticket for your IT team.';

/** Web Chat store middleware: `createStore({}, copyMiddleware)`. */
export function copyMiddleware({ dispatch }: { dispatch: Dispatch }) {
  return (next: Dispatch) => (action: Action) => {
    const value = action.type === 'DIRECT_LINE/POST_ACTIVITY' ? action.payload?.activity?.value : undefined;
    if (value?.verb !== 'handoff.copy' || typeof value.value !== 'string') return next(action);
    const { value: text, ...rest } = value;
    const toBot = () => dispatch({ type: 'WEB_CHAT/SEND_POST_BACK', payload: { value: rest } });
    if (!navigator.clipboard || !window.isSecureContext) {
      toBot();
      return undefined;
    }
    navigator.clipboard.writeText(text).then(
      () =>
        dispatch({
          type: 'WEB_CHAT/SET_NOTIFICATION',
          payload: { id: 'reconnect-copied', level: 'success', message: COPIED },
        }),
      toBot,
    );
    return undefined;
  };
}
