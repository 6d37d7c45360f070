// The lab panel of one assessment (trial.md "Schedule"), drawn from the seed so that each
// lab-derived SLEDAI-2K descriptor (instruments.md §1.2: proteinuria > 0.5 g/24 h, cells > 5/hpf,
// C3/C4 below this lab's LLN, anti-dsDNA above its ULN, platelets < 100, WBC < 3 × 10⁹/L) is on
// the side of its threshold that the assessor's picture calls for. Ranges are plausible draws
// for active lupus nephritis unless a comment cites the paper. Published trends (trial.md
// "Published results") shape the course: C3 and albumin rise to month 6 and dip slightly at 9 and
// 12; creatinine and urea are lowest at 6 months and rise slightly at 9 and 12 with the relapses;
// anti-dsDNA and ANA fall by month 3; 24-h proteinuria in LN falls with the renal grade.
import type { RawItem } from '../crf/derive.js';
import type { Sledai2kDescriptorId } from '../instruments/sledai2k/descriptors.js';
import type { AssessmentPicture } from './course.js';
import { fixed, pick, type Rng, uniform } from './prng.js';
import type { DemoSite, Grade } from './types.js';

/** Visit index for trends: 0 = screening / day 0, then M1, M3, M6, M9, M12. */
export type TrendIndex = 0 | 1 | 2 | 3 | 4 | 5;

/** Share of the eventual change reached at each visit: peak at month 6, slight fall at 9 and 12
 * (trial.md: "Albumin and C3 rose, peaked at 6 months, slightly declined at 9 and 12 months"). */
const RISE_TO_M6: readonly number[] = [0, 0.35, 0.7, 1, 0.9, 0.85];
/** Creatinine / urea relative to baseline: lowest at month 6 (trial.md, LN subgroup). */
const RENAL_FUNCTION_RESPONDER: readonly number[] = [1, 0.97, 0.92, 0.86, 0.89, 0.91];
const RENAL_FUNCTION_NR: readonly number[] = [1, 0.99, 0.97, 0.96, 0.98, 1];
/** Anti-dsDNA relative to baseline: the fall is clear by month 3 (trial.md). */
const DSDNA_RESPONDER: readonly number[] = [1, 0.7, 0.4, 0.3, 0.3, 0.32];
const DSDNA_NR: readonly number[] = [1, 0.85, 0.6, 0.55, 0.6, 0.6];

/** Per-patient starting values and targets, drawn once. */
export interface PatientLabBase {
  sex: 'female' | 'male';
  responder: boolean;
  creatinine: number;
  urea: number;
  albumin: number;
  albuminGain: number;
  c3: number;
  c3Target: number;
  c4: number;
  c4Target: number;
  dsDna: number;
  anaTitre: number;
  haemoglobinShift: number;
}

export function drawLabBase(
  rng: Rng,
  site: DemoSite,
  o: { sex: 'female' | 'male'; renal: Grade; responder: boolean; lowComplement: boolean; dsDnaHigh: boolean },
): PatientLabBase {
  const { c3LlnGL: l3, c4LlnGL: l4, antiDsDnaUlnIuMl: uln } = site.labLimits;
  const male = o.sex === 'male' ? 1.2 : 1;
  const renalA = o.renal === 'A';
  const renalB = o.renal === 'B';
  const c3 = o.lowComplement ? l3 * uniform(rng, 0.45, 0.85) : l3 * uniform(rng, 1.05, 1.3);
  const c4 = o.lowComplement ? l4 * uniform(rng, 0.5, 1.2) : l4 * uniform(rng, 1.2, 2.5);
  return {
    sex: o.sex,
    responder: o.responder,
    creatinine:
      male * (renalA ? uniform(rng, 85, 150) : renalB ? uniform(rng, 60, 105) : uniform(rng, 48, 75)),
    urea: renalA ? uniform(rng, 6, 11) : renalB ? uniform(rng, 4.5, 8) : uniform(rng, 3.5, 6),
    albumin: renalA ? uniform(rng, 22, 29) : renalB ? uniform(rng, 27, 34) : uniform(rng, 33, 40),
    albuminGain: o.responder ? uniform(rng, 7, 11) : uniform(rng, 2, 5),
    c3,
    c3Target: Math.max(c3 * 1.05, o.responder ? l3 * uniform(rng, 1.1, 1.4) : l3 * uniform(rng, 0.8, 1.1)),
    c4,
    c4Target: Math.max(c4 * 1.05, o.responder ? l4 * uniform(rng, 1.3, 2.2) : l4 * uniform(rng, 0.9, 1.5)),
    dsDna: o.dsDnaHigh ? uln * uniform(rng, 1.6, 6) : uln * uniform(rng, 0.15, 0.75),
    anaTitre: pick(rng, [320, 640, 1280]),
    haemoglobinShift: o.sex === 'male' ? 12 : 0,
  };
}

const item = (value: string, unit: string | null): RawItem => ({ value, unit });

/**
 * The lab form of one assessment. `picture.descriptors` decides the renal and haematological
 * descriptors; at baseline `serology` forces low complement / raised anti-dsDNA as designed, at
 * follow-up they follow the drawn course (their descriptor items are then set from the values).
 */
export function drawLabs(
  rng: Rng,
  site: DemoSite,
  base: PatientLabBase,
  picture: AssessmentPicture,
  t: TrendIndex,
  serology: { lowComplement: boolean; dsDnaHigh: boolean } | null,
  isScreeningOrBaseline: boolean,
): Record<string, RawItem> {
  const d = picture.descriptors;
  const has = (x: Sledai2kDescriptorId) => d.has(x);
  const renal = picture.grades.renal;
  const haem = picture.grades.haematological;
  const { c3LlnGL: l3, c4LlnGL: l4, antiDsDnaUlnIuMl: uln } = site.labLimits;
  const noise = () => uniform(rng, 0.95, 1.05);

  // 24-h proteinuria by renal grade; strictly above 0.5 exactly when the descriptor is present.
  let protein: number;
  if (has('proteinuria')) {
    protein =
      renal === 'A'
        ? uniform(rng, 2.5, 5.5)
        : isScreeningOrBaseline
          ? uniform(rng, 1.05, 2.4) // LN inclusion: 24-h protein ≥ 1 g (trial.md Population 2)
          : uniform(rng, 0.7, 1.9);
  } else {
    protein =
      renal === 'C'
        ? uniform(rng, 0.25, 0.48)
        : renal === 'D'
          ? uniform(rng, 0.1, 0.3)
          : uniform(rng, 0.04, 0.15);
  }
  const rbc = has('haematuria') ? uniform(rng, 8, 40) : uniform(rng, 0, 3);
  const wbcUrine = has('pyuria') ? uniform(rng, 7, 25) : uniform(rng, 0, 4);

  const platelets = has('thrombocytopenia')
    ? haem === 'A'
      ? uniform(rng, 8, 24)
      : haem === 'B'
        ? uniform(rng, 30, 49)
        : uniform(rng, 55, 95)
    : uniform(rng, 130, 320);
  const wbc = has('leukopenia') ? uniform(rng, 2.1, 2.9) : uniform(rng, 3.6, 8.5);
  const hbByGrade = { A: [72, 88], B: [88, 102], C: [100, 115], D: [110, 130], E: [115, 135] } as const;
  const [hbLo, hbHi] = hbByGrade[haem];
  const haemoglobin = uniform(rng, hbLo, hbHi) + base.haemoglobinShift;

  const renalTrend = (base.responder ? RENAL_FUNCTION_RESPONDER : RENAL_FUNCTION_NR)[t]!;
  // Relapses came with a rise in creatinine and urea (trial.md LN subgroup, months 9 and 12).
  const flare = picture.flaring ? 1.2 : 1;
  const creatinine = base.creatinine * renalTrend * flare * noise();
  const urea = base.urea * renalTrend * flare * noise();
  const albumin =
    Math.min(48, base.albumin + base.albuminGain * RISE_TO_M6[t]! - (picture.flaring ? 4 : 0)) * noise();

  let c3 = base.c3 + (base.c3Target - base.c3) * RISE_TO_M6[t]!;
  let c4 = base.c4 + (base.c4Target - base.c4) * RISE_TO_M6[t]!;
  let dsDna = base.dsDna * (base.responder ? DSDNA_RESPONDER : DSDNA_NR)[t]! * noise();
  if (t > 0) {
    c3 *= noise();
    c4 *= noise();
  }
  if (picture.flaring) {
    // A flare brings complement down and anti-dsDNA up (plausible; the paper reports no per-visit serology).
    c3 = Math.min(c3, l3 * uniform(rng, 0.6, 0.85));
    dsDna = Math.max(dsDna * 3, uln * uniform(rng, 1.3, 2.5));
  }
  if (serology) {
    // Baseline: exactly the designed serology (Table 1 totals depend on it).
    if (!serology.lowComplement) {
      c3 = Math.max(c3, l3 * 1.02);
      c4 = Math.max(c4, l4 * 1.02);
    } else if (c3 >= l3) c3 = l3 * 0.8;
    dsDna = serology.dsDnaHigh ? Math.max(dsDna, uln * 1.3) : Math.min(dsDna, uln * 0.85);
  }
  // Report to the lab's precision, then keep the rounded value on the intended side of each limit.
  const c3Text = fixed(c3, 2);
  const c4Text = fixed(c4, 2);
  const dsText = fixed(dsDna, 0);
  const anaSteps = t >= 2 ? (base.responder && t >= 3 ? 2 : 1) : 0;
  const ana = Math.max(80, base.anaTitre / 2 ** anaSteps) * (picture.flaring ? 2 : 1);

  const neutrophils = wbc * uniform(rng, 0.55, 0.72);
  const lymphocytes = wbc * uniform(rng, 0.15, 0.28);
  return {
    haemoglobin: item(fixed(haemoglobin, 0), 'g/L'),
    wbc: item(fixed(wbc, 1), '10^9/L'),
    neutrophils: item(fixed(neutrophils, 1), '10^9/L'),
    lymphocytes: item(fixed(lymphocytes, 2), '10^9/L'),
    platelets: item(fixed(platelets, 0), '10^9/L'),
    proteinuria_24h: item(fixed(protein, 2), 'g/24h'),
    // UPCR ≈ 100 mg/mmol per g/24 h (a creatinine excretion of ~10 mmol/day; plausible draw).
    upcr: item(fixed(protein * uniform(rng, 85, 110), 0), 'mg/mmol'),
    urine_rbc_hpf: item(fixed(rbc, 0), '/hpf'),
    urine_wbc_hpf: item(fixed(wbcUrine, 0), '/hpf'),
    urine_casts: item(has('urinary_casts') ? '1' : '0', null),
    creatinine: item(fixed(creatinine, 0), 'µmol/L'),
    urea: item(fixed(urea, 1), 'mmol/L'),
    albumin: item(fixed(albumin, 1), 'g/L'),
    c3: item(c3Text, 'g/L'),
    c3_lln: item(fixed(l3, 2), 'g/L'),
    c4: item(c4Text, 'g/L'),
    c4_lln: item(fixed(l4, 2), 'g/L'),
    anti_dsdna: item(dsText, 'IU/mL'),
    anti_dsdna_uln: item(fixed(uln, 0), 'IU/mL'),
    ana_titre: item(String(ana), null),
  };
}

/** Whether a rounded lab panel meets each lab-derived SLEDAI-2K descriptor (instruments.md §1.2). */
export function labDescriptors(labs: Record<string, RawItem>): Set<Sledai2kDescriptorId> {
  const n = (k: string) => Number(labs[k]?.value);
  const out = new Set<Sledai2kDescriptorId>();
  if (n('proteinuria_24h') > 0.5) out.add('proteinuria');
  if (n('urine_rbc_hpf') > 5) out.add('haematuria');
  if (n('urine_wbc_hpf') > 5) out.add('pyuria');
  if (n('c3') < n('c3_lln') || n('c4') < n('c4_lln')) out.add('low_complement');
  if (n('anti_dsdna') > n('anti_dsdna_uln')) out.add('increased_dna_binding');
  if (n('platelets') < 100) out.add('thrombocytopenia');
  if (n('wbc') < 3) out.add('leukopenia');
  return out;
}

export const LAB_DESCRIPTORS: ReadonlySet<Sledai2kDescriptorId> = new Set([
  'proteinuria',
  'haematuria',
  'pyuria',
  'low_complement',
  'increased_dna_binding',
  'thrombocytopenia',
  'leukopenia',
]);
