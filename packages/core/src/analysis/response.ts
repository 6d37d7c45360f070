/**
 * Response (analysis-plan.md R3): best response per patient over 12 months by the endpoint rules
 * (adjudicate: MCR > PCR > NR), counts and % of the enrolled with exact (R `binom.test`) and Wilson
 * (R `prop.test(correct = FALSE)`) 95% CIs, overall and per centre; month of first response.
 * Missing data (plan "Missing data"; endpoints.md "No response"): patients who died, withdrew or
 * lack the assessments are non-responders (NRI) — and so is an enrolled patient whose baseline
 * cannot be scored, since no response can be shown.
 */
import type { ResponseOutcome } from '../endpoints/adjudicate.js';
import { countBy, proportion } from './proportion.js';
import type { SubjectRecord } from './subject-record.js';
import type { ResponseResults, ResponseTable } from './types.js';

export function outcomeOf(r: SubjectRecord): ResponseOutcome {
  return r.adjudication?.primary.outcome ?? 'NR';
}

export const isResponder = (r: SubjectRecord) => {
  const o = outcomeOf(r);
  return o === 'MCR' || o === 'PCR';
};

export function imputationOf(r: SubjectRecord): string | null {
  if (!r.adjudication) return 'no adjudicable baseline (NRI)';
  return r.adjudication.primary.imputation?.reason ?? null;
}

export function responseTable(
  group: string,
  records: readonly SubjectRecord[],
  confLevel: number,
): ResponseTable {
  const n = records.length;
  const count = (o: ResponseOutcome) => records.filter((r) => outcomeOf(r) === o).length;
  return {
    group,
    n,
    MCR: proportion(count('MCR'), n, confLevel),
    PCR: proportion(count('PCR'), n, confLevel),
    NR: proportion(count('NR'), n, confLevel),
    responders: proportion(count('MCR') + count('PCR'), n, confLevel),
    pending: count('pending'),
  };
}

export function analyseResponse(
  enrolled: readonly SubjectRecord[],
  sites: readonly { id: string; code: string }[],
  confLevel = 0.95,
): ResponseResults {
  const months = new Map<number, number>();
  for (const r of enrolled) {
    const m = isResponder(r) ? r.adjudication?.primary.firstResponseMonth : null;
    if (m !== null && m !== undefined) months.set(m, (months.get(m) ?? 0) + 1);
  }
  const imputed = enrolled.filter((r) => outcomeOf(r) === 'NR' && imputationOf(r) !== null);
  return {
    overall: responseTable('all centres', enrolled, confLevel),
    bySite: sites.map((s) =>
      responseTable(
        s.code,
        enrolled.filter((r) => r.subject.siteId === s.id),
        confLevel,
      ),
    ),
    firstResponseMonth: [...months.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([month, count]) => ({ month, count })),
    imputed: countBy(
      imputed,
      (r) => imputationOf(r)!,
      (r) => r.subject.subjectId,
    ),
  };
}
