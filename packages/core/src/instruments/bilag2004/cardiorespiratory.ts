// BILAG-2004 cardiorespiratory system, items 44–55 (form revision 1 Sep 2009; instruments.md §2.2.1).
// PROVISIONAL item sets (instruments.md §2.2.2: not obtained): mild myocarditis and
// pleurisy/pericarditis are the B-set (treated with moderate therapy); the organ-threatening
// items (myocarditis with cardiac failure, arrhythmia, new valvular dysfunction, tamponade,
// effusion with dyspnoea, pulmonary haemorrhage/vasculitis, pneumonitis, shrinking lung,
// aortitis, coronary vasculitis) are the A-set.

import { type SetItemDef, systemTable } from './item-sets.js';
import type { BilagItemCode } from './types.js';

export const CARDIORESPIRATORY_ITEMS = Object.freeze([
  { id: 'myocarditis_mild', number: 44, label: 'Myocarditis – mild', kind: 'ordinal', set: 'B' },
  {
    id: 'myocarditis_endocarditis_cardiac_failure',
    number: 45,
    label: 'Myocarditis/endocarditis + cardiac failure',
    kind: 'ordinal',
    set: 'A',
  },
  { id: 'arrhythmia', number: 46, label: 'Arrhythmia', kind: 'ordinal', set: 'A' },
  {
    id: 'new_valvular_dysfunction',
    number: 47,
    label: 'New valvular dysfunction',
    kind: 'ordinal',
    set: 'A',
  },
  { id: 'pleurisy_pericarditis', number: 48, label: 'Pleurisy/pericarditis', kind: 'ordinal', set: 'B' },
  { id: 'cardiac_tamponade', number: 49, label: 'Cardiac tamponade', kind: 'ordinal', set: 'A' },
  {
    id: 'pleural_effusion_dyspnoea',
    number: 50,
    label: 'Pleural effusion with dyspnoea',
    kind: 'ordinal',
    set: 'A',
  },
  {
    id: 'pulmonary_haemorrhage_vasculitis',
    number: 51,
    label: 'Pulmonary haemorrhage/vasculitis',
    kind: 'ordinal',
    set: 'A',
  },
  {
    id: 'interstitial_alveolitis_pneumonitis',
    number: 52,
    label: 'Interstitial alveolitis/pneumonitis',
    kind: 'ordinal',
    set: 'A',
  },
  { id: 'shrinking_lung_syndrome', number: 53, label: 'Shrinking lung syndrome', kind: 'ordinal', set: 'A' },
  { id: 'aortitis', number: 54, label: 'Aortitis', kind: 'ordinal', set: 'A' },
  { id: 'coronary_vasculitis', number: 55, label: 'Coronary vasculitis', kind: 'ordinal', set: 'A' },
] as const satisfies readonly SetItemDef[]);

export type CardiorespiratoryItemId = (typeof CARDIORESPIRATORY_ITEMS)[number]['id'];
export type CardiorespiratoryInput = Partial<Record<CardiorespiratoryItemId, BilagItemCode>>;
export const CARDIORESPIRATORY_TABLE = systemTable('cardiorespiratory', CARDIORESPIRATORY_ITEMS);
