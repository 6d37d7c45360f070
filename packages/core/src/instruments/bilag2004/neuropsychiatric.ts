// BILAG-2004 neuropsychiatric system, items 19–38 (form revision 1 Sep 2009; instruments.md §2.2.1).
// PROVISIONAL item sets (instruments.md §2.2.2: "not obtained"; Isenberg 2005 appendix not found
// in any searched corpus). Best-supported split: the focal/inflammatory syndromes that usually
// prompt high-dose steroids or immunosuppression form the A-set; seizure disorder,
// cerebrovascular disease not due to vasculitis, cognitive dysfunction, movement and autonomic
// disorders and the headaches form the B-set (they score B when active, C when improving).

import { type SetItemDef, systemTable } from './item-sets.js';
import type { BilagItemCode } from './types.js';

export const NEUROPSYCHIATRIC_ITEMS = Object.freeze([
  { id: 'aseptic_meningitis', number: 19, label: 'Aseptic meningitis', kind: 'ordinal', set: 'A' },
  { id: 'cerebral_vasculitis', number: 20, label: 'Cerebral vasculitis', kind: 'ordinal', set: 'A' },
  { id: 'demyelinating_syndrome', number: 21, label: 'Demyelinating syndrome', kind: 'ordinal', set: 'A' },
  { id: 'myelopathy', number: 22, label: 'Myelopathy', kind: 'ordinal', set: 'A' },
  { id: 'acute_confusional_state', number: 23, label: 'Acute confusional state', kind: 'ordinal', set: 'A' },
  { id: 'psychosis', number: 24, label: 'Psychosis', kind: 'ordinal', set: 'A' },
  {
    id: 'aidp',
    number: 25,
    label: 'Acute inflammatory demyelinating polyradiculoneuropathy',
    kind: 'ordinal',
    set: 'A',
  },
  { id: 'mononeuropathy', number: 26, label: 'Mononeuropathy (single/multiplex)', kind: 'ordinal', set: 'A' },
  { id: 'cranial_neuropathy', number: 27, label: 'Cranial neuropathy', kind: 'ordinal', set: 'A' },
  { id: 'plexopathy', number: 28, label: 'Plexopathy', kind: 'ordinal', set: 'A' },
  { id: 'polyneuropathy', number: 29, label: 'Polyneuropathy', kind: 'ordinal', set: 'A' },
  { id: 'seizure_disorder', number: 30, label: 'Seizure disorder', kind: 'ordinal', set: 'B' },
  { id: 'status_epilepticus', number: 31, label: 'Status epilepticus', kind: 'ordinal', set: 'A' },
  {
    id: 'cerebrovascular_disease',
    number: 32,
    label: 'Cerebrovascular disease (not due to vasculitis)',
    kind: 'ordinal',
    set: 'B',
  },
  { id: 'cognitive_dysfunction', number: 33, label: 'Cognitive dysfunction', kind: 'ordinal', set: 'B' },
  { id: 'movement_disorder', number: 34, label: 'Movement disorder', kind: 'ordinal', set: 'B' },
  { id: 'autonomic_disorder', number: 35, label: 'Autonomic disorder', kind: 'ordinal', set: 'B' },
  { id: 'cerebellar_ataxia', number: 36, label: 'Cerebellar ataxia (isolated)', kind: 'ordinal', set: 'A' },
  {
    id: 'lupus_headache',
    number: 37,
    label: 'Lupus headache – severe unremitting',
    kind: 'ordinal',
    set: 'B',
  },
  {
    id: 'headache_ic_hypertension',
    number: 38,
    label: 'Headache from IC hypertension',
    kind: 'ordinal',
    set: 'B',
  },
] as const satisfies readonly SetItemDef[]);

export type NeuropsychiatricItemId = (typeof NEUROPSYCHIATRIC_ITEMS)[number]['id'];
export type NeuropsychiatricInput = Partial<Record<NeuropsychiatricItemId, BilagItemCode>>;
export const NEUROPSYCHIATRIC_TABLE = systemTable('neuropsychiatric', NEUROPSYCHIATRIC_ITEMS);
