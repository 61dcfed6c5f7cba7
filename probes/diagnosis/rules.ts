/**
 * Loads the diagnosis rules (a data file of adaptive-expressions) and parses every expression
 * once, so a bad rule fails at load with the file, the rule and the parser's message, not in
 * the middle of a user's diagnosis.
 */
import { Expression } from 'adaptive-expressions';
import type { Severity } from '../report.ts';

export interface Rule {
  id: string;
  rank: number;
  severity: Expression;
  match: Expression | null;
  when: Expression;
  evidence: Expression;
  facts: Array<[string, Expression]>;
  summary: Expression;
  supersedes: string[];
}

export interface RuleSet {
  rules: Rule[];
  microsoftDomains: string[];
}

export class RulesError extends Error {
  readonly code = 'rules_invalid';
}

const SEVERITIES: Severity[] = ['blocking', 'degraded', 'info'];

/** `knownIds`: the finding ids a rule may produce (CONTRACTS.md plus our extensions). */
export function loadRules(value: unknown, source: string, knownIds: readonly string[]): RuleSet {
  const fail = (where: string, what: string): never => {
    throw new RulesError(`${source}: ${where}: ${what}`);
  };
  const doc = value as { schema?: unknown; rules?: unknown; microsoftDomains?: unknown };
  if (doc?.schema !== 'reconnect.rules/v1') fail('schema', 'expected "reconnect.rules/v1"');
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) fail('rules', 'expected a non-empty array');
  const domains = doc.microsoftDomains;
  if (!Array.isArray(domains) || !domains.every((d) => typeof d === 'string')) {
    fail('microsoftDomains', 'expected an array of domain names');
  }
  const seen = new Set<string>();
  const rules = (doc.rules as Array<Record<string, unknown>>).map((raw, index) => {
    const id = typeof raw.id === 'string' ? raw.id : fail(`rules[${index}].id`, 'expected a finding id');
    const where = `rule ${id}`;
    if (!knownIds.includes(id)) fail(where, `unknown finding id; known ids: ${knownIds.join(', ')}`);
    if (seen.has(id)) fail(where, 'appears twice');
    seen.add(id);
    const expr = (field: string, text: unknown, fallback?: string): Expression => {
      const src = text === undefined ? fallback : text;
      if (typeof src !== 'string' || src.trim() === '')
        return fail(`${where}.${field}`, 'expected an expression string');
      try {
        return Expression.parse(src);
      } catch (err) {
        return fail(`${where}.${field}`, `does not parse: ${(err as Error).message}`);
      }
    };
    if (typeof raw.rank !== 'number') fail(`${where}.rank`, 'expected a number (root-cause order)');
    const severityText = String(raw.severity ?? '');
    const severity = SEVERITIES.includes(severityText as Severity)
      ? Expression.parse(`'${severityText}'`)
      : expr('severity', raw.severity);
    const facts = Object.entries((raw.facts ?? {}) as Record<string, unknown>).map(
      ([name, text]): [string, Expression] => [name, expr(`facts.${name}`, text)],
    );
    const supersedes = raw.supersedes ?? [];
    if (!Array.isArray(supersedes) || !supersedes.every((s) => knownIds.includes(s))) {
      fail(`${where}.supersedes`, 'expected an array of known finding ids');
    }
    return {
      id,
      rank: raw.rank as number,
      severity,
      match: raw.match === undefined ? null : expr('match', raw.match),
      when: expr('when', raw.when, 'count(matched) > 0'),
      evidence: expr('evidence', raw.evidence),
      facts,
      summary: expr('summary', templateOf(raw.summary, `${where}.summary`, fail)),
      supersedes: supersedes as string[],
    };
  });
  rules.sort((a, b) => a.rank - b.rank);
  return { rules, microsoftDomains: domains as string[] };
}

/** "text ${expr} text" becomes the expression `text ${expr} text` (an adaptive-expressions template). */
function templateOf(text: unknown, where: string, fail: (w: string, what: string) => never): string {
  if (typeof text !== 'string' || text === '') return fail(where, 'expected a sentence');
  return `\`${text.replace(/`/g, "'")}\``;
}
