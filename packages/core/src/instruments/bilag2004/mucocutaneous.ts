// BILAG-2004 mucocutaneous system, items 5–18 (form revision 1 Sep 2009; instruments.md §2.2.1).
// PROVISIONAL item sets: instruments.md §2.2.2 gives them as UNVERIFIED (A = 5, 7, 9, 11, 13;
// B = 6, 12, 14, 15; C = 8, 10, 16, 17, 18), consistent in count with the JSLE tests (5/4/5).
// The Isenberg 2005 scoring appendix was searched for (pages, docs, code corpora) and not found.

import { type SetItemDef, systemTable } from './item-sets.js';
import type { BilagItemCode } from './types.js';

export const MUCOCUTANEOUS_ITEMS = Object.freeze([
  { id: 'skin_eruption_severe', number: 5, label: 'Skin eruption – severe', kind: 'ordinal', set: 'A' },
  { id: 'skin_eruption_mild', number: 6, label: 'Skin eruption – mild', kind: 'ordinal', set: 'B' },
  { id: 'angio_oedema_severe', number: 7, label: 'Angio-oedema – severe', kind: 'ordinal', set: 'A' },
  { id: 'angio_oedema_mild', number: 8, label: 'Angio-oedema – mild', kind: 'ordinal', set: 'C' },
  {
    id: 'mucosal_ulceration_severe',
    number: 9,
    label: 'Mucosal ulceration – severe',
    kind: 'ordinal',
    set: 'A',
  },
  {
    id: 'mucosal_ulceration_mild',
    number: 10,
    label: 'Mucosal ulceration – mild',
    kind: 'ordinal',
    set: 'C',
  },
  {
    id: 'panniculitis_bullous_severe',
    number: 11,
    label: 'Panniculitis/bullous lupus – severe',
    kind: 'ordinal',
    set: 'A',
  },
  {
    id: 'panniculitis_bullous_mild',
    number: 12,
    label: 'Panniculitis/bullous lupus – mild',
    kind: 'ordinal',
    set: 'B',
  },
  {
    id: 'major_cutaneous_vasculitis',
    number: 13,
    label: 'Major cutaneous vasculitis/thrombosis',
    kind: 'ordinal',
    set: 'A',
  },
  {
    id: 'digital_infarcts_nodular_vasculitis',
    number: 14,
    label: 'Digital infarcts or nodular vasculitis',
    kind: 'ordinal',
    set: 'B',
  },
  { id: 'alopecia_severe', number: 15, label: 'Alopecia – severe', kind: 'ordinal', set: 'B' },
  { id: 'alopecia_mild', number: 16, label: 'Alopecia – mild', kind: 'ordinal', set: 'C' },
  {
    id: 'periungual_erythema_chilblains',
    number: 17,
    label: 'Peri-ungual erythema/chilblains',
    kind: 'ordinal',
    set: 'C',
  },
  { id: 'splinter_haemorrhages', number: 18, label: 'Splinter haemorrhages', kind: 'ordinal', set: 'C' },
] as const satisfies readonly SetItemDef[]);

export type MucocutaneousItemId = (typeof MUCOCUTANEOUS_ITEMS)[number]['id'];
export type MucocutaneousInput = Partial<Record<MucocutaneousItemId, BilagItemCode>>;
export const MUCOCUTANEOUS_TABLE = systemTable('mucocutaneous', MUCOCUTANEOUS_ITEMS);
