// From a baseline profile and a course plan to the assessor's picture at every follow-up
// assessment: classic BILAG grades and the clinical SLEDAI-2K descriptors. The paths follow the
// endpoint rules as written (packages/core/src/endpoints/README.md): improving systems never turn
// into a "new" A or B; a PCR keeps exactly one system at B through month 12 (else a later all-C
// month would be adjudicated MCR); a non-responder keeps an A, or two B with a baseline that is not
// "very high"; a relapse is a new A at the relapse visit, kept at later visits.
import { CLASSIC_BILAG_SYSTEMS, type ClassicBilagSystem } from '../instruments/bilag-classic/grades.js';
import type { Sledai2kDescriptorId } from '../instruments/sledai2k/descriptors.js';
import { chance, type Rng } from './prng.js';
import type { BaselineProfile, CoursePlan } from './profiles.js';
import type { Grade, Grades } from './types.js';

/** The follow-up assessments of the schedule (trial.md "Schedule"), in order. */
export const FOLLOW_UP = ['M1', 'M3', 'M6', 'M9', 'M12'] as const;
export type FollowUpCode = (typeof FOLLOW_UP)[number];
export const MONTH_OF: Record<FollowUpCode, number> = { M1: 1, M3: 3, M6: 6, M9: 9, M12: 12 };

/** Which BILAG system a SLEDAI-2K descriptor belongs to (null = serology, handled by the labs). */
export const DESCRIPTOR_SYSTEM: Record<Sledai2kDescriptorId, ClassicBilagSystem | null> = {
  seizure: 'neurological',
  psychosis: 'neurological',
  organic_brain_syndrome: 'neurological',
  visual_disturbance: 'neurological',
  cranial_nerve_disorder: 'neurological',
  lupus_headache: 'neurological',
  cva: 'neurological',
  vasculitis: 'vasculitis',
  arthritis: 'musculoskeletal',
  myositis: 'musculoskeletal',
  urinary_casts: 'renal',
  haematuria: 'renal',
  proteinuria: 'renal',
  pyuria: 'renal',
  rash: 'mucocutaneous',
  alopecia: 'mucocutaneous',
  mucosal_ulcers: 'mucocutaneous',
  pleurisy: 'cardiorespiratory',
  pericarditis: 'cardiorespiratory',
  low_complement: null,
  increased_dna_binding: null,
  fever: 'general',
  thrombocytopenia: 'haematological',
  leukopenia: 'haematological',
};

/** Descriptors an active (A/B) system shows when its baseline showed none (e.g. a renal flare). */
const DEFAULT_ACTIVE: Record<ClassicBilagSystem, Sledai2kDescriptorId[]> = {
  general: [],
  mucocutaneous: ['rash'],
  neurological: [],
  musculoskeletal: ['arthritis'],
  cardiorespiratory: ['pleurisy'],
  vasculitis: ['vasculitis'],
  renal: ['proteinuria', 'haematuria'],
  haematological: ['thrombocytopenia'],
};

/** Descriptors that settle first when an A system improves to B. */
const SETTLES_AT_B: ReadonlySet<Sledai2kDescriptorId> = new Set([
  'urinary_casts',
  'pyuria',
  'alopecia',
  'mucosal_ulcers',
]);

export interface AssessmentPicture {
  grades: Grades;
  /** Non-serological SLEDAI-2K descriptors present (lab ones are drawn by the labs to agree). */
  descriptors: Set<Sledai2kDescriptorId>;
  /** True at and after a relapse visit (serology and renal labs flare with it). */
  flaring: boolean;
}

/** A path of grades over M1, M3, M6, M9, M12 for one system. */
function path(
  rng: Rng,
  g0: Grade,
  role: 'resolve' | 'residual' | 'residual-late' | 'resolve-late' | 'refractory',
): Grade[] {
  if (g0 === 'D' || g0 === 'E') return [g0, g0, g0, g0, g0];
  switch (role) {
    case 'refractory':
      return [g0, g0, g0, g0, g0];
    case 'residual':
      return g0 === 'A' ? ['A', 'B', 'B', 'B', 'B'] : ['B', 'B', 'B', 'B', 'B'];
    case 'residual-late':
      return g0 === 'A' ? ['A', 'A', 'A', 'B', 'B'] : ['B', 'B', 'B', 'B', 'B'];
    case 'resolve-late':
      return g0 === 'A' ? ['A', 'A', 'A', 'C', 'C'] : ['B', 'B', 'B', 'C', 'C'];
    case 'resolve':
      if (g0 === 'A') return ['B', chance(rng, 0.5) ? 'B' : 'C', 'C', 'C', chance(rng, 0.5) ? 'C' : 'D'];
      if (g0 === 'B') return [chance(rng, 0.6) ? 'B' : 'C', 'C', 'C', chance(rng, 0.5) ? 'C' : 'D', 'D'];
      return ['C', 'C', chance(rng, 0.5) ? 'C' : 'D', 'D', 'D'];
  }
}

/** Grades and clinical descriptors at M1…M12 (index 0–4) for one patient. */
export function followUpPictures(rng: Rng, profile: BaselineProfile, plan: CoursePlan): AssessmentPicture[] {
  const byVisit: Grades[] = FOLLOW_UP.map(() => ({ ...profile.grades }));
  for (const s of CLASSIC_BILAG_SYSTEMS) {
    const active = plan.activeSystems.includes(s);
    const late = plan.responseMonth === 9;
    const role =
      plan.outcome === 'NR'
        ? active
          ? 'refractory'
          : 'resolve'
        : plan.outcome === 'PCR' && active
          ? late
            ? 'residual-late'
            : 'residual'
          : late && active
            ? 'resolve-late'
            : 'resolve';
    const p = path(rng, profile.grades[s], role);
    p.forEach((g, i) => {
      byVisit[i]![s] = g;
    });
  }
  const relapseIndex =
    plan.relapseMonth === null ? -1 : FOLLOW_UP.indexOf(`M${plan.relapseMonth}` as FollowUpCode);
  if (relapseIndex >= 0 && plan.flareSystem) {
    for (let i = relapseIndex; i < FOLLOW_UP.length; i++) byVisit[i]![plan.flareSystem] = 'A';
  }
  return byVisit.map((grades, i) => ({
    grades,
    descriptors: clinicalDescriptors(profile, grades),
    flaring: relapseIndex >= 0 && i >= relapseIndex,
  }));
}

/**
 * The descriptors each system shows at its grade: at A its baseline descriptors (or the default
 * ones for a system that flares from quiet); at B the same less those that settle first; at C, D, E
 * none (mild, stable or inactive disease does not reach the SLEDAI-2K definitions).
 */
export function clinicalDescriptors(profile: BaselineProfile, grades: Grades): Set<Sledai2kDescriptorId> {
  const out = new Set<Sledai2kDescriptorId>();
  for (const s of CLASSIC_BILAG_SYSTEMS) {
    const g = grades[s];
    if (g !== 'A' && g !== 'B') continue;
    const base = profile.sledai.filter((d) => DESCRIPTOR_SYSTEM[d] === s);
    const wasActive = profile.grades[s] === 'A' || profile.grades[s] === 'B';
    let set = base.length > 0 && wasActive ? base : DEFAULT_ACTIVE[s];
    if (g === 'B' && profile.grades[s] === 'A') set = set.filter((d) => !SETTLES_AT_B.has(d));
    for (const d of set) out.add(d);
  }
  return out;
}

/** The assessor's picture at screening and day 0: the baseline profile itself. */
export function baselinePicture(profile: BaselineProfile): AssessmentPicture {
  return {
    grades: { ...profile.grades },
    descriptors: new Set(profile.sledai.filter((d) => DESCRIPTOR_SYSTEM[d] !== null)),
    flaring: false,
  };
}
