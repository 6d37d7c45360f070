// Hand-checked BILAG-2004 visits (numeric 12/8/1), scored with history 'never involved' for every
// system: [name, input, expected grades, numeric]. Shared by bilag2004.test.ts and the compact-path
// equivalence test.
import type { Bilag2004Input } from '../instruments/bilag2004/score.js';
import type { Bilag2004System, BilagGrade } from '../instruments/bilag2004/types.js';

export const BILAG2004_WORKED_CASES: readonly [
  string,
  Bilag2004Input,
  Partial<Record<Bilag2004System, BilagGrade>>,
  number,
][] = [
  ['all inactive, never involved', {}, { renal: 'E' }, 0],
  [
    'active nephritis',
    { renal: { upcr: { value: 300, unit: 'mg/mmol' }, active_urinary_sediment: true } },
    { renal: 'A' },
    12,
  ],
  [
    'arthritis moderate + rash mild',
    { musculoskeletal: { arthritis_moderate_tendonitis: 3 }, mucocutaneous: { skin_eruption_mild: 2 } },
    { musculoskeletal: 'B', mucocutaneous: 'B' },
    16,
  ],
  [
    'thrombocytopenia 40 + fever',
    { haematological: { platelets: { value: 40, unit: '10^9/L' } }, constitutional: { pyrexia: 4 } },
    { haematological: 'B', constitutional: 'B' },
    16,
  ],
  ['pleurisy improving', { cardiorespiratory: { pleurisy_pericarditis: 1 } }, { cardiorespiratory: 'C' }, 1],
  [
    'CNS vasculitis + mild alopecia',
    { neuropsychiatric: { cerebral_vasculitis: 4 }, mucocutaneous: { alopecia_mild: 2 } },
    { neuropsychiatric: 'A', mucocutaneous: 'C' },
    13,
  ],
  [
    'uveitis + lupus hepatitis',
    { ophthalmic: { anterior_uveitis: 2 }, gastrointestinal: { lupus_hepatitis: 3 } },
    { ophthalmic: 'B', gastrointestinal: 'B' },
    16,
  ],
  ['mild proteinuria', { renal: { proteinuria_24h: { value: 0.3, unit: 'g/24h' } } }, { renal: 'C' }, 1],
  [
    'A-set improving beats C-set',
    { musculoskeletal: { myositis_severe: 1, arthritis_mild_arthralgia_myalgia: 4 } },
    { musculoskeletal: 'B' },
    8,
  ],
  [
    'multi-system flare',
    {
      renal: { proteinuria_24h: { value: 3, unit: 'g/24h' }, active_nephritis: true },
      haematological: { platelets: { value: 20, unit: '10^9/L' } },
      mucocutaneous: { skin_eruption_severe: 4 },
    },
    { renal: 'A', haematological: 'A', mucocutaneous: 'A' },
    36,
  ],
];
