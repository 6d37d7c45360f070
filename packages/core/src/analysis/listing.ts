/**
 * Per-patient listing (analysis-plan.md "Charts": spaghetti and swimmer data; DESIGN.md principle 2):
 * site, baseline SLEDAI-2K and BILAG, best response, first response, relapse, re-treatment flag,
 * death, and the verdict's own trace summary, so every count in the report can be traced to patients.
 */
import { imputationOf, outcomeOf } from './response.js';
import { deathOf } from './safety.js';
import { dayOf, type SubjectRecord } from './subject-record.js';
import { overallSurvivalOf } from './survival.js';
import type { PatientListingRow } from './types.js';

export function listingRow(
  r: SubjectRecord,
  timepoints: readonly string[],
  horizonDay: number,
): PatientListingRow {
  const v = r.adjudication?.primary;
  const death = deathOf(r);
  const base = r.byVisit.get(timepoints[0] ?? 'D0')?.scores;
  const sledai: Record<string, number | null> = {};
  for (const t of timepoints) {
    const s = r.byVisit.get(t)?.scores.sledai;
    sledai[t] = s?.ok ? s.value.score : null;
  }
  const infusionDays = r.subject.infusions
    .filter((i) => i.status === 'given')
    .map((i) => dayOf(r, i.date))
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b);
  return {
    subjectId: r.subject.subjectId,
    subject: r.subject.subjectCode,
    site: r.subject.siteCode,
    lupusNephritis: r.lupusNephritis,
    age: r.age,
    diseaseDurationMonths: r.diseaseDurationMonths,
    baselineSledai: base?.sledai?.ok ? base.sledai.value.score : null,
    baselineBilag: base?.bilag?.ok ? base.bilag.value.total : null,
    bestResponse: outcomeOf(r),
    label: v?.label ?? 'NR',
    firstResponseMonth: v?.firstResponseMonth ?? null,
    firstResponseDay: v?.firstResponseAt?.studyDay ?? null,
    relapseVisit: v?.relapse?.visitCode ?? null,
    relapseDay: v?.relapse?.studyDay ?? null,
    reResponseMonth: v?.reResponse?.month ?? null,
    retreatmentVisit: v?.retreatment.flagged ? (v.retreatment.visitCode ?? null) : null,
    deathDay: death?.studyDay ?? null,
    deathCause: death?.cause ?? null,
    lastContactDay: overallSurvivalOf(r, horizonDay).time,
    infusionDays,
    sledai,
    imputation: v ? (v.imputation?.text ?? null) : imputationOf(r),
    summary:
      v?.summary ??
      `NR by non-responder imputation: ${r.derivation.problems.join('; ') || 'no endpoint history'}.`,
    problems: [...r.derivation.problems],
  };
}
