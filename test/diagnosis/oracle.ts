/**
 * adaptive-expressions itself evaluating the diagnosis rules: the reference the agent's
 * interpreter (probes/diagnosis/ast.ts) is checked against.
 */
import { Expression } from 'adaptive-expressions';
import { diagnoseWith } from '../../probes/diagnosis/index.ts';
import rulesJson from '../../probes/diagnosis/rules.json' with { type: 'json' };
import { loadRules } from '../../probes/diagnosis/rules.ts';
import { FINDING_IDS } from '../../probes/findings.ts';
import type { Report } from '../../probes/report.ts';

const rules = loadRules(
  rulesJson,
  'rules.json',
  FINDING_IDS,
  (text) => Expression.parse(text),
  () => null,
);

export function diagnoseWithAdaptiveExpressions(
  report: Pick<Report, 'probes' | 'endpoints' | 'environment' | 'publicResolvers'>,
) {
  return diagnoseWith(report, rules, (expression, scope) => expression.tryEvaluate(scope));
}
