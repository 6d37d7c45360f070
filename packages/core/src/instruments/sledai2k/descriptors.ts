// The 24 SLEDAI-2K descriptors, their weights and definitions (Gladman, Ibañez, Urowitz,
// J Rheumatol 2002;29:288-91). Weights: instruments.md §1.2 [READ: medicalcriteria.com,
// HHE Rheumatology 2019 Table 4, pediatriconcall, Sledai2kCalculator]; 8×8 + 6×4 + 7×2 + 3×1 = 105.
// Definitions are paraphrased help text for the UI (instruments.md §1.2).

export const SLEDAI2K_DESCRIPTOR_IDS = [
  'seizure',
  'psychosis',
  'organic_brain_syndrome',
  'visual_disturbance',
  'cranial_nerve_disorder',
  'lupus_headache',
  'cva',
  'vasculitis',
  'arthritis',
  'myositis',
  'urinary_casts',
  'haematuria',
  'proteinuria',
  'pyuria',
  'rash',
  'alopecia',
  'mucosal_ulcers',
  'pleurisy',
  'pericarditis',
  'low_complement',
  'increased_dna_binding',
  'fever',
  'thrombocytopenia',
  'leukopenia',
] as const;

export type Sledai2kDescriptorId = (typeof SLEDAI2K_DESCRIPTOR_IDS)[number];

export interface Sledai2kDescriptor {
  readonly id: Sledai2kDescriptorId;
  /** Position 1–24 on the SLEDAI-2K form. */
  readonly number: number;
  readonly label: string;
  readonly weight: 1 | 2 | 4 | 8;
  /** Help text for the assessor (paraphrased, instruments.md §1.2). */
  readonly definition: string;
  /** Serological descriptors are left out of clinical SLEDAI (instruments.md §1.3). */
  readonly serological: boolean;
  /** Organ group, used by LLDAS "no activity in major organ systems" (instruments.md §3.3). */
  readonly organ:
    | 'cns'
    | 'vascular'
    | 'musculoskeletal'
    | 'renal'
    | 'mucocutaneous'
    | 'serosal'
    | 'immunological'
    | 'constitutional'
    | 'haematological';
}

/**
 * Arthritis: the fewest joints with pain and signs of inflammation that score the descriptor — a
 * protocol decision, because sources differ (instruments.md §1.2 #9): "more than 2 joints"
 * [READ: medicalcriteria.com/web/reusledai/; HHE Rheumatology 2019 Table 4, both reproducing the
 * Gladman 2002 glossary] vs "≥2 joints" [READ: pediatriconcall.com calculator]. The built-in trial
 * follows the Gladman 2002 glossary as reproduced by the two concordant sources: more than 2, i.e.
 * at least 3 joints. The assessor applies it (the item is ticked, not counted); the form shows the
 * glossary sentence built from this number and nothing else (issue #18 item 3).
 */
export const SLEDAI2K_ARTHRITIS_MIN_JOINTS = 3;

/**
 * The three states of a descriptor (endpoints.md Clarification 5, binding): absent; present (and
 * due to SLE); present but NOT due to SLE (the assessor's attribution, e.g. fever from an
 * infection, pyuria from a urinary infection — instruments.md §1.1 pitfalls). Only 'not-sle'
 * vetoes a lab- or measurement-derived descriptor; 'absent' never does.
 */
export const SLEDAI2K_DESCRIPTOR_STATES = ['absent', 'present', 'not-sle'] as const;
export type Sledai2kDescriptorState = (typeof SLEDAI2K_DESCRIPTOR_STATES)[number];

/**
 * The CRF item holding a descriptor's attribution: '1' = present but not due to SLE.
 *
 * Why a separate item and not a third code on the descriptor item: the descriptor item stays a
 * plain 0/1 present/absent boolean, which is what REDCap-style exports and imports carry, what
 * the shared ODM boolean code list decodes ("1 Yes / present", "0 No / absent") and what SDTM QS
 * rows SLEDAI01–24 report; a stored 0 therefore means absent on every path, never "not due to
 * SLE". The attribution is its own question (its own ODM item and SDTM test code), asked
 * explicitly, so it can never be implied by a 0 (issue #18 item 1; Clarification 5).
 */
export const sledai2kAttributionItemCode = (id: Sledai2kDescriptorId): string => `${id}_not_sle`;

const d = (
  id: Sledai2kDescriptorId,
  number: number,
  label: string,
  weight: Sledai2kDescriptor['weight'],
  organ: Sledai2kDescriptor['organ'],
  definition: string,
  serological = false,
): Sledai2kDescriptor => Object.freeze({ id, number, label, weight, organ, definition, serological });

export const SLEDAI2K_DESCRIPTORS: readonly Sledai2kDescriptor[] = Object.freeze([
  d('seizure', 1, 'Seizure', 8, 'cns', 'Recent onset. Exclude metabolic, infectious or drug causes.'),
  d(
    'psychosis',
    2,
    'Psychosis',
    8,
    'cns',
    'Altered ability to function in normal activity due to severe disturbance in the perception of reality: hallucinations, incoherence, marked loose associations, impoverished thought content, marked illogical thinking, bizarre, disorganised or catatonic behaviour. Exclude uraemia and drug causes.',
  ),
  d(
    'organic_brain_syndrome',
    3,
    'Organic brain syndrome',
    8,
    'cns',
    'Altered mental function with impaired orientation, memory or other intellectual function, with rapid onset and fluctuating clinical features: clouding of consciousness with reduced capacity to focus and inability to sustain attention, plus at least 2 of: perceptual disturbance, incoherent speech, insomnia or daytime drowsiness, increased or decreased psychomotor activity. Exclude metabolic, infectious or drug causes.',
  ),
  d(
    'visual_disturbance',
    4,
    'Visual disturbance',
    8,
    'cns',
    'Retinal changes of SLE: cytoid bodies, retinal haemorrhages, serous exudate or haemorrhages in the choroid, or optic neuritis. Exclude hypertension, infection or drug causes.',
  ),
  d(
    'cranial_nerve_disorder',
    5,
    'Cranial nerve disorder',
    8,
    'cns',
    'New onset of sensory or motor neuropathy involving cranial nerves.',
  ),
  d(
    'lupus_headache',
    6,
    'Lupus headache',
    8,
    'cns',
    'Severe persistent headache; may be migrainous, but must be non-responsive to narcotic analgesia.',
  ),
  d(
    'cva',
    7,
    'Cerebrovascular accident',
    8,
    'cns',
    'New onset of cerebrovascular accident(s). Exclude arteriosclerosis.',
  ),
  d(
    'vasculitis',
    8,
    'Vasculitis',
    8,
    'vascular',
    'Ulceration, gangrene, tender finger nodules, periungual infarction, splinter haemorrhages, or biopsy or angiogram proof of vasculitis.',
  ),
  d(
    'arthritis',
    9,
    'Arthritis',
    4,
    'musculoskeletal',
    // Clinician glossary text only; the joint count is the protocol decision
    // SLEDAI2K_ARTHRITIS_MIN_JOINTS below (sources and why there).
    `More than ${SLEDAI2K_ARTHRITIS_MIN_JOINTS - 1} joints with pain and signs of inflammation (tenderness, swelling or effusion).`,
  ),
  d(
    'myositis',
    10,
    'Myositis',
    4,
    'musculoskeletal',
    'Proximal muscle aching or weakness associated with elevated creatine phosphokinase or aldolase, or electromyogram changes, or a biopsy showing myositis.',
  ),
  d('urinary_casts', 11, 'Urinary casts', 4, 'renal', 'Heme-granular or red blood cell casts.'),
  d(
    'haematuria',
    12,
    'Haematuria',
    4,
    'renal',
    'More than 5 red blood cells per high-power field. Exclude stone, infection or other cause.',
  ),
  d('proteinuria', 13, 'Proteinuria', 4, 'renal', 'More than 0.5 g per 24 hours.'),
  d(
    'pyuria',
    14,
    'Pyuria',
    4,
    'renal',
    'More than 5 white blood cells per high-power field. Exclude infection.',
  ),
  d('rash', 15, 'Rash', 2, 'mucocutaneous', 'Inflammatory-type rash.'),
  d('alopecia', 16, 'Alopecia', 2, 'mucocutaneous', 'Abnormal, patchy or diffuse loss of hair.'),
  d('mucosal_ulcers', 17, 'Mucosal ulcers', 2, 'mucocutaneous', 'Oral or nasal ulcerations.'),
  d(
    'pleurisy',
    18,
    'Pleurisy',
    2,
    'serosal',
    'Pleuritic chest pain with pleural rub or effusion, or pleural thickening.',
  ),
  d(
    'pericarditis',
    19,
    'Pericarditis',
    2,
    'serosal',
    'Pericardial pain with at least 1 of: rub, effusion, or electrocardiogram or echocardiogram confirmation.',
  ),
  d(
    'low_complement',
    20,
    'Low complement',
    2,
    'immunological',
    'Decrease in CH50, C3 or C4 below the lower limit of normal for the testing laboratory.',
    true,
  ),
  d(
    'increased_dna_binding',
    21,
    'Increased DNA binding',
    2,
    'immunological',
    'Increased DNA binding above the normal range for the testing laboratory.',
    true,
  ),
  d('fever', 22, 'Fever', 1, 'constitutional', 'Temperature above 38 °C. Exclude infectious cause.'),
  d(
    'thrombocytopenia',
    23,
    'Thrombocytopenia',
    1,
    'haematological',
    'Fewer than 100 × 10⁹ platelets/L (100,000/mm³). Exclude drug causes.',
  ),
  d(
    'leukopenia',
    24,
    'Leukopenia',
    1,
    'haematological',
    'Fewer than 3 × 10⁹ white blood cells/L (3,000/mm³). Exclude drug causes.',
  ),
]);

/** Descriptor index (0–23) by id; a Map so that prototype keys ('toString') are never "known". */
export const SLEDAI2K_INDEX: ReadonlyMap<string, number> = new Map(
  SLEDAI2K_DESCRIPTOR_IDS.map((id, i) => [id, i]),
);

/** Weight by descriptor index, as a typed array for the hot loop. */
export const SLEDAI2K_WEIGHTS: Readonly<Int8Array> = Int8Array.from(SLEDAI2K_DESCRIPTORS, (x) => x.weight);

/** Maximum possible score: 105 (instruments.md §1.1). */
export const SLEDAI2K_MAX = 105;
