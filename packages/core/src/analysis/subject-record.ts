/**
 * One subject, derived once for every table: scores per visit (deriveSubject), the endpoint verdict
 * (adjudicate), time-to-event data (deriveTimeToEvent), the LN flag and baseline covariates.
 * Nothing here is typed in by hand: every value comes from the subject's raw items.
 */

import type { CanonicalLabs, VisitScores } from '../crf/derive.js';
import { type DerivedVisit, deriveSubject, type SubjectDerivation } from '../dataset/patient-history.js';
import type { DatasetSubject, DatasetVisit } from '../dataset/trial-dataset.js';
import {
  type AdjudicateOptions,
  type Adjudication,
  adjudicate,
  type CycleVerdict,
} from '../endpoints/adjudicate.js';
import { deriveTimeToEvent, type TimeToEventData } from '../endpoints/time-to-event.js';
import type { ClassicBilagSystem, ClassicBilagValue } from '../instruments/bilag-classic/grades.js';
import { EMPTY_TRACE, type Result } from '../instruments/result.js';
import type { Sledai2kValue } from '../instruments/sledai2k/score.js';
import { studyDay } from '../protocol/iso-date.js';
import { MEASURE_LABS } from './measures.js';

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

export type SubjectRecordOptions = AdjudicateOptions & { horizonDay: number; sledaiWindowDays?: 10 | 30 };

export function subjectRecord(subject: DatasetSubject, options: SubjectRecordOptions): SubjectRecord {
  const { sledaiWindowDays } = options;
  return subjectRecordFrom(
    subject,
    deriveSubject(subject, sledaiWindowDays ? { sledaiWindowDays } : {}),
    options,
  );
}

/** The record of a subject already derived (deriveSubject with the same SLEDAI-2K window). */
export function subjectRecordFrom(
  subject: DatasetSubject,
  derivation: SubjectDerivation,
  options: SubjectRecordOptions,
): SubjectRecord {
  const { horizonDay, sledaiWindowDays: _window, ...adjudicateOptions } = options;
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

const NO_SCORES: VisitScores = Object.freeze({ labs: Object.freeze({}), unreadable: [] }) as VisitScores;
/** Shared by every compacted visit: the items are dropped, and nothing writes to a kept record. */
const NO_ITEMS: DatasetVisit['items'] = Object.freeze({});
const NO_ISSUES: VisitScores['unreadable'] = Object.freeze([]) as unknown as VisitScores['unreadable'];

/** The labs the measures read (MEASURE_LABS), without the others. */
function measureLabs(labs: CanonicalLabs): CanonicalLabs {
  const out: CanonicalLabs = {};
  for (const key of MEASURE_LABS) {
    const v = labs[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

// Fresh small objects of one shape each (literals, not spreads), so nothing of the derivation's
// working data stays reachable from the kept record and the kept objects are as small as V8 makes
// them (issue 16: ~20 000 records are held at once).
function slimSledai(r: Result<Sledai2kValue> | undefined): Result<Sledai2kValue> | undefined {
  if (!r?.ok) return r;
  const { score, clinicalScore, windowDays, presentMask } = r.value;
  return { ok: true, value: { score, clinicalScore, windowDays, presentMask }, trace: EMPTY_TRACE };
}

function slimBilag(r: Result<ClassicBilagValue> | undefined): Result<ClassicBilagValue> | undefined {
  if (!r?.ok) return r;
  const { grades, total, highest } = r.value;
  return { ok: true, value: { grades: { ...grades }, total, highest }, trace: EMPTY_TRACE };
}

function slimVisit(dv: DerivedVisit, scores: VisitScores): DerivedVisit {
  const { visitId, visitCode, cycle, date } = dv.visit;
  return { visit: { visitId, visitCode, cycle, date, items: NO_ITEMS }, studyDay: dv.studyDay, scores };
}

/**
 * The record without what no table reads once it is built (issue 16: a trial of thousands is
 * analysed subject by subject, keeping records, not items): the raw items of every visit, the
 * scores of visits outside the plan's timepoints, the score traces and the labs no measure reads
 * (MEASURE_LABS). Every field the analysis
 * reads (analyzeRecords and the tables it calls) is kept as it was.
 */
export function compactRecord(r: SubjectRecord): SubjectRecord {
  const subject: DatasetSubject = { ...r.subject, visits: [] };
  const slim = new Map<DerivedVisit, DerivedVisit>();
  for (const dv of r.byVisit.values()) {
    const { sledai, bilag, labs } = dv.scores;
    const scores: VisitScores = { labs: measureLabs(labs), unreadable: NO_ISSUES };
    if (sledai) scores.sledai = slimSledai(sledai)!;
    if (bilag) scores.bilag = slimBilag(bilag)!;
    slim.set(dv, slimVisit(dv, scores));
  }
  const visits = r.derivation.visits.map((dv) => slim.get(dv) ?? slimVisit(dv, NO_SCORES));
  const byVisit = new Map<string, DerivedVisit>();
  for (const [code, dv] of r.byVisit) byVisit.set(code, slim.get(dv)!);
  // The verdicts without their step-by-step traces (each keeps its summary); the endpoint history
  // without its assessments (already adjudicated; its baseline, death, withdrawal and last contact stay).
  const cycles = new Map<CycleVerdict<ClassicBilagSystem>, CycleVerdict<ClassicBilagSystem>>();
  const slimCycle = (c: CycleVerdict<ClassicBilagSystem>) => {
    let out = cycles.get(c);
    if (!out) {
      out = { ...c, trace: [], retreatment: { ...c.retreatment, trace: [] } };
      cycles.set(c, out);
    }
    return out;
  };
  const a = r.adjudication;
  const adjudication = a ? { ...a, primary: slimCycle(a.primary), cycles: a.cycles.map(slimCycle) } : null;
  const history = r.derivation.history ? { ...r.derivation.history, assessments: [] } : null;
  return { ...r, subject, derivation: { ...r.derivation, subject, visits, history }, byVisit, adjudication };
}

/** Study day of an ISO date for this subject, or null. */
export function dayOf(record: SubjectRecord, date: string | null): number | null {
  return record.day0 && date ? studyDay(record.day0, date) : null;
}
