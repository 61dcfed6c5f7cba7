/**
 * Loads the diagnosis rules (a data file of adaptive-expressions) and parses every expression
 * once, so a bad rule fails at load with the file, the rule and the parser's message, not in
 * the middle of a user's diagnosis. The parser is a parameter: parse.ts gives plain trees for
 * the interpreter (ast.ts); tests give adaptive-expressions' own objects to cross-check it.
 */
import type { Severity } from '../report.ts';
import { type Node, unsupportedIn } from './ast.ts';

export interface Rule<E = Node> {
  id: string;
  rank: number;
  severity: E;
  match: E | null;
  when: E;
  evidence: E;
  facts: Array<[string, E]>;
  summary: E;
  supersedes: string[];
}

export interface RuleSet<E = Node> {
  rules: Array<Rule<E>>;
  microsoftDomains: string[];
}

export type Parse<E> = (text: string) => E;

export class RulesError extends Error {
  readonly code = 'rules_invalid';
}

const SEVERITIES: Severity[] = ['blocking', 'degraded', 'info'];

/** `knownIds`: the finding ids a rule may produce (CONTRACTS.md plus our extensions). */
export function loadRules<E = Node>(
  value: unknown,
  source: string,
  knownIds: readonly string[],
  parse: Parse<E>,
  check: (parsed: E) => string | null = (parsed) => unsupportedIn(parsed as Node),
): RuleSet<E> {
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
    const expr = (field: string, text: unknown, fallback?: string): E => {
      const src = text === undefined ? fallback : text;
      if (typeof src !== 'string' || src.trim() === '') {
        return fail(`${where}.${field}`, 'expected an expression string');
      }
      let parsed: E;
      try {
        parsed = parse(src);
      } catch (err) {
        return fail(`${where}.${field}`, `does not parse: ${(err as Error).message}`);
      }
      const unsupported = check(parsed);
      if (unsupported) {
        return fail(
          `${where}.${field}`,
          `uses ${unsupported}, which the agent's rule engine does not evaluate`,
        );
      }
      return parsed;
    };
    if (typeof raw.rank !== 'number') fail(`${where}.rank`, 'expected a number (root-cause order)');
    const severityText = String(raw.severity ?? '');
    const severity = expr(
      'severity',
      SEVERITIES.includes(severityText as Severity) ? `'${severityText}'` : raw.severity,
    );
    const facts = Object.entries((raw.facts ?? {}) as Record<string, unknown>).map(
      ([name, text]): [string, E] => [name, expr(`facts.${name}`, text)],
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
