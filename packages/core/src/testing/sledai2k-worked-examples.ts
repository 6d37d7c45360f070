// Hand-checked SLEDAI-2K visits (sums of the instruments.md §1.2 weights): [name, input, total,
// clinical SLEDAI]. Shared by sledai2k.test.ts and the compact-path equivalence test.
import type { Sledai2kInput } from '../instruments/sledai2k/score.js';

export const SLEDAI2K_WORKED_CASES: readonly [string, Sledai2kInput, number, number][] = [
  ['nothing', {}, 0, 0],
  ['arthritis + rash', { descriptors: { arthritis: 'present', rash: 'present' } }, 6, 6],
  [
    'arthritis + low C3',
    {
      descriptors: { arthritis: 'present' },
      labs: { c3: { value: 0.6, unit: 'g/L', lowerLimitOfNormal: 0.9 } },
    },
    6,
    4,
  ],
  ['serology only', { descriptors: { low_complement: 'present', increased_dna_binding: 'present' } }, 4, 0],
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
      descriptors: { urinary_casts: 'present' },
      labs: {
        proteinuria24h: { value: 1.2, unit: 'g/24h' },
        antiDsDna: { value: 200, unit: 'IU/mL', upperLimitOfNormal: 100 },
        c4: { value: 0.05, unit: 'g/L', lowerLimitOfNormal: 0.1 },
      },
    },
    12,
    8,
  ],
  ['seizure + fever', { descriptors: { seizure: 'present', fever: 'present' } }, 9, 9],
  [
    'cytopenias',
    { labs: { platelets: { value: 45, unit: '10^9/L' }, wbc: { value: 2.1, unit: '10^9/L' } } },
    2,
    2,
  ],
  [
    'pyuria excluded as UTI',
    { descriptors: { pyuria: 'not-sle' }, labs: { urineWbcPerHpf: { value: 30, unit: '/hpf' } } },
    0,
    0,
  ],
  [
    'absent (a stored 0) never vetoes a lab rule: 4 + 2 + 1 (Clarification 5)',
    {
      descriptors: { arthritis: 'present', low_complement: 'absent', fever: 'absent' },
      labs: {
        c3: { value: 0.6, unit: 'g/L', lowerLimitOfNormal: 0.9 },
        temperature: { value: 38.4, unit: '°C' },
      },
    },
    7,
    5,
  ],
  [
    'fever derived from 101.3 °F, casts from the sediment',
    { labs: { temperature: { value: 101.3, unit: '°F' }, urineCasts: true } },
    5,
    5,
  ],
  [
    'fever attributed to infection: not scored although 38.9 °C',
    { descriptors: { fever: 'not-sle' }, labs: { temperature: { value: 38.9, unit: '°C' } } },
    0,
    0,
  ],
  [
    'entered and derived counted once',
    { descriptors: { proteinuria: 'present' }, labs: { proteinuria24h: { value: 3, unit: 'g/24h' } } },
    4,
    4,
  ],
  [
    'CNS-heavy',
    {
      descriptors: {
        psychosis: 'present',
        organic_brain_syndrome: 'present',
        lupus_headache: 'present',
        vasculitis: 'present',
      },
    },
    32,
    32,
  ],
  [
    'mucocutaneous + serosal',
    {
      descriptors: {
        rash: 'present',
        alopecia: 'present',
        mucosal_ulcers: 'present',
        pleurisy: 'present',
        pericarditis: 'present',
      },
    },
    10,
    10,
  ],
];
