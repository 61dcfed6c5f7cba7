/**
 * The rules' language is adaptive-expressions, and so is their parser: this turns its parse
 * tree into plain data (ast.ts). Used when rules load from source, by the bot, by tests, and
 * by the build, which ships the already-parsed rules inside the one-file agent.
 */
import { type Expression as AeExpression, Expression } from 'adaptive-expressions';
import type { Node } from './ast.ts';

/** Throws adaptive-expressions' own message for text that does not parse. */
export function parseExpression(text: string): Node {
  return toNode(Expression.parse(text));
}

function toNode(e: AeExpression): Node {
  if (e.type === 'Constant') return { t: 'Constant', v: (e as unknown as { value: unknown }).value };
  return e.children.length > 0 ? { t: e.type, c: e.children.map(toNode) } : { t: e.type };
}
