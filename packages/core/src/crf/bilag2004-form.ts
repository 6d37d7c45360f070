// The BILAG-2004 case report form, generated from the scorer's own item lists (instruments.md
// §2.2.1, form revision 1 Sep 2009): the 97 items by system, coded ND/0–4, Y/N or as lab values with
// the units the scorer accepts; plus, per system, whether it was ever involved (decides D vs E) and,
// for the haematological labs, the form's "due to SLE activity" column.
import { CARDIORESPIRATORY_ITEMS } from '../instruments/bilag2004/cardiorespiratory.js';
import { CONSTITUTIONAL_ITEMS } from '../instruments/bilag2004/constitutional.js';
import { GASTROINTESTINAL_ITEMS } from '../instruments/bilag2004/gastrointestinal.js';
import { HAEMATOLOGICAL_ITEMS, type HaemLabId } from '../instruments/bilag2004/haematological.js';
import { MUCOCUTANEOUS_ITEMS } from '../instruments/bilag2004/mucocutaneous.js';
import { MUSCULOSKELETAL_ITEMS } from '../instruments/bilag2004/musculoskeletal.js';
import { NEUROPSYCHIATRIC_ITEMS } from '../instruments/bilag2004/neuropsychiatric.js';
import { OPHTHALMIC_ITEMS } from '../instruments/bilag2004/ophthalmic.js';
import { RENAL_ITEMS } from '../instruments/bilag2004/renal.js';
import {
  BILAG2004_SYSTEMS,
  type Bilag2004System,
  type BilagItemDef,
} from '../instruments/bilag2004/types.js';
import type { CodeList } from '../protocol/study-definition.js';
import type { FormDefinitionItems, ItemDefinition } from './item-definition.js';

export const BILAG2004_FORM_CODE = 'bilag2004';

/** The scorer's items of each system, in form order. */
export const BILAG2004_SYSTEM_ITEMS: Readonly<Record<Bilag2004System, readonly BilagItemDef[]>> = {
  constitutional: CONSTITUTIONAL_ITEMS,
  mucocutaneous: MUCOCUTANEOUS_ITEMS,
  neuropsychiatric: NEUROPSYCHIATRIC_ITEMS,
  musculoskeletal: MUSCULOSKELETAL_ITEMS,
  cardiorespiratory: CARDIORESPIRATORY_ITEMS,
  gastrointestinal: GASTROINTESTINAL_ITEMS,
  ophthalmic: OPHTHALMIC_ITEMS,
  renal: RENAL_ITEMS,
  haematological: HAEMATOLOGICAL_ITEMS,
};

export const BILAG2004_SYSTEM_LABELS: Readonly<Record<Bilag2004System, string>> = {
  constitutional: 'Constitutional',
  mucocutaneous: 'Mucocutaneous',
  neuropsychiatric: 'Neuropsychiatric',
  musculoskeletal: 'Musculoskeletal',
  cardiorespiratory: 'Cardiorespiratory',
  gastrointestinal: 'Gastrointestinal',
  ophthalmic: 'Ophthalmic',
  renal: 'Renal',
  haematological: 'Haematological',
};

/** Item response codes (instruments.md §2.2.1). */
export const BILAG2004_CODES = [
  { code: 'ND', label: 'ND — not done' },
  { code: '0', label: '0 — not present' },
  { code: '1', label: '1 — improving' },
  { code: '2', label: '2 — same' },
  { code: '3', label: '3 — worse' },
  { code: '4', label: '4 — new' },
] as const;

const DIPSTICK_CODES = [
  { code: '0', label: 'negative or trace' },
  { code: '1', label: '+' },
  { code: '2', label: '++' },
  { code: '3', label: '+++' },
] as const;

/** BILAG-2004's code lists, each declared once. */
export const BILAG2004_ITEM_CODE_LIST: CodeList = {
  id: 'bilag2004-item',
  label: 'BILAG-2004 item (ND, 0–4)',
  codes: BILAG2004_CODES,
};
export const BILAG2004_DIPSTICK_CODE_LIST: CodeList = {
  id: 'urine-dipstick',
  label: 'Urine dipstick protein',
  codes: DIPSTICK_CODES,
};
export const BILAG2004_CODE_LISTS: readonly CodeList[] = [
  BILAG2004_ITEM_CODE_LIST,
  BILAG2004_DIPSTICK_CODE_LIST,
];

/** Plausibility ranges of the value items, in each item's first (default) unit. */
const VALUE_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  systolic_bp: [50, 260],
  diastolic_bp: [20, 160],
  uacr: [0, 5000],
  upcr: [0, 5000],
  proteinuria_24h: [0, 40],
  creatinine: [5, 3000],
  gfr: [0, 200],
  haemoglobin: [2, 25],
  wcc: [0, 200],
  neutrophils: [0, 150],
  lymphocytes: [0, 100],
  platelets: [0, 2000],
};

/** The haematological labs that count only when due to SLE (the form's confirmation column). */
export const BILAG2004_HAEM_LABS: readonly HaemLabId[] = [
  'haemoglobin',
  'wcc',
  'neutrophils',
  'lymphocytes',
  'platelets',
];

export const historyItemCode = (system: Bilag2004System) => `history_${system}`;
export const dueToSleItemCode = (lab: HaemLabId) => `due_to_sle_${lab}`;

const SOURCE = 'instruments.md §2.2.1';

function itemDefinition(d: BilagItemDef): ItemDefinition {
  const label = `${d.number}. ${d.label}`;
  if (d.kind === 'ordinal')
    return { code: d.id, label, type: 'code', codes: BILAG2004_ITEM_CODE_LIST.codes, source: SOURCE };
  if (d.kind === 'yes-no') return { code: d.id, label, type: 'boolean', source: SOURCE };
  if (d.id === 'dipstick_protein')
    return {
      code: d.id,
      label: `${d.number}. Urine dipstick protein`,
      type: 'code',
      codes: BILAG2004_DIPSTICK_CODE_LIST.codes,
      source: SOURCE,
    };
  const range = VALUE_RANGES[d.id];
  return {
    code: d.id,
    label,
    type: 'decimal',
    ...(d.units ? { units: d.units } : {}),
    ...(range ? { min: range[0], max: range[1] } : {}),
    source: SOURCE,
  };
}

/** One group of the form per system: its items, then "ever involved" (and the SLE confirmations). */
export interface Bilag2004FormGroup {
  system: Bilag2004System;
  title: string;
  items: readonly ItemDefinition[];
}

export const BILAG2004_FORM_GROUPS: readonly Bilag2004FormGroup[] = BILAG2004_SYSTEMS.map((system) => {
  const items = BILAG2004_SYSTEM_ITEMS[system].map(itemDefinition);
  if (system === 'haematological') {
    for (const lab of BILAG2004_HAEM_LABS) {
      const labItem = items.find((i) => i.code === lab)!;
      items.push({
        code: dueToSleItemCode(lab),
        label: `${labItem.label.replace(/ \(.*\)$/, '')}: due to SLE activity`,
        type: 'boolean',
        help:
          lab === 'haemoglobin'
            ? 'Anaemia counts only when due to SLE (or with evidence of active haemolysis)'
            : 'A cytopenia counts unless recorded as not due to SLE',
        source: 'instruments.md §2.2.4',
      });
    }
  }
  items.push({
    code: historyItemCode(system),
    label: `${BILAG2004_SYSTEM_LABELS[system]}: ever involved before this assessment`,
    type: 'boolean',
    help: 'Decides D (previously involved) or E (never involved) when there is no current activity',
    source: 'instruments.md §2.2.2',
  });
  return { system, title: BILAG2004_SYSTEM_LABELS[system], items };
});

/** BILAG-2004: 97 items by system, codes ND/0–4, Y/N and lab values; grades computed from them. */
export const BILAG2004_FORM: FormDefinitionItems = {
  formCode: BILAG2004_FORM_CODE,
  title: 'BILAG-2004',
  items: BILAG2004_FORM_GROUPS.flatMap((g) => g.items),
};
