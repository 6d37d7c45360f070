// The plan as the core's TrialDataset (what the store would load back), and the cohort summary the
// acceptance tests compare with the publication: everything derived through deriveSubject (items →
// scores → endpoint history) and adjudicate (endpoint rules), nothing read from the plan's intent.

import { deriveSubject } from '../dataset/patient-history.js';
import type { DatasetSubject, TrialDataset } from '../dataset/trial-dataset.js';
import { type Adjudication, adjudicate } from '../endpoints/adjudicate.js';
import type { ClassicBilagSystem } from '../instruments/bilag-classic/grades.js';
import type { DemoTrialPlan } from './types.js';

/** The plan as a dataset, with subject ids `demo-<patient number>`. */
export function demoDataset(plan: DemoTrialPlan): TrialDataset {
  const subjects: DatasetSubject[] = plan.patients.map((p) => ({
    subjectId: `demo-${p.number}`,
    subjectCode: `${p.siteCode}-P${String(p.number).padStart(2, '0')}`,
    siteId: p.siteCode,
    siteCode: p.siteCode,
    status: p.finalStatus,
    sex: p.sex,
    birthDate: p.birthDate,
    day0Date: p.day0Date,
    visits: p.visits.map((v, i) => ({
      visitId: `demo-${p.number}-${i}`,
      visitCode: v.visitCode,
      cycle: v.cycle,
      date: v.date,
      items: v.forms,
    })),
    infusions: p.infusions.map((f) => ({
      cycle: f.cycle,
      infusionNumber: f.infusionNumber,
      date: f.startedAt?.slice(0, 10) ?? f.plannedDate,
      productLot: f.productLot,
      totalCells: f.totalCells,
      viabilityPct: f.viabilityPct,
      weightKg: f.weightKg,
      status: f.status,
      reactions: f.reactions,
    })),
    adverseEvents: p.adverseEvents.map((a) => ({
      term: a.term,
      onsetDate: a.onsetDate,
      resolutionDate: a.resolutionDate,
      ctcaeGrade: a.ctcaeGrade,
      serious: a.seriousness.length > 0,
      seriousness: a.seriousness,
      relatedness: a.relatedness,
      outcome: a.outcome,
      deathDate: a.deathDate,
      deathCause: a.deathCause,
      infusionLinked: false,
    })),
  }));
  // The plan is read "as of" its last recorded date (deterministic; dates after a snapshot are
  // implausible, core/dataset/adverse-event-dates.ts).
  const latest = subjects
    .flatMap((s) => [
      ...s.visits.map((v) => v.date),
      ...s.adverseEvents.flatMap((a) => [a.onsetDate, a.resolutionDate, a.deathDate]),
    ])
    .reduce<string>((a, d) => (d && d > a ? d : a), '1970-01-01');
  return {
    study: { id: plan.study.code, code: plan.study.code, title: plan.study.title },
    sites: plan.sites.map((s) => ({ id: s.code, code: s.code, name: s.name })),
    subjects,
    snapshot: { takenAt: `${latest}T23:59:59.000Z`, hash: `demo-seed-${plan.seed}` },
  };
}

export interface DemoSubjectSummary {
  subjectId: string;
  subjectCode: string;
  baselineSledai: number | null;
  baselineBilag: number | null;
  outcome: string;
  label: string;
  relapseMonth: number | null;
  deathDay: number | null;
  problems: string[];
}

export interface DemoCohortSummary {
  enrolled: number;
  aliveAt12Months: number;
  deaths: number;
  mcr: number;
  pcr: number;
  nr: number;
  responders: number;
  relapsesAt9Months: number;
  relapsesAt12Months: number;
  subjects: DemoSubjectSummary[];
}

const MONTH: Record<string, number> = { M1: 1, M3: 3, M6: 6, M9: 9, M12: 12 };

/** Derives and adjudicates every subject of a dataset (primary = cycle 1) and counts the outcomes. */
export function demoCohortSummary(dataset: TrialDataset): DemoCohortSummary {
  const subjects: DemoSubjectSummary[] = dataset.subjects.map((s) => {
    const d = deriveSubject(s);
    const base = d.visits.find((v) => v.visit.visitCode === 'D0' && v.visit.cycle === 1)?.scores;
    const adj: Adjudication<ClassicBilagSystem> | null = d.history ? adjudicate(d.history) : null;
    const relapse = adj?.primary.relapse ?? null;
    return {
      subjectId: s.subjectId,
      subjectCode: s.subjectCode,
      baselineSledai: base?.sledai?.ok ? base.sledai.value.score : null,
      baselineBilag: base?.bilag?.ok ? base.bilag.value.total : null,
      outcome: adj?.primary.outcome ?? 'NR',
      label: adj?.primary.label ?? 'NR (no history)',
      relapseMonth: relapse ? (MONTH[relapse.visitCode] ?? null) : null,
      deathDay: adj?.death?.studyDay ?? null,
      problems: d.problems,
    };
  });
  const count = (f: (s: DemoSubjectSummary) => boolean) => subjects.filter(f).length;
  return {
    enrolled: subjects.length,
    aliveAt12Months: count((s) => s.deathDay === null || s.deathDay > 365),
    deaths: count((s) => s.deathDay !== null),
    mcr: count((s) => s.outcome === 'MCR'),
    pcr: count((s) => s.outcome === 'PCR'),
    nr: count((s) => s.outcome === 'NR'),
    responders: count((s) => s.outcome === 'MCR' || s.outcome === 'PCR'),
    relapsesAt9Months: count((s) => s.relapseMonth === 9),
    relapsesAt12Months: count((s) => s.relapseMonth === 12),
    subjects,
  };
}
