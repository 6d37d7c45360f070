// From a subject's raw visits to the endpoint input: BILAG grades, SLEDAI-2K, C3 and anti-dsDNA per
// assessment (derived from items by the instruments), study days from day 0, death, withdrawal and
// last contact. Visit codes follow the built-in schedule (trial.md "Schedule"): D0 is the
// pre-infusion baseline; M1–M12 and unscheduled visits are follow-up assessments.

import { deriveVisitScores, type VisitScores } from '../crf/derive.js';
import type { Assessment, CycleStart, PatientHistory } from '../endpoints/assessment.js';
import { CLASSIC_BILAG_SYSTEMS, type ClassicBilagSystem } from '../instruments/bilag-classic/grades.js';
import { studyDay } from '../protocol/iso-date.js';
import type { DatasetSubject, DatasetVisit } from './trial-dataset.js';

/** Visits that are not disease-activity assessments. */
const NOT_ASSESSMENTS = new Set(['SCR', 'D7']);
const BASELINE = 'D0';

export interface DerivedVisit {
  visit: DatasetVisit;
  studyDay: number | null;
  scores: VisitScores;
}

export interface SubjectDerivation {
  subject: DatasetSubject;
  visits: DerivedVisit[];
  /** Null when the subject has no day 0 or no complete baseline assessment. */
  history: PatientHistory<ClassicBilagSystem> | null;
  problems: string[];
}

function toAssessment(d: DerivedVisit): Assessment<ClassicBilagSystem> | undefined {
  const { visit, studyDay: day, scores } = d;
  if (day === null || !visit.date) return undefined;
  const grades = scores.bilag?.ok ? { ...scores.bilag.value.grades } : {};
  const a: Assessment<ClassicBilagSystem> = {
    visitCode: visit.visitCode,
    studyDay: day,
    date: visit.date,
    grades,
    cycle: visit.cycle,
  };
  if (scores.sledai?.ok) a.sledai = scores.sledai.value.score;
  if (scores.labs.c3GL !== undefined) a.c3 = scores.labs.c3GL;
  if (scores.labs.antiDsDnaIuMl !== undefined) a.antiDsDna = scores.labs.antiDsDnaIuMl;
  return a;
}

/**
 * Derives every visit's scores and the endpoint history of one subject. `trace`: build each score's
 * trace (the endpoint views show it); the analysis leaves it off (deriveVisitScores).
 */
export function deriveSubject(
  subject: DatasetSubject,
  options: { sledaiWindowDays?: 10 | 30; trace?: boolean } = {},
): SubjectDerivation {
  const problems: string[] = [];
  const d0 =
    subject.day0Date ?? subject.visits.find((v) => v.visitCode === BASELINE && v.cycle === 1)?.date ?? null;
  const visits: DerivedVisit[] = subject.visits.map((visit) => ({
    visit,
    studyDay: d0 && visit.date ? studyDay(d0, visit.date) : null,
    scores: deriveVisitScores(visit.items, options),
  }));
  if (!d0) return { subject, visits, history: null, problems: ['no day 0 (first infusion) recorded'] };

  const baselines = new Map<number, Assessment<ClassicBilagSystem>>();
  const assessments: Assessment<ClassicBilagSystem>[] = [];
  for (const dv of visits) {
    if (NOT_ASSESSMENTS.has(dv.visit.visitCode)) continue;
    // A visit without a disease-activity form (e.g. an unscheduled visit recording a death) is not an assessment.
    if (!dv.visit.items.bilag && !dv.visit.items.sledai2k) continue;
    for (const [name, r] of [
      ['SLEDAI-2K', dv.scores.sledai],
      ['BILAG', dv.scores.bilag],
    ] as const) {
      if (r && !r.ok)
        problems.push(
          `${dv.visit.visitCode}: ${name} not scored (${r.issues.map((i) => i.message).join('; ')})`,
        );
    }
    const a = toAssessment(dv);
    if (!a) {
      problems.push(`${dv.visit.visitCode}: no visit date`);
      continue;
    }
    if (dv.visit.visitCode === BASELINE) baselines.set(dv.visit.cycle, a);
    else assessments.push(a);
  }
  const baseline = baselines.get(1);
  if (!baseline || Object.keys(baseline.grades).length < CLASSIC_BILAG_SYSTEMS.length) {
    return { subject, visits, history: null, problems: [...problems, 'no complete baseline (D0) BILAG'] };
  }

  const cycles: CycleStart<ClassicBilagSystem>[] = [...baselines.entries()]
    .filter(([c]) => c > 1)
    .map(([cycle, b]) => ({ cycle, day0StudyDay: b.studyDay, baseline: b }));

  const history: PatientHistory<ClassicBilagSystem> = {
    subjectId: subject.subjectId,
    systems: CLASSIC_BILAG_SYSTEMS,
    baseline,
    assessments,
    cycles,
  };

  // Death: the end-of-study form, or a fatal adverse event (endpoints.md "Safety").
  const eos = subject.visits.flatMap((v) => (v.items['end-of-study'] ? [v.items['end-of-study']] : []))[0];
  const fatal = subject.adverseEvents.find((ae) => ae.deathDate);
  const deathDate =
    eos?.status?.value === 'died'
      ? (eos.date?.value ?? fatal?.deathDate ?? null)
      : (fatal?.deathDate ?? null);
  if (deathDate)
    history.death = {
      studyDay: studyDay(d0, deathDate),
      date: deathDate,
      ...(eos?.death_cause?.value || fatal?.deathCause
        ? { cause: (eos?.death_cause?.value ?? fatal?.deathCause) as string }
        : {}),
    };
  if (eos?.status?.value === 'withdrawn' || eos?.status?.value === 'lost') {
    const date = eos.date?.value;
    if (date)
      history.withdrawal = {
        studyDay: studyDay(d0, date),
        date,
        ...(eos.withdrawal_reason?.value ? { reason: eos.withdrawal_reason.value } : {}),
      };
    else problems.push('withdrawal without a date');
  }
  const contacts = [
    ...visits.map((v) => v.visit.date),
    eos?.last_contact_date?.value ?? null,
    eos?.status?.value === 'completed' ? (eos.date?.value ?? null) : null,
  ]
    .filter((d): d is string => !!d)
    .sort();
  const last = contacts.at(-1);
  if (last) history.lastContact = { studyDay: studyDay(d0, last), date: last };
  return { subject, visits, history, problems };
}
