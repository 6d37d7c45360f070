// The compact, validated form of one visit's SLEDAI-2K + BILAG-2004 input: "validate once, score
// many times". A visit is one fixed-width row in three flat typed arrays (row-major, so one
// visit's fields sit together in ~5 cache lines):
//   codes  Int8Array    BILAG 0–4 item codes (ND / absent = CODE_NONE), TTP last;
//   flags  Int32Array   SLEDAI entered / excluded bitmasks, BILAG Y/N bits and history bits, window;
//   values Float64Array lab values normalised to the unit the rule compares in (NaN = not given),
//                       complement and anti-dsDNA with the testing lab's limit in the same unit.
// Only crf/derive-row.ts writes rows, and only with input the reference scorers accept.
// Slot positions are derived from the item lists the modules export; no clinical number lives here.
import { CARDIORESPIRATORY_ITEMS } from '../bilag2004/cardiorespiratory.js';
import { CONSTITUTIONAL_ITEMS } from '../bilag2004/constitutional.js';
import { GASTROINTESTINAL_ITEMS } from '../bilag2004/gastrointestinal.js';
import { MUCOCUTANEOUS_ITEMS } from '../bilag2004/mucocutaneous.js';
import { MUSCULOSKELETAL_ITEMS } from '../bilag2004/musculoskeletal.js';
import { NEUROPSYCHIATRIC_ITEMS } from '../bilag2004/neuropsychiatric.js';
import { OPHTHALMIC_ITEMS } from '../bilag2004/ophthalmic.js';
import { BILAG2004_SYSTEMS, type Bilag2004System } from '../bilag2004/types.js';

/** A BILAG item coded ND or not entered: implies nothing. */
export const CODE_NONE = -1;

/** The systems graded from 0–4 item codes, in row order (constitutional first). */
export const CODED_SYSTEMS = [
  ['constitutional', CONSTITUTIONAL_ITEMS],
  ['mucocutaneous', MUCOCUTANEOUS_ITEMS],
  ['neuropsychiatric', NEUROPSYCHIATRIC_ITEMS],
  ['musculoskeletal', MUSCULOSKELETAL_ITEMS],
  ['cardiorespiratory', CARDIORESPIRATORY_ITEMS],
  ['gastrointestinal', GASTROINTESTINAL_ITEMS],
  ['ophthalmic', OPHTHALMIC_ITEMS],
] as const satisfies readonly (readonly [Bilag2004System, readonly { id: string }[]])[];

/** First code slot of each coded system (same order as CODED_SYSTEMS), and one past the last. */
export const CODED_START: readonly number[] = CODED_SYSTEMS.reduce<number[]>(
  (acc, [, items]) => {
    acc.push(acc[acc.length - 1]! + items.length);
    return acc;
  },
  [0],
);
/** Code slot of haematological item 95 (TTP). */
export const CODE_TTP = CODED_START[CODED_SYSTEMS.length]!;
export const CODE_STRIDE = CODE_TTP + 1;

/** Int32 flag slots. */
export const FLAG_SLEDAI_ENTERED = 0;
export const FLAG_SLEDAI_EXCLUDED = 1;
export const FLAG_BILAG = 2;
export const FLAG_WINDOW_DAYS = 3;
export const FLAG_STRIDE = 4;

/** Bits of the FLAG_BILAG slot. */
export const B_ACCELERATED_HYPERTENSION = 1 << 0;
export const B_NEPHROTIC_SYNDROME = 1 << 1;
export const B_ACTIVE_URINARY_SEDIMENT = 1 << 2;
export const B_ACTIVE_NEPHRITIS = 1 << 3;
export const B_HAEMOLYSIS = 1 << 4;
export const B_COOMBS_POSITIVE = 1 << 5;
/** due_to_sle[lab] === true at HAEM_LABS index i: bit DUE_TRUE_SHIFT + i; === false: DUE_FALSE_SHIFT + i. */
export const DUE_TRUE_SHIFT = 6;
export const DUE_FALSE_SHIFT = 11;
/** "Ever involved" (D rather than E when inactive) for BILAG2004_SYSTEMS index s: bit EVER_SHIFT + s. */
export const EVER_SHIFT = 16;
export const EVER_SYSTEMS: readonly Bilag2004System[] = BILAG2004_SYSTEMS;

/** Haematological labs in value-slot order (g/dL for haemoglobin, 10⁹/L for counts). */
export const HAEM_LABS = ['haemoglobin', 'wcc', 'neutrophils', 'lymphocytes', 'platelets'] as const;

/** Float64 value slots. SLEDAI-2K first. */
export const V_SLEDAI_PROTEIN_G = 0; // 24 h protein in g, else UPCR as g/g under the equivalence
export const V_SLEDAI_RBC_HPF = 1;
export const V_SLEDAI_WBC_HPF = 2;
export const V_SLEDAI_C3 = 3; // C3, C4, CH50: value then LLN, in the entered unit
export const V_SLEDAI_C3_LLN = 4;
export const V_SLEDAI_C4 = 5;
export const V_SLEDAI_C4_LLN = 6;
export const V_SLEDAI_CH50 = 7;
export const V_SLEDAI_CH50_LLN = 8;
export const V_SLEDAI_DSDNA = 9; // anti-dsDNA then ULN, in the entered unit
export const V_SLEDAI_DSDNA_ULN = 10;
export const V_SLEDAI_PLATELETS = 11; // 10⁹/L
export const V_SLEDAI_WBC = 12; // 10⁹/L
export const V_SLEDAI_CASTS = 13; // 1 = casts in the sediment, 0 = none reported, NaN = not given
export const V_SLEDAI_TEMP = 14; // measured temperature then the fever limit, in the measured unit
export const V_SLEDAI_TEMP_LIMIT = 15;
/** BILAG renal block (current at V_RENAL, previous at V_RENAL_PREV), offsets within a block. */
export const R_P24 = 0; // g/24 h
export const R_UPCR = 1; // mg/mmol
export const R_UACR = 2; // mg/mmol
export const R_CREAT = 3; // µmol/L
export const R_GFR = 4; // mL/min/1.73 m²
export const R_DIP = 5; // 0–3
export const R_SBP = 6; // mm Hg
export const R_DBP = 7; // mm Hg
export const RENAL_BLOCK = 8;
export const V_RENAL = V_SLEDAI_TEMP_LIMIT + 1;
export const V_RENAL_PREV = V_RENAL + RENAL_BLOCK;
export const V_HAEM = V_RENAL_PREV + RENAL_BLOCK;
export const VALUE_STRIDE = V_HAEM + HAEM_LABS.length;

/** Many compiled visits, one row each. A CompactVisit is a batch of one row. */
export interface CompactVisits {
  readonly length: number;
  readonly codes: Int8Array;
  readonly flags: Int32Array;
  readonly values: Float64Array;
}
export type CompactVisit = CompactVisits;

/** An empty batch of `capacity` rows (typed arrays; off the JS heap, nothing for the GC to trace). */
export function createCompactVisits(capacity: number): CompactVisits {
  return {
    length: capacity,
    codes: new Int8Array(capacity * CODE_STRIDE),
    flags: new Int32Array(capacity * FLAG_STRIDE),
    values: new Float64Array(capacity * VALUE_STRIDE),
  };
}
