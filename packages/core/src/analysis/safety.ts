/**
 * Safety (analysis-plan.md R1, R2; endpoints.md "Safety (primary)"): adverse events from day 0 to
 * the end of follow-up by term, CTCAE grade, seriousness (ICH E2A) and relatedness to the infusion;
 * "transplantation-related" = possible, probable or definite; infusion reactions; deaths with cause
 * and day; alive at the horizon over the enrolled with an exact CI (R `binom.test`).
 */
import { checkAdverseEventDates, subjectDateBounds } from '../dataset/adverse-event-dates.js';
import type { DatasetAdverseEvent } from '../dataset/trial-dataset.js';
import { RELATED_ASSESSMENTS, RELATEDNESS } from '../safety/vocabulary.js';
import { countBy, proportion } from './proportion.js';
import { dayOf, type SubjectRecord } from './subject-record.js';
import type { DeathRecord, ExcludedAdverseEvent, SafetyResults } from './types.js';

/** endpoints.md "Safety": transplantation-related = possible, probable or definite. */
export const TRANSPLANT_RELATED: ReadonlySet<string> = new Set(RELATED_ASSESSMENTS);
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

/**
 * Why an AE is not in the safety tables, or null when it is: the subject is not in the safety
 * population (no first infusion), its onset date is implausible against the subject's own dates
 * (core/dataset/adverse-event-dates.ts, with "today" = the data snapshot date), or its onset lies
 * outside day 0 … the end of follow-up (endpoints.md "Safety (primary)": from first infusion to
 * month 12).
 */
export function adverseEventExclusion(
  r: SubjectRecord,
  ae: DatasetAdverseEvent,
  horizonDay: number,
  asOf: string,
): Pick<ExcludedAdverseEvent, 'rule' | 'reason' | 'studyDay'> | null {
  const day = dayOf(r, ae.onsetDate);
  if (!r.enrolled)
    return {
      rule: 'not_enrolled',
      studyDay: null,
      reason: 'subject not enrolled (no first infusion recorded)',
    };
  const issue = checkAdverseEventDates({ onsetDate: ae.onsetDate }, subjectDateBounds(r.subject), asOf).find(
    (i) => i.field === 'onsetDate',
  );
  if (issue) return { rule: issue.rule, studyDay: day, reason: `implausible onset: ${issue.message}` };
  if (day === null) return { rule: 'no_day0', studyDay: null, reason: 'no day 0 to place the onset' };
  if (day < 0)
    return {
      rule: 'before_day0',
      studyDay: day,
      reason: `onset on day ${day}, before the first infusion (pre-treatment event)`,
    };
  if (day > horizonDay)
    return {
      rule: 'after_follow_up',
      studyDay: day,
      reason: `onset on day ${day}, after the end of follow-up (day ${horizonDay})`,
    };
  return null;
}

/**
 * `records`: every subject in the dataset (AEs of subjects not enrolled are listed as left out);
 * proportions are over the enrolled. `asOf`: the data snapshot date (AE dates after it are implausible).
 */
export function analyseSafety(
  records: readonly SubjectRecord[],
  horizonDay: number,
  asOf: string,
): SafetyResults {
  const enrolled = records.filter((r) => r.enrolled);
  const n = enrolled.length;
  const events: { ae: DatasetAdverseEvent; patient: string }[] = [];
  const excluded: ExcludedAdverseEvent[] = [];
  for (const r of records) {
    for (const ae of r.subject.adverseEvents) {
      const why = adverseEventExclusion(r, ae, horizonDay, asOf);
      if (why) {
        excluded.push({
          subject: r.subject.subjectCode,
          site: r.subject.siteCode,
          term: ae.term,
          onsetDate: ae.onsetDate,
          ...why,
        });
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
      excludedOutsideWindow: excluded.length,
      excluded,
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
