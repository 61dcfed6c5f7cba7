/**
 * diagnose(report): probes in, findings out, root cause first. Pure: the same report always
 * gives the same findings, so the bot can re-diagnose what an agent sent.
 */
import type { Finding, Report, Severity, Verdict } from '../report.ts';
import { evaluate as interpret, type Node } from './ast.ts';
import { builtInRules } from './builtin.ts';
import { deriveFacts, type Facts } from './facts.ts';
import type { RuleSet } from './rules.ts';

export { builtInRules };

export interface Diagnosis {
  findings: Finding[];
  verdict: Verdict;
}

type DiagnosisInput = Pick<Report, 'probes' | 'endpoints' | 'environment' | 'publicResolvers' | 'watch'>;

/** How an engine evaluates one parsed expression. */
export type Evaluate<E> = (
  expression: E,
  scope: Record<string, unknown>,
) => { value: unknown; error?: string };

export function diagnose(report: DiagnosisInput, rules: RuleSet<Node> = builtInRules()): Diagnosis {
  return diagnoseWith(report, rules, interpret);
}

/** diagnose() over any engine: tests run adaptive-expressions' own evaluator through it. */
export function diagnoseWith<E>(report: DiagnosisInput, rules: RuleSet<E>, engine: Evaluate<E>): Diagnosis {
  const evaluate = (expression: E, scope: Record<string, unknown>, rule: string, field: string): unknown => {
    const { value, error } = engine(expression, scope);
    if (error) throw new Error(`diagnosis rule ${rule}.${field} failed: ${error}`);
    return value;
  };
  const facts = deriveFacts(report, rules.microsoftDomains);
  const explained = new Set<string>();
  const findings: Finding[] = [];
  for (const rule of rules.rules) {
    const scope: Record<string, unknown> = {
      ...facts,
      explained: [...explained],
      found: findings.map((f) => f.id),
    };
    if (rule.match) scope.matched = asArray(evaluate(rule.match, scope, rule.id, 'match'));
    if (evaluate(rule.when, scope, rule.id, 'when') !== true) continue;
    const evidence = [
      ...new Set(asArray(evaluate(rule.evidence, scope, rule.id, 'evidence')).filter(isText)),
    ];
    const found: Finding = {
      id: rule.id as Finding['id'],
      severity: evaluate(rule.severity, scope, rule.id, 'severity') as Severity,
      summary: String(evaluate(rule.summary, scope, rule.id, 'summary')),
      evidence,
      facts: Object.fromEntries(
        rule.facts
          .map(([name, e]) => [name, evaluate(e, scope, rule.id, `facts.${name}`)] as const)
          .filter(([, v]) => v !== null && v !== undefined),
      ),
    };
    findings.push(found);
    for (const id of evidence) explained.add(id);
  }
  const superseded = new Set(
    rules.rules.filter((r) => findings.some((f) => f.id === r.id)).flatMap((r) => r.supersedes),
  );
  const kept = findings.filter((f) => !superseded.has(f.id));
  return { findings: kept, verdict: verdictOf(kept, facts) };
}

/**
 * healthy: no blocking or degraded finding, and enough ran to say so. inconclusive: too little
 * ran (most network probes could not run), or nothing at all was probed.
 */
function verdictOf(findings: Finding[], facts: Facts): Verdict {
  if (findings.some((f) => f.severity === 'blocking' || f.severity === 'degraded')) return 'problems';
  if (facts.networkProbeCount === 0 || facts.notRunIds.length * 2 > facts.networkProbeCount)
    return 'inconclusive';
  const requiredUnknown = facts.hosts.some(
    (h) =>
      h.required &&
      ['missing', 'error'].includes(h.purpose === 'websocket' ? h.websocket.state : h.https.state),
  );
  return requiredUnknown ? 'inconclusive' : 'healthy';
}

function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === null || value === undefined ? [] : [value];
}

function isText(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}
