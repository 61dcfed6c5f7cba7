/**
 * Commands the channels recognise themselves, before anything reaches the engine, so the core
 * and the support relay get an explicit event (`supportRegister`) instead of reading text again.
 */

/** The command that makes a channel the support channel (Slack `/reconnect support-here`, "@Reconnect support here"). */
export function isRegisterCommand(text: string): boolean {
  return /^\s*support[\s-]*here[.!]?\s*$/i.test(text);
}
