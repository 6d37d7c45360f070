/**
 * Test support: build patient histories from a compact notation, e.g. `'ren:A hae:B'` (systems not
 * named are E). Used by the endpoint tests only; not exported from index.ts.
 */

import type { Assessment, CycleStart, PatientHistory, SystemGrade } from '../endpoints/assessment.js';
import { addDays } from '../protocol/iso-date.js';

export const CLASSIC = [
  'general',
  'mucocutaneous',
  'neurological',
  'musculoskeletal',
  'cardiorespiratory',
  'vasculitis',
  'renal',
  'haematological',
] as const;
export type Classic = (typeof CLASSIC)[number];

const SHORT: Record<string, Classic> = {
  gen: 'general',
  muc: 'mucocutaneous',
  neu: 'neurological',
  msk: 'musculoskeletal',
  car: 'cardiorespiratory',
  vas: 'vasculitis',
  ren: 'renal',
  hae: 'haematological',
};

/** Scheduled study days of trial.md "Schedule". */
export const DAY: Record<string, number> = { M1: 30, M3: 91, M6: 182, M9: 273, M12: 365 };

const DAY0 = '2024-01-01';

export function grades(spec: string, omit: readonly string[] = []): Partial<Record<Classic, SystemGrade>> {
  const g: Partial<Record<Classic, SystemGrade>> = {};
  for (const s of CLASSIC) g[s] = 'E';
  for (const part of spec.split(/\s+/).filter(Boolean)) {
    const [name, grade] = part.split(':');
    const system = SHORT[name!];
    if (!system || !grade || !'ABCDE'.includes(grade)) throw new Error(`bad grade spec ${part}`);
    g[system] = grade as SystemGrade;
  }
  for (const o of omit) delete g[SHORT[o] ?? (o as Classic)];
  return g;
}

export interface VisitSpec {
  g: string;
  day?: number;
  sledai?: number;
  c3?: number;
  dna?: number;
  omit?: string[];
  cycle?: number;
}

export function assessment(visitCode: string, spec: string | VisitSpec, offset = 0): Assessment<Classic> {
  const s: VisitSpec = typeof spec === 'string' ? { g: spec } : spec;
  const studyDay = (s.day ?? DAY[visitCode] ?? 0) + offset;
  const a: Assessment<Classic> = {
    visitCode,
    studyDay,
    date: addDays(DAY0, studyDay),
    grades: grades(s.g, s.omit),
  };
  if (s.sledai !== undefined) a.sledai = s.sledai;
  if (s.c3 !== undefined) a.c3 = s.c3;
  if (s.dna !== undefined) a.antiDsDna = s.dna;
  if (s.cycle !== undefined) a.cycle = s.cycle;
  return a;
}

export interface HistorySpec {
  baseline: string | VisitSpec;
  /** Visit code → grades; codes starting with 'U' are unscheduled (give `day`). */
  visits?: Record<string, string | VisitSpec>;
  deathDay?: number;
  withdrawalDay?: number;
  lastContactDay?: number;
  asOfStudyDay?: number;
  cycles?: Array<{
    cycle: number;
    day0: number;
    baseline: string;
    visits?: Record<string, string | VisitSpec>;
  }>;
}

export function history(spec: HistorySpec): PatientHistory<Classic> {
  const assessments: Assessment<Classic>[] = Object.entries(spec.visits ?? {}).map(([code, v]) =>
    assessment(code.startsWith('U') ? 'UNSCHEDULED' : code, v),
  );
  const cycles: CycleStart<Classic>[] = [];
  for (const c of spec.cycles ?? []) {
    cycles.push({ cycle: c.cycle, day0StudyDay: c.day0, baseline: assessment('D0', c.baseline, c.day0) });
    for (const [code, v] of Object.entries(c.visits ?? {})) {
      const a = assessment(code.startsWith('U') ? 'UNSCHEDULED' : code, v, c.day0);
      a.cycle = c.cycle;
      assessments.push(a);
    }
  }
  const event = (day: number) => ({ studyDay: day, date: addDays(DAY0, day) });
  const h: PatientHistory<Classic> = {
    systems: CLASSIC,
    baseline: assessment('D0', spec.baseline),
    assessments,
  };
  if (spec.deathDay !== undefined) h.death = event(spec.deathDay);
  if (spec.withdrawalDay !== undefined) h.withdrawal = event(spec.withdrawalDay);
  if (spec.lastContactDay !== undefined) h.lastContact = event(spec.lastContactDay);
  if (spec.asOfStudyDay !== undefined) h.asOfStudyDay = spec.asOfStudyDay;
  if (cycles.length > 0) h.cycles = cycles;
  return h;
}
