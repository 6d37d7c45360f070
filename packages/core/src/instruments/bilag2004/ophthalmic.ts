// BILAG-2004 ophthalmic system, items 65–77 (form revision 1 Sep 2009; instruments.md §2.2.1).
// Ophthalmic items should come from an ophthalmologist (BILAG-2004 glossary, instruments.md §2.2.1).
// PROVISIONAL item sets (instruments.md §2.2.2: not obtained): sight-threatening items (orbital
// inflammation, severe keratitis, severe posterior uveitis/retinal vasculitis, severe scleritis,
// retinal/choroidal vaso-occlusion, optic neuritis, AION) A-set; mild keratitis, anterior
// uveitis, mild posterior uveitis, mild scleritis B-set; episcleritis and isolated cotton-wool
// spots C-set.

import { type SetItemDef, systemTable } from './item-sets.js';
import type { BilagItemCode } from './types.js';

export const OPHTHALMIC_ITEMS = Object.freeze([
  {
    id: 'orbital_inflammation',
    number: 65,
    label: 'Orbital inflammation/myositis/proptosis',
    kind: 'ordinal',
    set: 'A',
  },
  { id: 'keratitis_severe', number: 66, label: 'Keratitis – severe', kind: 'ordinal', set: 'A' },
  { id: 'keratitis_mild', number: 67, label: 'Keratitis – mild', kind: 'ordinal', set: 'B' },
  { id: 'anterior_uveitis', number: 68, label: 'Anterior uveitis', kind: 'ordinal', set: 'B' },
  {
    id: 'posterior_uveitis_severe',
    number: 69,
    label: 'Posterior uveitis/retinal vasculitis – severe',
    kind: 'ordinal',
    set: 'A',
  },
  {
    id: 'posterior_uveitis_mild',
    number: 70,
    label: 'Posterior uveitis/retinal vasculitis – mild',
    kind: 'ordinal',
    set: 'B',
  },
  { id: 'episcleritis', number: 71, label: 'Episcleritis', kind: 'ordinal', set: 'C' },
  { id: 'scleritis_severe', number: 72, label: 'Scleritis – severe', kind: 'ordinal', set: 'A' },
  { id: 'scleritis_mild', number: 73, label: 'Scleritis – mild', kind: 'ordinal', set: 'B' },
  {
    id: 'retinal_choroidal_vaso_occlusion',
    number: 74,
    label: 'Retinal/choroidal vaso-occlusive disease',
    kind: 'ordinal',
    set: 'A',
  },
  {
    id: 'isolated_cotton_wool_spots',
    number: 75,
    label: 'Isolated cotton-wool spots (cytoid bodies)',
    kind: 'ordinal',
    set: 'C',
  },
  { id: 'optic_neuritis', number: 76, label: 'Optic neuritis', kind: 'ordinal', set: 'A' },
  {
    id: 'anterior_ischaemic_optic_neuropathy',
    number: 77,
    label: 'Anterior ischaemic optic neuropathy',
    kind: 'ordinal',
    set: 'A',
  },
] as const satisfies readonly SetItemDef[]);

export type OphthalmicItemId = (typeof OPHTHALMIC_ITEMS)[number]['id'];
export type OphthalmicInput = Partial<Record<OphthalmicItemId, BilagItemCode>>;
export const OPHTHALMIC_TABLE = systemTable('ophthalmic', OPHTHALMIC_ITEMS);
