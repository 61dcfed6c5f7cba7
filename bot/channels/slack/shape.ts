/**
 * The shape a Slack delivery must have before Bolt, the support front or our translators read
 * it (issue 16, defect 5). A signature proves Slack (or someone with the signing secret) sent
 * the bytes, not that every field is what the listeners expect: `event.channel: null`,
 * `event.user: null` or a block_actions without `user` threw inside listeners and answered 500.
 * The fields any of them read are checked for type here; a delivery that fails answers 400.
 * Types the bot has no listener for (shortcuts, view submissions) pass: Bolt ignores them.
 */
import { jsonDepth } from '../../http/body.ts';

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first of `names` in `o` that is present (null included) but not a string. */
function notString(o: Fields, names: readonly string[]): string | undefined {
  return names.find((name) => name in o && o[name] !== undefined && typeof o[name] !== 'string');
}

const EVENT_STRINGS = [
  'type',
  'channel',
  'channel_type',
  'user',
  'text',
  'ts',
  'thread_ts',
  'subtype',
  'bot_id',
  'event_ts',
];
const COMMAND_STRINGS = [
  'command',
  'text',
  'channel_id',
  'user_id',
  'user_name',
  'trigger_id',
  'response_url',
];
/** Interaction payloads: every one names the user who acted. */
const INTERACTIONS = new Set([
  'block_actions',
  'block_suggestion',
  'shortcut',
  'message_action',
  'view_submission',
  'view_closed',
  'interactive_message',
  'dialog_submission',
]);

function eventProblem(body: Fields): string | undefined {
  const event = body.event;
  if (!isObject(event)) return '"event" must be an object';
  if (typeof event.type !== 'string' || event.type === '') return '"event.type" must be a non-empty string';
  // Bolt reads these of every event (a string, or an object for some event types); null broke it.
  const nulled = ['channel', 'user', 'item', 'channel_type'].find(
    (name) => name in event && event[name] === null,
  );
  if (nulled) return `"event.${nulled}" must not be null`;
  // Other event types (user_change, …) carry objects in these fields; only ours are read.
  const field =
    event.type === 'message' || event.type === 'app_mention' ? notString(event, EVENT_STRINGS) : undefined;
  if (field) return `"event.${field}" must be a string`;
  if ('event_id' in body && typeof body.event_id !== 'string') return '"event_id" must be a string';
  return undefined;
}

function interactionProblem(body: Fields): string | undefined {
  const user = body.user;
  if (!isObject(user) || typeof user.id !== 'string') return '"user.id" must be a string';
  const userField = notString(user, ['name', 'username']);
  if (userField) return `"user.${userField}" must be a string`;
  if (notString(body, ['trigger_id', 'response_url']))
    return '"trigger_id" and "response_url" must be strings';
  for (const name of ['channel', 'container', 'message', 'team', 'view'] as const) {
    if (name in body && body[name] !== undefined && !isObject(body[name]))
      return `"${name}" must be an object`;
  }
  if (isObject(body.channel) && typeof body.channel.id !== 'string') return '"channel.id" must be a string';
  if (isObject(body.container)) {
    const field = notString(body.container, ['channel_id', 'message_ts', 'thread_ts']);
    if (field) return `"container.${field}" must be a string`;
  }
  if (isObject(body.message) && notString(body.message, ['ts', 'thread_ts']))
    return '"message.ts" must be a string';
  if (body.type === 'block_actions') {
    const actions = body.actions;
    if (!Array.isArray(actions) || !actions.every(isObject)) return '"actions" must be an array of objects';
    if (actions.some((a) => notString(a, ['action_id', 'value', 'action_ts', 'type', 'block_id'])))
      return 'an action has a field that is not a string';
  }
  return undefined;
}

/**
 * What is wrong with a parsed Slack body, or undefined when the listeners can read it.
 * `payloadText` (an interaction's JSON) is checked for nesting as the body reader checks JSON.
 */
/** Slack's workspace, enterprise and app ids: upper-case letters and digits. */
const SLACK_ID = /^[A-Z0-9]{1,40}$/;

/**
 * The ids Bolt keys its per-workspace client pool by. Bolt indexes a plain object with them, so
 * a team id of "constructor" or "__proto__" reached Object.prototype and threw (found by the
 * fuzz suite): only Slack-shaped ids pass.
 */
function workspaceIdProblem(body: Fields): string | undefined {
  const at = (o: unknown, key: string): unknown => (isObject(o) ? o[key] : undefined);
  const ids: Array<[string, unknown]> = [
    ['team_id', body.team_id],
    ['enterprise_id', body.enterprise_id],
    ['api_app_id', body.api_app_id],
    ['team.id', at(body.team, 'id')],
    ['enterprise.id', at(body.enterprise, 'id')],
    ['event.team', at(body.event, 'team')],
    ['user.team_id', at(body.user, 'team_id')],
  ];
  const bad = ids.find(
    ([, v]) => v !== undefined && v !== null && (typeof v !== 'string' || !SLACK_ID.test(v)),
  );
  return bad ? `"${bad[0]}" must be a Slack id (upper-case letters and digits)` : undefined;
}

export function slackShapeProblem(body: Fields, maxDepth: number, payloadText?: string): string | undefined {
  if (payloadText !== undefined && jsonDepth(payloadText) > maxDepth)
    return `the payload nests deeper than ${maxDepth} levels`;
  const idProblem = workspaceIdProblem(body);
  if (idProblem) return idProblem;
  if ('type' in body && typeof body.type !== 'string') return '"type" must be a string';
  // An interaction names one of Slack's kinds; any other (or none) made Bolt's routing throw.
  if (payloadText !== undefined && (typeof body.type !== 'string' || !INTERACTIONS.has(body.type)))
    return `an interaction payload needs a "type" of ${[...INTERACTIONS].join(', ')}`;
  if (body.type === 'event_callback' || 'event' in body) return eventProblem(body);
  if (typeof body.type === 'string' && INTERACTIONS.has(body.type)) return interactionProblem(body);
  if ('command' in body) {
    const field = notString(body, COMMAND_STRINGS);
    if (field) return `"${field}" must be a string`;
    if (typeof body.user_id !== 'string' || typeof body.channel_id !== 'string')
      return 'a command needs "user_id" and "channel_id"';
  }
  return undefined;
}
