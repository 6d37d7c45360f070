// BILAG-2004 musculoskeletal system, items 39–43 (form revision 1 Sep 2009; instruments.md §2.2.1).
// PROVISIONAL item sets (instruments.md §2.2.2: not obtained): the severity labels printed on the
// form carry the split — severe myositis and severe arthritis A-set; mild myositis and moderate
// arthritis/tendonitis B-set; mild arthritis/arthralgia/myalgia C-set.

import { type SetItemDef, systemTable } from './item-sets.js';
import type { BilagItemCode } from './types.js';

export const MUSCULOSKELETAL_ITEMS = Object.freeze([
  { id: 'myositis_severe', number: 39, label: 'Myositis – severe', kind: 'ordinal', set: 'A' },
  { id: 'myositis_mild', number: 40, label: 'Myositis – mild', kind: 'ordinal', set: 'B' },
  { id: 'arthritis_severe', number: 41, label: 'Arthritis (severe)', kind: 'ordinal', set: 'A' },
  {
    id: 'arthritis_moderate_tendonitis',
    number: 42,
    label: 'Arthritis (moderate)/tendonitis/tenosynovitis',
    kind: 'ordinal',
    set: 'B',
  },
  {
    id: 'arthritis_mild_arthralgia_myalgia',
    number: 43,
    label: 'Arthritis (mild)/arthralgia/myalgia',
    kind: 'ordinal',
    set: 'C',
  },
] as const satisfies readonly SetItemDef[]);

export type MusculoskeletalItemId = (typeof MUSCULOSKELETAL_ITEMS)[number]['id'];
export type MusculoskeletalInput = Partial<Record<MusculoskeletalItemId, BilagItemCode>>;
export const MUSCULOSKELETAL_TABLE = systemTable('musculoskeletal', MUSCULOSKELETAL_ITEMS);
