/**
 * Relapse after response (analysis-plan.md R4): among responders, new relapses first detected at
 * each visit and cumulative % of responders with exact CIs; and the re-treatment trigger (R12,
 * endpoints.md "Re-treatment rule"): per responder, the visit at which the rule would fire.
 * Relapse and the flag come from adjudicate(); nothing is recomputed here.
 */
import { proportion } from './proportion.js';
import { isResponder } from './response.js';
import type { SubjectRecord } from './subject-record.js';
import type { RelapseResults } from './types.js';

export function analyseRelapse(
  enrolled: readonly SubjectRecord[],
  visitOrder: readonly string[],
  confLevel = 0.95,
): RelapseResults {
  const responders = enrolled.filter(isResponder);
  const n = responders.length;
  const relapses = responders.flatMap((r) => {
    const rel = r.adjudication?.primary.relapse;
    return rel ? [{ r, visit: rel.visitCode, day: rel.studyDay }] : [];
  });
  // Visits in schedule order, then any other code (UNSCHEDULED) in order of first appearance.
  const visits = [...visitOrder];
  for (const x of [...relapses].sort((a, b) => a.day - b.day))
    if (!visits.includes(x.visit)) visits.push(x.visit);
  let cumulative = 0;
  const byVisit = visits.map((visit) => {
    const newRelapses = relapses.filter((x) => x.visit === visit).length;
    cumulative += newRelapses;
    return { visit, newRelapses, cumulative: proportion(cumulative, n, confLevel) };
  });

  const flagged = responders.flatMap((r) => {
    const f = r.adjudication?.primary.retreatment;
    return f?.flagged
      ? [
          {
            subject: r.subject.subjectCode,
            visit: f.visitCode ?? '',
            studyDay: f.studyDay ?? 0,
            rule: f.rule ?? '',
          },
        ]
      : [];
  });
  const flagVisits = [...visitOrder, ...flagged.map((f) => f.visit)].filter((v, i, a) => a.indexOf(v) === i);
  return {
    responders: n,
    byVisit: byVisit.filter((v) => visitOrder.includes(v.visit) || v.newRelapses > 0),
    total: proportion(relapses.length, n, confLevel),
    retreatment: {
      flagged: proportion(flagged.length, n, confLevel),
      byVisit: flagVisits
        .map((visit) => ({ visit, count: flagged.filter((f) => f.visit === visit).length }))
        .filter((v) => visitOrder.includes(v.visit) || v.count > 0),
      patients: flagged.sort((a, b) => a.studyDay - b.studyDay),
    },
  };
}
