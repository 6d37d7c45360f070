// Baseline disease activity as item-level profiles: the classic BILAG grade the assessor gives each
// system and the SLEDAI-2K descriptors present. For Table 1 rows 1–13 each profile is our reading
// of the row's manifestations that makes msct's own instruments give the published totals
// (classic weights A = 9, B = 3, C = 1, instruments.md §2.1; SLEDAI-2K weights, §1.2). Where the
// row leaves a choice (which system carries a B, which 1-point descriptor makes an odd SLEDAI),
// the choice is ours and says so. Rows 14–40 are drawn from the seed (generateProfile).
import type { ClassicBilagSystem } from '../instruments/bilag-classic/grades.js';
import type { Sledai2kDescriptorId } from '../instruments/sledai2k/descriptors.js';
import { chance, pick, type Rng, shuffle } from './prng.js';
import type { Grade, Grades } from './types.js';

export interface BaselineProfile {
  grades: Grades;
  /** SLEDAI-2K descriptors present at screening and day 0 (lab ones are drawn to agree). */
  sledai: Sledai2kDescriptorId[];
}

/** The course a patient is generated to follow; the outcome itself is adjudicated, never written. */
export interface CoursePlan {
  outcome: 'MCR' | 'PCR' | 'NR';
  /** Month the response criteria are first met (6, or 9 for a late responder). */
  responseMonth: 6 | 9 | null;
  relapseMonth: 9 | 12 | null;
  /** PCR: the one system left at B; NR: the systems that stay active (one A, or two B). */
  activeSystems: ClassicBilagSystem[];
  /** Relapse: the system that flares to A. */
  flareSystem: ClassicBilagSystem | null;
  deathDay: number | null;
}

function grades(g: Partial<Grades>): Grades {
  return {
    general: 'E',
    mucocutaneous: 'E',
    neurological: 'E',
    musculoskeletal: 'E',
    cardiorespiratory: 'E',
    vasculitis: 'E',
    renal: 'E',
    haematological: 'E',
    ...g,
  };
}

const course = (
  outcome: CoursePlan['outcome'],
  activeSystems: ClassicBilagSystem[],
  relapse: { month: 9 | 12; system: ClassicBilagSystem } | null = null,
): CoursePlan => ({
  outcome,
  responseMonth: outcome === 'NR' ? null : 6,
  relapseMonth: relapse?.month ?? null,
  activeSystems,
  flareSystem: relapse?.system ?? null,
  deathDay: null,
});

/**
 * Table 1 rows 1–13: profile and course. Comments give SLEDAI-2K and BILAG arithmetic.
 * Relapse months of rows 8 and 9 are not published: 9 is placed at month 9 and 8 at month 12, so
 * that with the generated rows the cohort has 3 relapses at 9 and 4 at 12 months (trial.md).
 */
export const TABLE1_PROFILES: Readonly<Record<number, { profile: BaselineProfile; course: CoursePlan }>> = {
  // SLEDAI 4+4+4+2+2+1 = 17; BILAG renal/MSK/mucocutaneous B + haem/vasculitis/general C = 12.
  1: {
    profile: {
      grades: grades({
        renal: 'B',
        musculoskeletal: 'B',
        mucocutaneous: 'B',
        haematological: 'C',
        vasculitis: 'C',
        general: 'C',
      }),
      sledai: ['proteinuria', 'haematuria', 'arthritis', 'rash', 'increased_dna_binding', 'thrombocytopenia'],
    },
    course: course('PCR', ['renal']),
  },
  // SLEDAI 4+4+2+2 = 12 (active nephritis, serology); BILAG renal A + MSK/vasculitis/haem C = 12.
  // Arthritis and H read as milder (BILAG C, below the SLEDAI arthritis and count thresholds).
  2: {
    profile: {
      grades: grades({ renal: 'A', musculoskeletal: 'C', vasculitis: 'C', haematological: 'C' }),
      sledai: ['proteinuria', 'haematuria', 'increased_dna_binding', 'low_complement'],
    },
    course: course('PCR', ['renal']),
  },
  // SLEDAI 4+4+2+1 = 11: the odd point needs a 1-point descriptor; leukopenia (a frequent SLE lab
  // finding) is our choice, the row lists no H. BILAG renal/mucocutaneous B + 3 C = 9.
  3: {
    profile: {
      grades: grades({
        renal: 'B',
        mucocutaneous: 'B',
        vasculitis: 'C',
        haematological: 'C',
        general: 'C',
      }),
      sledai: ['proteinuria', 'haematuria', 'rash', 'leukopenia'],
    },
    course: course('NR', ['renal', 'mucocutaneous']),
  },
  // SLEDAI 4+2+2+1 = 9 (leukopenia again our choice for the odd point); BILAG 2 B + 3 C = 9.
  4: {
    profile: {
      grades: grades({
        renal: 'B',
        mucocutaneous: 'B',
        musculoskeletal: 'C',
        vasculitis: 'C',
        haematological: 'C',
      }),
      sledai: ['proteinuria', 'rash', 'alopecia', 'leukopenia'],
    },
    course: course('MCR', []),
  },
  // SLEDAI 4+4+2+2 = 12; BILAG renal/MSK B + vasculitis/general C = 8.
  5: {
    profile: {
      grades: grades({ renal: 'B', musculoskeletal: 'B', vasculitis: 'C', general: 'C' }),
      sledai: ['proteinuria', 'arthritis', 'increased_dna_binding', 'low_complement'],
    },
    course: course('NR', ['renal', 'musculoskeletal']),
  },
  // SLEDAI 4+4+2+2+2 = 14; BILAG renal A + MSK/cardiorespiratory/general B + vasculitis C = 19.
  // F read as constitutional activity (BILAG general B) without a SLEDAI fever > 38 °C that day.
  6: {
    profile: {
      grades: grades({
        renal: 'A',
        musculoskeletal: 'B',
        cardiorespiratory: 'B',
        general: 'B',
        vasculitis: 'C',
      }),
      sledai: ['proteinuria', 'arthritis', 'pleurisy', 'increased_dna_binding', 'low_complement'],
    },
    course: course('NR', ['renal']),
  },
  // SLEDAI 4+4+2+2 = 12 (no anti-dsDNA in the row: serology normal); BILAG A + 3 B = 18.
  7: {
    profile: {
      grades: grades({
        renal: 'A',
        musculoskeletal: 'B',
        mucocutaneous: 'B',
        cardiorespiratory: 'B',
        general: 'D',
      }),
      sledai: ['proteinuria', 'arthritis', 'rash', 'pleurisy'],
    },
    course: course('PCR', ['renal']),
  },
  // SLEDAI 8+8+4+4+4+2+2+2 = 34; BILAG neurological A (seizures) + 3 B + 2 C = 20.
  8: {
    profile: {
      grades: grades({
        neurological: 'A',
        vasculitis: 'B',
        renal: 'B',
        musculoskeletal: 'B',
        mucocutaneous: 'C',
        general: 'C',
      }),
      sledai: [
        'seizure',
        'vasculitis',
        'proteinuria',
        'haematuria',
        'arthritis',
        'rash',
        'alopecia',
        'low_complement',
      ],
    },
    course: course('PCR', ['renal'], { month: 12, system: 'renal' }),
  },
  // SLEDAI 4+4+2 = 10; BILAG renal A + cardiorespiratory A (serositis with effusion) + MSK/vasculitis
  // B + mucocutaneous/general C = 26.
  9: {
    profile: {
      grades: grades({
        renal: 'A',
        cardiorespiratory: 'A',
        musculoskeletal: 'B',
        vasculitis: 'B',
        mucocutaneous: 'C',
        general: 'C',
      }),
      sledai: ['proteinuria', 'arthritis', 'pleurisy'],
    },
    course: course('MCR', [], { month: 9, system: 'renal' }),
  },
  // SLEDAI 4+4+2 = 10; BILAG renal/MSK B + vasculitis C = 7 (trial.md's own example: B + B + C).
  10: {
    profile: {
      grades: grades({ renal: 'B', musculoskeletal: 'B', vasculitis: 'C' }),
      sledai: ['proteinuria', 'arthritis', 'low_complement'],
    },
    course: course('PCR', ['renal']),
  },
  // SLEDAI 4+2+2 = 8; BILAG renal A + cardiorespiratory/general B + mucocutaneous C = 16.
  11: {
    profile: {
      grades: grades({ renal: 'A', cardiorespiratory: 'B', general: 'B', mucocutaneous: 'C' }),
      sledai: ['proteinuria', 'pleurisy', 'increased_dna_binding'],
    },
    course: course('NR', ['renal']),
  },
  // No LN. SLEDAI 8+2+2+1+1 = 14; BILAG haematological A (platelets < 25) + vasculitis B + general
  // C = 13; arthritis read as past (MSK D).
  12: {
    profile: {
      grades: grades({ haematological: 'A', vasculitis: 'B', general: 'C', musculoskeletal: 'D' }),
      sledai: ['vasculitis', 'increased_dna_binding', 'low_complement', 'fever', 'thrombocytopenia'],
    },
    course: course('NR', ['haematological']),
  },
  // SLEDAI 4+2+1 = 7 (below the registered ≥ 8: a waiver, trial.md Population); BILAG renal/haem B = 6.
  13: {
    profile: {
      grades: grades({ renal: 'B', haematological: 'B', musculoskeletal: 'D' }),
      sledai: ['proteinuria', 'increased_dna_binding', 'thrombocytopenia'],
    },
    course: course('NR', ['renal', 'haematological']),
  },
};

const WEIGHT: Partial<Record<Sledai2kDescriptorId, number>> = {
  vasculitis: 8,
  arthritis: 4,
  proteinuria: 4,
  haematuria: 4,
  pyuria: 4,
  urinary_casts: 4,
  rash: 2,
  alopecia: 2,
  mucosal_ulcers: 2,
  pleurisy: 2,
  pericarditis: 2,
  low_complement: 2,
  increased_dna_binding: 2,
  fever: 1,
  thrombocytopenia: 1,
  leukopenia: 1,
};

/**
 * A generated patient (rows 14–40, not yet transcribed): lupus nephritis (renal A or B; the
 * registered population, trial.md inclusion 2) unless `lupusNephritis` is false, plus one to three
 * other active systems, each with the SLEDAI-2K descriptors that go with it. A plausible draw.
 */
export function generateProfile(
  rng: Rng,
  opts: { renalA: boolean; lupusNephritis: boolean },
): BaselineProfile {
  const g = grades({});
  const sledai = new Set<Sledai2kDescriptorId>();
  if (opts.lupusNephritis) {
    g.renal = opts.renalA ? 'A' : 'B';
    sledai.add('proteinuria');
    if (opts.renalA || chance(rng, 0.4)) sledai.add('haematuria');
    if (opts.renalA && chance(rng, 0.3)) sledai.add('urinary_casts');
    if (chance(rng, 0.25)) sledai.add('pyuria');
  } else {
    g.haematological = 'A';
    sledai.add('thrombocytopenia');
  }
  const others = shuffle(rng, [
    'musculoskeletal',
    'mucocutaneous',
    'haematological',
    'cardiorespiratory',
    'vasculitis',
    'general',
  ] as const).filter((s) => g[s] === 'E');
  const n = 1 + Math.floor(rng() * 3);
  for (const s of others.slice(0, n)) {
    const grade: Grade = chance(rng, 0.5) ? 'B' : 'C';
    g[s] = grade;
    if (grade !== 'B') continue;
    if (s === 'musculoskeletal') sledai.add('arthritis');
    if (s === 'mucocutaneous') {
      sledai.add('rash');
      if (chance(rng, 0.4)) sledai.add(pick(rng, ['alopecia', 'mucosal_ulcers'] as const));
    }
    if (s === 'haematological') sledai.add(chance(rng, 0.6) ? 'thrombocytopenia' : 'leukopenia');
    if (s === 'cardiorespiratory') sledai.add(chance(rng, 0.7) ? 'pleurisy' : 'pericarditis');
    if (s === 'vasculitis') sledai.add('vasculitis');
    if (s === 'general') sledai.add('fever');
  }
  if (chance(rng, 0.75)) sledai.add('increased_dna_binding');
  if (chance(rng, 0.65)) sledai.add('low_complement');
  // Registered inclusion: SLEDAI ≥ 8 (trial.md Population 1); serology tops up a low draw.
  const total = () => [...sledai].reduce((t, d) => t + (WEIGHT[d] ?? 8), 0);
  if (total() < 8) sledai.add('increased_dna_binding');
  if (total() < 8) sledai.add('low_complement');
  if (total() < 8) {
    // Still below: active arthritis (BILAG MSK B), the commonest extra-renal finding.
    g.musculoskeletal = 'B';
    sledai.add('arthritis');
  }
  return { grades: g, sledai: [...sledai] };
}
