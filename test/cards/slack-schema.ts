/**
 * A Block Kit checker for tests: block types we use and every documented limit of
 * cards/limits.ts SLACK, action_ids unique in the message, block_ids unique, and the total text
 * budget. Returns problems with their paths, and the buttons found.
 */
import { SLACK } from '../../cards/limits.ts';
import { textLength } from '../../cards/slack/blocks.ts';

type Json = Record<string, unknown>;

export interface SlackReport {
  errors: string[];
  buttons: Json[];
}

function textObject(
  t: unknown,
  max: number,
  path: string,
  err: (p: string, m: string) => void,
  plainOnly = false,
) {
  const o = t as Json;
  if (typeof o !== 'object' || o === null) return err(path, 'text object required');
  if (plainOnly ? o.type !== 'plain_text' : o.type !== 'plain_text' && o.type !== 'mrkdwn')
    err(path, `text type ${o.type}`);
  if (typeof o.text !== 'string' || o.text === '') err(path, 'text must be a non-empty string');
  else if (o.text.length > max) err(path, `text is ${o.text.length} characters, limit ${max}`);
}

export function checkSlackMessage(message: { text: string; blocks: Json[] }): SlackReport {
  const errors: string[] = [];
  const buttons: Json[] = [];
  const err = (path: string, msg: string): undefined => {
    errors.push(`${path}: ${msg}`);
  };
  const actionIds = new Set<string>();
  const blockIds = new Set<string>();

  if (typeof message.text !== 'string' || message.text === '') err('text', 'fallback text required');
  else if (message.text.length > SLACK.fallbackText)
    err('text', `fallback is ${message.text.length} characters`);
  if (!Array.isArray(message.blocks) || message.blocks.length === 0) err('blocks', 'at least one block');
  if (message.blocks.length > SLACK.maxBlocks)
    err('blocks', `${message.blocks.length} blocks, limit ${SLACK.maxBlocks}`);
  const total = textLength(message.blocks);
  if (total > SLACK.totalText) err('blocks', `total text ${total}, budget ${SLACK.totalText}`);

  message.blocks.forEach((b, i) => {
    const path = `blocks[${i}]`;
    if (b.block_id !== undefined) {
      const id = b.block_id as string;
      if (id.length > SLACK.blockId) err(path, 'block_id too long');
      if (blockIds.has(id)) err(path, `duplicate block_id ${id}`);
      blockIds.add(id);
    }
    switch (b.type) {
      case 'header':
        textObject(b.text, SLACK.headerText, `${path}.text`, err, true);
        break;
      case 'section':
        if (b.text === undefined && b.fields === undefined) err(path, 'section needs text or fields');
        if (b.text !== undefined) textObject(b.text, SLACK.sectionText, `${path}.text`, err);
        if (b.fields !== undefined) {
          const fields = b.fields as unknown[];
          if (fields.length > SLACK.sectionFields) err(path, `${fields.length} fields`);
          for (const [k, f] of fields.entries()) textObject(f, SLACK.fieldText, `${path}.fields[${k}]`, err);
        }
        break;
      case 'context': {
        const els = b.elements as unknown[];
        if (!Array.isArray(els) || els.length === 0 || els.length > SLACK.contextElements)
          err(path, 'context needs 1-10 elements');
        else
          for (const [k, e] of els.entries()) textObject(e, SLACK.contextText, `${path}.elements[${k}]`, err);
        break;
      }
      case 'divider':
        break;
      case 'actions': {
        const els = b.elements as Json[];
        if (!Array.isArray(els) || els.length === 0 || els.length > SLACK.actionsElements)
          err(path, 'actions needs 1-25 elements');
        for (const [k, e] of els.entries()) {
          const p = `${path}.elements[${k}]`;
          if (e.type !== 'button') {
            err(p, `element type ${e.type}`);
            continue;
          }
          textObject(e.text, SLACK.buttonText, `${p}.text`, err, true);
          const id = e.action_id as string;
          if (typeof id !== 'string' || id === '' || id.length > SLACK.actionId)
            err(p, 'action_id 1-255 characters');
          if (actionIds.has(id)) err(p, `duplicate action_id ${id}`);
          actionIds.add(id);
          if (e.value !== undefined && (typeof e.value !== 'string' || e.value.length > SLACK.buttonValue))
            err(p, 'value must be a string of at most 2000 characters');
          if (e.url !== undefined && (typeof e.url !== 'string' || e.url.length > SLACK.buttonUrl))
            err(p, 'url');
          if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger')
            err(p, `style ${e.style}`);
          buttons.push(e);
        }
        break;
      }
      default:
        err(path, `block type ${b.type} is not one we use`);
    }
  });
  return { errors, buttons };
}
