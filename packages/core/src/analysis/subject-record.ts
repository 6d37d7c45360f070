/**
 * One subject, derived once for every table: scores per visit (deriveSubject), the endpoint verdict
 * (adjudicate), time-to-event data (deriveTimeToEvent), the LN flag and baseline covariates.
 * Nothing here is typed in by hand: every value comes from the subject's raw items.
 */

import { type DerivedVisit, deriveSubject, type SubjectDerivation } from '../dataset/patient-history.js';
import type { DatasetSubject } from '../dataset/trial-dataset.js';
import { type AdjudicateOptions, type Adjudication, adjudicate } from '../endpoints/adjudicate.js';
import { deriveTimeToEvent, type TimeToEventData } from '../endpoints/time-to-event.js';
import type { ClassicBilagSystem } from '../instruments/bilag-classic/grades.js';
import { studyDay } from '../protocol/iso-date.js';

export interface SubjectRecord {
  subject: DatasetSubject;
  derivation: SubjectDerivation;
  /** analysis-plan.md "Populations": enrolled = received the first infusion (has a day 0). */
  enrolled: boolean;
  day0: string | null;
  /** Item demographics.lupus_nephritis ('1' = LN at baseline); null when not recorded. */
  lupusNephritis: boolean | null;
  age: number | null;
  diseaseDurationMonths: number | null;
  /** Cycle-1 scheduled visits by code (first one wins if duplicated). */
  byVisit: Map<string, DerivedVisit>;
  adjudication: Adjudication<ClassicBilagSystem> | null;
  timeToEvent: TimeToEventData | null;
}

function demographic(subject: DatasetSubject, item: string): string | null {
  for (const v of subject.visits) {
    const value = v.items.demographics?.[item]?.value;
    if (value !== undefined && value !== null && value.trim() !== '') return value.trim();
  }
  return null;
}

const numberOrNull = (s: string | null): number | null => {
  if (s === null) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

export function subjectRecord(
  subject: DatasetSubject,
  options: AdjudicateOptions & { horizonDay: number; sledaiWindowDays?: 10 | 30 },
): SubjectRecord {
  const { horizonDay, sledaiWindowDays, ...adjudicateOptions } = options;
  const derivation = deriveSubject(subject, sledaiWindowDays ? { sledaiWindowDays } : {});
  const givenInfusion = subject.infusions.find((i) => i.status === 'given' && i.date);
  const day0 =
    subject.day0Date ??
    subject.visits.find((v) => v.visitCode === 'D0' && v.cycle === 1)?.date ??
    givenInfusion?.date ??
    null;
  const byVisit = new Map<string, DerivedVisit>();
  for (const dv of derivation.visits) {
    if (dv.visit.cycle !== 1 || byVisit.has(dv.visit.visitCode)) continue;
    byVisit.set(dv.visit.visitCode, dv);
  }
  const ln = demographic(subject, 'lupus_nephritis');
  const history = derivation.history;
  const adjudication = history ? adjudicate(history, adjudicateOptions) : null;
  const timeToEvent =
    history && adjudication
      ? deriveTimeToEvent(history, adjudication, { survivalHorizonDay: horizonDay })
      : null;
  // Sanity: a subject with a day 0 on an infusion but no D0 visit still counts as enrolled.
  if (day0 && !subject.day0Date && givenInfusion && !derivation.history)
    derivation.problems.push(`day 0 taken from the first given infusion (${day0})`);
  return {
    subject,
    derivation,
    enrolled: day0 !== null,
    day0,
    lupusNephritis: ln === null ? null : ln === '1' || ln.toLowerCase() === 'true',
    age: numberOrNull(demographic(subject, 'age_years')),
    diseaseDurationMonths: numberOrNull(demographic(subject, 'disease_duration_months')),
    byVisit,
    adjudication,
    timeToEvent,
  };
}

/** Study day of an ISO date for this subject, or null. */
export function dayOf(record: SubjectRecord, date: string | null): number | null {
  return record.day0 && date ? studyDay(record.day0, date) : null;
}
