// Hand-checked SLEDAI-2K visits (sums of the instruments.md §1.2 weights): [name, input, total,
// clinical SLEDAI]. Shared by sledai2k.test.ts and the compact-path equivalence test.
import type { Sledai2kInput } from './score.js';

export const SLEDAI2K_WORKED_CASES: readonly [string, Sledai2kInput, number, number][] = [
  ['nothing', {}, 0, 0],
  ['arthritis + rash', { descriptors: { arthritis: true, rash: true } }, 6, 6],
  [
    'arthritis + low C3',
    {
      descriptors: { arthritis: true },
      labs: { c3: { value: 0.6, unit: 'g/L', lowerLimitOfNormal: 0.9 } },
    },
    6,
    4,
  ],
  ['serology only', { descriptors: { low_complement: true, increased_dna_binding: true } }, 4, 0],
  [
    'nephritis from labs',
    {
      labs: {
        proteinuria24h: { value: 2.1, unit: 'g/24h' },
        urineRbcPerHpf: { value: 20, unit: '/hpf' },
        urineWbcPerHpf: { value: 8, unit: '/hpf' },
      },
    },
    12,
    12,
  ],
  [
    'nephritis + casts + serology',
    {
      descriptors: { urinary_casts: true },
      labs: {
        proteinuria24h: { value: 1.2, unit: 'g/24h' },
        antiDsDna: { value: 200, unit: 'IU/mL', upperLimitOfNormal: 100 },
        c4: { value: 0.05, unit: 'g/L', lowerLimitOfNormal: 0.1 },
      },
    },
    12,
    8,
  ],
  ['seizure + fever', { descriptors: { seizure: true, fever: true } }, 9, 9],
  [
    'cytopenias',
    { labs: { platelets: { value: 45, unit: '10^9/L' }, wbc: { value: 2.1, unit: '10^9/L' } } },
    2,
    2,
  ],
  [
    'pyuria excluded as UTI',
    { descriptors: { pyuria: false }, labs: { urineWbcPerHpf: { value: 30, unit: '/hpf' } } },
    0,
    0,
  ],
  [
    'entered and derived counted once',
    { descriptors: { proteinuria: true }, labs: { proteinuria24h: { value: 3, unit: 'g/24h' } } },
    4,
    4,
  ],
  [
    'CNS-heavy',
    {
      descriptors: {
        psychosis: true,
        organic_brain_syndrome: true,
        lupus_headache: true,
        vasculitis: true,
      },
    },
    32,
    32,
  ],
  [
    'mucocutaneous + serosal',
    {
      descriptors: { rash: true, alopecia: true, mucosal_ulcers: true, pleurisy: true, pericarditis: true },
    },
    10,
    10,
  ],
];
