// BILAG-2004 gastrointestinal system, items 56–64 (form revision 1 Sep 2009; instruments.md §2.2.1).
// PROVISIONAL item sets (instruments.md §2.2.2: not obtained): acute abdominal emergencies
// (peritonitis, enteritis/colitis, pseudo-obstruction, acute cholecystitis, acute pancreatitis)
// are the A-set; serositis/ascites, malabsorption, protein-losing enteropathy and hepatitis the
// B-set.

import { type SetItemDef, systemTable } from './item-sets.js';
import type { BilagItemCode } from './types.js';

export const GASTROINTESTINAL_ITEMS = Object.freeze([
  { id: 'lupus_peritonitis', number: 56, label: 'Lupus peritonitis', kind: 'ordinal', set: 'A' },
  {
    id: 'abdominal_serositis_ascites',
    number: 57,
    label: 'Abdominal serositis or ascites',
    kind: 'ordinal',
    set: 'B',
  },
  { id: 'lupus_enteritis_colitis', number: 58, label: 'Lupus enteritis/colitis', kind: 'ordinal', set: 'A' },
  { id: 'malabsorption', number: 59, label: 'Malabsorption', kind: 'ordinal', set: 'B' },
  {
    id: 'protein_losing_enteropathy',
    number: 60,
    label: 'Protein-losing enteropathy',
    kind: 'ordinal',
    set: 'B',
  },
  {
    id: 'intestinal_pseudo_obstruction',
    number: 61,
    label: 'Intestinal pseudo-obstruction',
    kind: 'ordinal',
    set: 'A',
  },
  { id: 'lupus_hepatitis', number: 62, label: 'Lupus hepatitis', kind: 'ordinal', set: 'B' },
  {
    id: 'acute_lupus_cholecystitis',
    number: 63,
    label: 'Acute lupus cholecystitis',
    kind: 'ordinal',
    set: 'A',
  },
  {
    id: 'acute_lupus_pancreatitis',
    number: 64,
    label: 'Acute lupus pancreatitis',
    kind: 'ordinal',
    set: 'A',
  },
] as const satisfies readonly SetItemDef[]);

export type GastrointestinalItemId = (typeof GASTROINTESTINAL_ITEMS)[number]['id'];
export type GastrointestinalInput = Partial<Record<GastrointestinalItemId, BilagItemCode>>;
export const GASTROINTESTINAL_TABLE = systemTable('gastrointestinal', GASTROINTESTINAL_ITEMS);
