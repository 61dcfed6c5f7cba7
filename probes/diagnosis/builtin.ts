/**
 * The built-in rules, parsed by adaptive-expressions on first use. The one-file agent's build
 * replaces this module with the rules already parsed (scripts/build.ts), so the agent never
 * loads the parser.
 */
import { FINDING_IDS } from '../findings.ts';
import type { Node } from './ast.ts';
import { parseExpression } from './parse.ts';
import rulesJson from './rules.json' with { type: 'json' };
import { loadRules, type RuleSet } from './rules.ts';

let parsed: RuleSet<Node> | undefined;

export function builtInRules(): RuleSet<Node> {
  parsed ??= loadRules(rulesJson, 'probes/diagnosis/rules.json', FINDING_IDS, parseExpression);
  return parsed;
}
