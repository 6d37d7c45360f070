/**
 * Safety (analysis-plan.md R1, R2; endpoints.md "Safety (primary)"): adverse events from day 0 to
 * the end of follow-up by term, CTCAE grade, seriousness (ICH E2A) and relatedness to the infusion;
 * "transplantation-related" = possible, probable or definite; infusion reactions; deaths with cause
 * and day; alive at the horizon over the enrolled with an exact CI (R `binom.test`).
 */
import type { DatasetAdverseEvent } from '../dataset/trial-dataset.js';
import { countBy, proportion } from './proportion.js';
import { dayOf, type SubjectRecord } from './subject-record.js';
import type { DeathRecord, SafetyResults } from './types.js';

/** endpoints.md "Safety": the relatedness scale, in order. */
export const RELATEDNESS = ['not_related', 'unlikely', 'possible', 'probable', 'definite'] as const;
/** endpoints.md "Safety": transplantation-related = possible, probable or definite. */
export const TRANSPLANT_RELATED: ReadonlySet<string> = new Set(['possible', 'probable', 'definite']);
const GRADES = ['1', '2', '3', '4', '5', 'not graded'];

/** Death of a subject: the endpoint history's (end-of-study form or fatal AE), else a fatal AE. */
export function deathOf(r: SubjectRecord): DeathRecord | null {
  const site = r.subject.siteCode;
  const subject = r.subject.subjectCode;
  const h = r.derivation.history?.death;
  if (h) return { subject, site, studyDay: h.studyDay, date: h.date, cause: h.cause ?? null };
  const ae = r.subject.adverseEvents.find((a) => a.deathDate);
  if (!ae?.deathDate) return null;
  const day = dayOf(r, ae.deathDate);
  return day === null ? null : { subject, site, studyDay: day, date: ae.deathDate, cause: ae.deathCause };
}

export function analyseSafety(enrolled: readonly SubjectRecord[], horizonDay: number): SafetyResults {
  const n = enrolled.length;
  const events: { ae: DatasetAdverseEvent; patient: string }[] = [];
  let excluded = 0;
  for (const r of enrolled) {
    for (const ae of r.subject.adverseEvents) {
      const day = dayOf(r, ae.onsetDate);
      if (day === null || day < 0 || day > horizonDay) {
        excluded++;
        continue;
      }
      events.push({ ae, patient: r.subject.subjectId });
    }
  }
  const patientOf = (e: { patient: string }) => e.patient;
  const patientsWith = (pred: (e: (typeof events)[number]) => boolean) =>
    new Set(events.filter(pred).map(patientOf)).size;

  const infusions = enrolled.flatMap((r) =>
    r.subject.infusions.filter((i) => i.status === 'given').map((i) => ({ i, patient: r.subject.subjectId })),
  );
  const reactions = [
    ...infusions
      .filter(({ i }) => i.reactions && i.reactions.trim() !== '')
      .map(({ i, patient }) => ({ label: i.reactions!.trim(), patient })),
    ...events.filter((e) => e.ae.infusionLinked).map((e) => ({ label: e.ae.term, patient: e.patient })),
  ];

  const deaths = enrolled
    .map(deathOf)
    .filter((d): d is DeathRecord => d !== null && d.studyDay <= horizonDay)
    .sort((a, b) => a.studyDay - b.studyDay);
  const dead = new Set(deaths.map((d) => d.subject));
  // Vital status unknown at the horizon: withdrawn or lost alive before it.
  const unknown = enrolled.filter((r) => {
    if (dead.has(r.subject.subjectCode)) return false;
    const w = r.derivation.history?.withdrawal;
    return w !== undefined && w.studyDay < horizonDay;
  }).length;

  return {
    adverseEvents: {
      total: events.length,
      patientsWithAny: proportion(new Set(events.map(patientOf)).size, n),
      excludedOutsideWindow: excluded,
      byTerm: countBy(events, (e) => e.ae.term, patientOf),
      byGrade: countBy(
        events,
        (e) => (e.ae.ctcaeGrade === null ? 'not graded' : String(e.ae.ctcaeGrade)),
        patientOf,
        GRADES,
      ),
      bySeriousness: countBy(
        events,
        (e) => (e.ae.serious ? ['serious', ...e.ae.seriousness] : ['not serious']),
        patientOf,
        ['serious', 'not serious'],
      ),
      byRelatedness: countBy(events, (e) => e.ae.relatedness, patientOf, RELATEDNESS),
      transplantationRelated: proportion(
        patientsWith((e) => TRANSPLANT_RELATED.has(e.ae.relatedness)),
        n,
      ),
      serious: proportion(
        patientsWith((e) => e.ae.serious),
        n,
      ),
    },
    infusions: {
      given: infusions.length,
      patients: new Set(infusions.map(patientOf)).size,
      withReaction: new Set(reactions.map(patientOf)).size,
      reactions: countBy(reactions, (x) => x.label, patientOf),
    },
    deaths,
    aliveAtHorizon: proportion(n - deaths.length, n),
    vitalStatusUnknown: unknown,
    horizonDay,
  };
}
