/**
 * One subject, derived once for every table: scores per visit (deriveSubject), the endpoint verdict
 * (adjudicate), time-to-event data (deriveTimeToEvent), the LN flag and baseline covariates.
 * Nothing here is typed in by hand: every value comes from the subject's raw items.
 */

import type { CanonicalLabs, VisitScores } from '../crf/derive.js';
import { type DerivedVisit, deriveSubject, type SubjectDerivation } from '../dataset/patient-history.js';
import type { DatasetSubject } from '../dataset/trial-dataset.js';
import {
  type AdjudicateOptions,
  type Adjudication,
  adjudicate,
  type CycleVerdict,
} from '../endpoints/adjudicate.js';
import { deriveTimeToEvent, type TimeToEventData } from '../endpoints/time-to-event.js';
import {
  CLASSIC_BILAG_SYSTEMS,
  type ClassicBilagSystem,
  type ClassicBilagValue,
} from '../instruments/bilag-classic/grades.js';
import { EMPTY_TRACE, type Result } from '../instruments/result.js';
import type { Sledai2kValue } from '../instruments/sledai2k/score.js';
import { studyDay } from '../protocol/iso-date.js';
import { MEASURE_LABS } from './measures.js';

/** What the analysis reads of a visit: its study day and scores (a compact record keeps no more). */
export type RecordVisit = Pick<DerivedVisit, 'studyDay' | 'scores'>;

/** What the analysis reads of a subject's derivation (a compact record keeps no more). */
export interface RecordDerivation {
  /** Every visit of the subject, in order; the analysis reads their study days (last contact). */
  visits: readonly Pick<DerivedVisit, 'studyDay'>[];
  history: SubjectDerivation['history'];
  problems: string[];
}

export interface SubjectRecord {
  subject: DatasetSubject;
  derivation: RecordDerivation;
  /** analysis-plan.md "Populations": enrolled = received the first infusion (has a day 0). */
  enrolled: boolean;
  day0: string | null;
  /** Item demographics.lupus_nephritis ('1' = LN at baseline); null when not recorded. */
  lupusNephritis: boolean | null;
  age: number | null;
  diseaseDurationMonths: number | null;
  /** Cycle-1 scheduled visits by code (first one wins if duplicated). */
  byVisit: Map<string, RecordVisit>;
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

/** Shared by every compacted record: nothing writes to a kept record. */
const NO_VISITS: DatasetSubject['visits'] = Object.freeze([]) as unknown as DatasetSubject['visits'];
const NO_ISSUES: VisitScores['unreadable'] = Object.freeze([]) as unknown as VisitScores['unreadable'];

/**
 * Values shared between compact records instead of copied into each (issue 16: ~20 000 records are
 * held at once): score results of the same content, study-day entries, repeated short strings.
 * Nothing writes to a kept record, so sharing them changes no value (not frozen: frozen copies of
 * unshared results take more memory). Bounded: past
 * POOL_LIMIT entries a pool returns fresh objects instead of growing (a long-running server).
 */
const POOL_LIMIT = 50_000;
function pooled<T>(pool: Map<string | number, T>, key: string | number, make: () => T): T {
  let v = pool.get(key);
  if (v === undefined) {
    v = make();
    if (pool.size < POOL_LIMIT) pool.set(key, v);
  }
  return v;
}
const sledaiPool = new Map<string | number, Result<Sledai2kValue>>();
const bilagPool = new Map<string | number, Result<ClassicBilagValue>>();
const dayPool = new Map<string | number, Pick<DerivedVisit, 'studyDay'>>();
const stringPool = new Map<string | number, string>();
const NO_DAY: Pick<DerivedVisit, 'studyDay'> = Object.freeze({ studyDay: null });

const shared = (s: string): string => pooled(stringPool, s, () => s);
const sharedOrNull = (s: string | null): string | null => (s === null ? null : shared(s));
const dayEntry = (d: number | null) =>
  d === null ? NO_DAY : pooled(dayPool, d, () => Object.freeze({ studyDay: d }));

const isIntIn = (n: number, bound: number) => Number.isInteger(n) && n >= 0 && n < bound;

function slimSledai(r: Result<Sledai2kValue>): Result<Sledai2kValue> {
  if (!r.ok) return r;
  const { score, clinicalScore, windowDays, presentMask } = r.value;
  const make = () => ({
    ok: true as const,
    value: { score, clinicalScore, windowDays, presentMask },
    trace: EMPTY_TRACE,
  });
  // One number a content (scores < 2^7, window < 2^6, mask of the 24 descriptors < 2^24); other
  // values are not shared.
  if (
    !isIntIn(score, 128) ||
    !isIntIn(clinicalScore, 128) ||
    !isIntIn(windowDays, 64) ||
    !isIntIn(presentMask, 2 ** 24)
  )
    return make();
  return pooled(sledaiPool, ((presentMask * 128 + score) * 128 + clinicalScore) * 64 + windowDays, make);
}

function slimBilag(r: Result<ClassicBilagValue>): Result<ClassicBilagValue> {
  if (!r.ok) return r;
  const { grades, total, highest } = r.value;
  const make = () => ({
    ok: true as const,
    value: { grades: { ...grades }, total, highest },
    trace: EMPTY_TRACE,
  });
  // The grade of each system in CLASSIC_BILAG_SYSTEMS order ('-' when absent); grades of any other
  // key are not shared.
  let key = `${total}${highest}`;
  let systems = 0;
  for (const system of CLASSIC_BILAG_SYSTEMS) {
    const g = grades[system];
    if (g !== undefined) systems++;
    key += g ?? '-';
  }
  return systems === Object.keys(grades).length ? pooled(bilagPool, key, make) : make();
}

/**
 * A visit's measure labs (MEASURE_LABS) packed into one number array of the subject, read back
 * through getters: `labs.c3GL` is the value, or undefined when the visit had none.
 */
class PackedLabs {
  constructor(
    readonly values: number[],
    readonly at: number,
    /** Bit i set: MEASURE_LABS[i] was present. */
    readonly present: number,
  ) {}
  static pack(labs: CanonicalLabs, values: number[], at: number): CanonicalLabs {
    let present = 0;
    MEASURE_LABS.forEach((key, i) => {
      const v = labs[key];
      values[at + i] = v === undefined ? 0 : v;
      if (v !== undefined) present |= 1 << i;
    });
    return new PackedLabs(values, at, present) as CanonicalLabs;
  }
}
MEASURE_LABS.forEach((key, i) => {
  Object.defineProperty(PackedLabs.prototype, key, {
    get(this: PackedLabs) {
      return this.present & (1 << i) ? this.values[this.at + i] : undefined;
    },
  });
});

/**
 * The record without what no table reads once it is built (issue 16: a trial of thousands is
 * analysed subject by subject, keeping records, not items): the raw items of every visit, the visit
 * itself (id, code, date; byVisit is keyed by code), the scores of visits outside the plan's
 * timepoints, the score traces and the labs no measure reads (MEASURE_LABS). Every field the
 * analysis reads (analyzeRecords and the tables it calls) is kept with its value; equal score results
 * and repeated strings are shared between records.
 */
export function compactRecord(r: SubjectRecord): SubjectRecord {
  const s = r.subject;
  const subject: DatasetSubject = {
    ...s,
    siteId: shared(s.siteId),
    siteCode: shared(s.siteCode),
    status: shared(s.status),
    sex: sharedOrNull(s.sex),
    visits: NO_VISITS,
  };
  // Exactly one slot a measure lab of each kept visit (a growing array would keep slack).
  const labValues: number[] = new Array(r.byVisit.size * MEASURE_LABS.length);
  let at = 0;
  const byVisit = new Map<string, RecordVisit>();
  for (const [code, dv] of r.byVisit) {
    const { sledai, bilag, labs } = dv.scores;
    const packed = PackedLabs.pack(labs, labValues, at);
    at += MEASURE_LABS.length;
    // One literal a shape (properties added later would go to a separate, larger backing store).
    const scores: VisitScores =
      sledai && bilag
        ? { labs: packed, unreadable: NO_ISSUES, sledai: slimSledai(sledai), bilag: slimBilag(bilag) }
        : sledai
          ? { labs: packed, unreadable: NO_ISSUES, sledai: slimSledai(sledai) }
          : bilag
            ? { labs: packed, unreadable: NO_ISSUES, bilag: slimBilag(bilag) }
            : { labs: packed, unreadable: NO_ISSUES };
    byVisit.set(shared(code), { studyDay: dv.studyDay, scores });
  }
  const visits = r.derivation.visits.map((dv) => dayEntry(dv.studyDay));
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
  return {
    ...r,
    subject,
    derivation: { visits, history, problems: r.derivation.problems },
    byVisit,
    adjudication,
  };
}

/** Study day of an ISO date for this subject, or null. */
export function dayOf(record: SubjectRecord, date: string | null): number | null {
  return record.day0 && date ? studyDay(record.day0, date) : null;
}
