// The product's scoring path (issue #19 item 6): a visit's items as stored (form item codes →
// string values with units) are read once into one compact row (instruments/compact/layout.ts)
// and scored by the compact kernel (instruments/compact/kernel.ts), without building the
// reference scorers' input objects and without a trace. The item layout (item code → slot) is
// fixed once, at module load, from the forms' own item lists; values are parsed from their strings
// without allocating. The row only ever holds input the reference scorers accept: whatever it
// cannot hold as they would read it — an unreadable number where one is required, a unit outside
// the allowed set, a negative value, a code outside ND/0–4, a system with no activity and no
// history — marks that instrument for the reference scorer (derive.ts), which then gives the
// typed issues. derive-row.test.ts holds the contract: random stored visits score identically
// here and through sledai2kScore / bilag2004Score (the test oracle).
import { HAEMATOLOGICAL_ITEMS } from '../instruments/bilag2004/haematological.js';
import { RENAL_ITEMS } from '../instruments/bilag2004/renal.js';
import type { Bilag2004Value } from '../instruments/bilag2004/score.js';
import { BILAG2004_SYSTEMS, type Bilag2004System, type BilagGrade } from '../instruments/bilag2004/types.js';
import { createCompactScores, GRADE_LETTERS, scoreCompact } from '../instruments/compact/kernel.js';
import {
  B_ACCELERATED_HYPERTENSION,
  B_ACTIVE_NEPHRITIS,
  B_ACTIVE_URINARY_SEDIMENT,
  B_COOMBS_POSITIVE,
  B_HAEMOLYSIS,
  B_NEPHROTIC_SYNDROME,
  CODE_NONE,
  CODED_SYSTEMS,
  createCompactVisits,
  DUE_FALSE_SHIFT,
  DUE_TRUE_SHIFT,
  EVER_SHIFT,
  FLAG_BILAG,
  FLAG_SLEDAI_ENTERED,
  FLAG_SLEDAI_EXCLUDED,
  FLAG_WINDOW_DAYS,
  HAEM_LABS,
  R_CREAT,
  R_DBP,
  R_DIP,
  R_GFR,
  R_P24,
  R_SBP,
  R_UACR,
  R_UPCR,
  V_HAEM,
  V_RENAL,
  V_RENAL_PREV,
  V_SLEDAI_C3,
  V_SLEDAI_C3_LLN,
  V_SLEDAI_C4,
  V_SLEDAI_C4_LLN,
  V_SLEDAI_CASTS,
  V_SLEDAI_DSDNA,
  V_SLEDAI_DSDNA_ULN,
  V_SLEDAI_PLATELETS,
  V_SLEDAI_PROTEIN_G,
  V_SLEDAI_RBC_HPF,
  V_SLEDAI_TEMP,
  V_SLEDAI_TEMP_LIMIT,
  V_SLEDAI_WBC,
  V_SLEDAI_WBC_HPF,
  VALUE_STRIDE,
} from '../instruments/compact/layout.js';
import { EMPTY_TRACE, ok, type Result } from '../instruments/result.js';
import { SLEDAI2K_DESCRIPTOR_IDS, sledai2kAttributionItemCode } from '../instruments/sledai2k/descriptors.js';
import { SLEDAI2K_THRESHOLDS, upcrAsGPerG } from '../instruments/sledai2k/lab-rules.js';
import type { Sledai2kValue, Sledai2kWindowDays } from '../instruments/sledai2k/score.js';
import {
  cellCountIn1e9L,
  complementInGL,
  creatinineInUmolL,
  haemoglobinInGdL,
  uacrInMgMmol,
  upcrInMgMmol,
  urineProteinInG,
} from '../instruments/units/conversions.js';
import { dueToSleItemCode, historyItemCode } from './bilag2004-form.js';
import { type CanonicalLabs, canonicalFromScratch, L, labUnit, labValue, readLabs } from './derive-labs.js';
import { type Form, type FormSlots, formReader, formSlots, slotIndex } from './form-slots.js';
import type { VisitItems } from './raw-items.js';
import { BAD, isTrimmed, numberOf, readCode, readDecimal, readValue, readYesNo } from './stored-values.js';

// ---- the row and the kernel's output: one of each, reused (scoring is synchronous) ----

const ROW = createCompactVisits(1);
const OUT = createCompactScores(1);
const V = ROW.values;
const F = ROW.flags;
const C = ROW.codes;

const ATTRIBUTION_CODES = SLEDAI2K_DESCRIPTOR_IDS.map(sledai2kAttributionItemCode);
const COUNT_UNITS: readonly string[] = ['10^9/L', '/mm3', '/µL'];

/** The SLEDAI-2K form's slots: the 24 descriptor items, then their 24 attribution items. */
const SLEDAI_CODES: readonly string[] = [...SLEDAI2K_DESCRIPTOR_IDS, ...ATTRIBUTION_CODES];
const N_DESCRIPTORS = SLEDAI2K_DESCRIPTOR_IDS.length;
const readSledaiForm = formReader(SLEDAI_CODES);
const sledaiItems = formSlots(SLEDAI_CODES);

/**
 * The SLEDAI-2K part of the row from the SLEDAI-2K form, the parsed labs (readLabs first) and the
 * vital signs, as derive.ts sledai2kInputFromItems reads them. False: the reference must score it.
 */
function writeSledai(form: Form, labs: Form | undefined, vitals: Form | undefined, window: number): boolean {
  if (window !== 10 && window !== 30) return false;
  // Descriptor states (endpoints.md Clarification 5): the attribution item '1' is "present but not
  // due to SLE" whatever the descriptor item says; else the descriptor item '1' is present.
  let entered = 0;
  let excluded = 0;
  const items = sledaiItems;
  readSledaiForm(form, items);
  for (let i = 0; i < N_DESCRIPTORS; i++) {
    if (isTrimmed(items[N_DESCRIPTORS + i], '1')) excluded |= 1 << i;
    else if (isTrimmed(items[i], '1')) entered |= 1 << i;
  }
  F[FLAG_SLEDAI_ENTERED] = entered;
  F[FLAG_SLEDAI_EXCLUDED] = excluded;
  F[FLAG_WINDOW_DAYS] = window;
  for (let k = V_SLEDAI_PROTEIN_G; k <= V_SLEDAI_TEMP_LIMIT; k++) V[k] = Number.NaN;

  // Fever from the measured temperature, compared in its own unit (lab-rules.ts, §1.2 #22).
  const temperature = vitals?.temperature;
  const t = numberOf(temperature);
  if (!Number.isNaN(t)) {
    const unit = temperature!.unit ?? '';
    if ((unit !== '°C' && unit !== '°F') || t < 0) return false;
    V[V_SLEDAI_TEMP] = t;
    V[V_SLEDAI_TEMP_LIMIT] = unit === '°F' ? SLEDAI2K_THRESHOLDS.feverF : SLEDAI2K_THRESHOLDS.feverC;
  }
  if (labs === undefined) return true;
  const v = labValue;
  const u = labUnit;
  V[V_SLEDAI_CASTS] = v[L.urine_casts]!; // 1, 0 or NaN
  // 24 h protein wins over UPCR (lab-rules.ts); UPCR is not even checked when 24 h protein is given.
  const p24 = v[L.proteinuria_24h]!;
  if (!Number.isNaN(p24)) {
    const unit = u[L.proteinuria_24h]!;
    if ((unit !== 'g/24h' && unit !== 'mg/24h') || p24 < 0) return false;
    V[V_SLEDAI_PROTEIN_G] = urineProteinInG(p24, unit);
  } else {
    const upcr = v[L.upcr]!;
    if (!Number.isNaN(upcr)) {
      const unit = u[L.upcr]!;
      if ((unit !== 'mg/mmol' && unit !== 'mg/g' && unit !== 'g/g') || upcr < 0) return false;
      V[V_SLEDAI_PROTEIN_G] = upcrAsGPerG(upcr, unit, 'molar');
    }
  }
  for (const [code, slot] of HPF_SLOTS) {
    const x = v[code]!;
    if (Number.isNaN(x)) continue;
    if (u[code] !== '/hpf' || x < 0) return false;
    V[slot] = x;
  }
  for (const [code, slot] of COUNT_SLOTS) {
    const x = v[code]!;
    if (Number.isNaN(x)) continue;
    const unit = u[code]!;
    if (!COUNT_UNITS.includes(unit) || x < 0) return false;
    V[slot] = cellCountIn1e9L(x, unit as '10^9/L');
  }
  // Complement: value and the testing lab's LLN, both only when both are readable, compared in g/L
  // (derive.ts: the two may come in different units).
  for (const [code, lln, slot, limitSlot] of COMPLEMENT_SLOTS) {
    const x = v[code]!;
    const limit = v[lln]!;
    if (Number.isNaN(x) || Number.isNaN(limit)) continue;
    const g = complementInGL(x, u[code] as 'g/L');
    const gLimit = complementInGL(limit, u[lln] as 'g/L');
    if (g < 0 || gLimit < 0) return false;
    V[slot] = g;
    V[limitSlot] = gLimit;
  }
  const ds = v[L.anti_dsdna]!;
  const uln = v[L.anti_dsdna_uln]!;
  if (!Number.isNaN(ds) && !Number.isNaN(uln)) {
    const unit = u[L.anti_dsdna];
    if ((unit !== 'IU/mL' && unit !== '%') || ds < 0 || uln < 0) return false;
    V[V_SLEDAI_DSDNA] = ds;
    V[V_SLEDAI_DSDNA_ULN] = uln;
  }
  return true;
}
const HPF_SLOTS: readonly [number, number][] = [
  [L.urine_rbc_hpf, V_SLEDAI_RBC_HPF],
  [L.urine_wbc_hpf, V_SLEDAI_WBC_HPF],
];
const COUNT_SLOTS: readonly [number, number][] = [
  [L.platelets, V_SLEDAI_PLATELETS],
  [L.wbc, V_SLEDAI_WBC],
];
const COMPLEMENT_SLOTS: readonly [number, number, number, number][] = [
  [L.c3, L.c3_lln, V_SLEDAI_C3, V_SLEDAI_C3_LLN],
  [L.c4, L.c4_lln, V_SLEDAI_C4, V_SLEDAI_C4_LLN],
];

// ---- the BILAG-2004 form ----

/** Item codes of the coded slots (layout.ts order), TTP last. */
const CODE_ITEMS: readonly string[] = [
  ...CODED_SYSTEMS.flatMap(([, items]) => items.map((i) => i.id)),
  'ttp',
];

const RENAL_UNITS = Object.fromEntries(
  RENAL_ITEMS.map((i) => [i.id, 'units' in i ? i.units : null]),
) as Record<string, readonly string[] | null>;
const RENAL_YES_NO: readonly [string, number][] = [
  ['accelerated_hypertension', B_ACCELERATED_HYPERTENSION],
  ['nephrotic_syndrome', B_NEPHROTIC_SYNDROME],
  ['active_urinary_sediment', B_ACTIVE_URINARY_SEDIMENT],
  ['active_nephritis', B_ACTIVE_NEPHRITIS],
];
const HAEM_UNITS = Object.fromEntries(
  HAEMATOLOGICAL_ITEMS.map((i) => [i.id, 'units' in i ? i.units : null]),
) as Record<string, readonly string[]>;
const DUE_CODES = HAEM_LABS.map(dueToSleItemCode);
const HAEMOGLOBIN = HAEM_LABS.indexOf('haemoglobin');
const HISTORY_CODES = BILAG2004_SYSTEMS.map(historyItemCode);

/** The renal value items, in the order of a renal block's reads (writeRenalValues). */
const RENAL_VALUE_CODES = [
  'systolic_bp',
  'diastolic_bp',
  'proteinuria_24h',
  'upcr',
  'uacr',
  'creatinine',
  'gfr',
  'dipstick_protein',
] as const;
const RV = slotIndex(RENAL_VALUE_CODES);

/**
 * The BILAG-2004 form's slots: the coded items (layout.ts order, TTP last), the renal Y/N items,
 * the renal values, haemolysis and Coombs, the haematological labs, their "due to SLE" items, and
 * the nine history items.
 */
const BILAG_CODES: readonly string[] = [
  ...CODE_ITEMS,
  ...RENAL_YES_NO.map(([code]) => code),
  ...RENAL_VALUE_CODES,
  'haemolysis',
  'coombs_positive',
  ...HAEM_LABS,
  ...DUE_CODES,
  ...HISTORY_CODES,
];
const I_RENAL_YES_NO = CODE_ITEMS.length;
const I_RENAL_VALUES = I_RENAL_YES_NO + RENAL_YES_NO.length;
const I_HAEMOLYSIS = I_RENAL_VALUES + RENAL_VALUE_CODES.length;
const I_COOMBS = I_HAEMOLYSIS + 1;
const I_HAEM_LABS = I_COOMBS + 1;
const I_DUE = I_HAEM_LABS + HAEM_LABS.length;
const I_HISTORY = I_DUE + DUE_CODES.length;
const readBilagForm = formReader(BILAG_CODES);
const bilagItems = formSlots(BILAG_CODES);
/** The previous assessment's form: its renal values only. */
const readPreviousForm = formReader(RENAL_VALUE_CODES);
const previousItems = formSlots(RENAL_VALUE_CODES);

/**
 * The renal value block at `o` (derive-bilag2004.ts quantityOf; units/conversions.ts as the
 * reference rules call them). Returns BAD when the reference would refuse a value, else 1 when any
 * value was entered, 0 when none.
 */
function writeRenalValues(items: FormSlots | undefined, b: number, o: number): number {
  for (let k = 0; k < 8; k++) V[o + k] = Number.NaN;
  if (items === undefined) return 0;
  let any = 0;
  const sbpItem = items[b + RV.systolic_bp];
  const dbpItem = items[b + RV.diastolic_bp];
  const p24Item = items[b + RV.proteinuria_24h];
  const upcrItem = items[b + RV.upcr];
  const uacrItem = items[b + RV.uacr];
  const creatItem = items[b + RV.creatinine];
  const gfrItem = items[b + RV.gfr];
  const sbp = readValue(sbpItem, null);
  const dbp = readValue(dbpItem, null);
  const p24 = readValue(p24Item, RENAL_UNITS.proteinuria_24h!);
  const upcr = readValue(upcrItem, RENAL_UNITS.upcr!);
  const uacr = readValue(uacrItem, RENAL_UNITS.uacr!);
  const creat = readValue(creatItem, RENAL_UNITS.creatinine!);
  const gfr = readValue(gfrItem, RENAL_UNITS.gfr!);
  if (
    sbp === BAD ||
    dbp === BAD ||
    p24 === BAD ||
    upcr === BAD ||
    uacr === BAD ||
    creat === BAD ||
    gfr === BAD
  )
    return BAD;
  // Dipstick: 0 (negative/trace) to 3 (+++), exactly.
  const dip = items[b + RV.dipstick_protein]?.value;
  if (dip !== undefined && dip !== null) {
    const d = readDecimal(dip);
    if (!Number.isNaN(d) || dip.trim() !== '') {
      if (d !== 0 && d !== 1 && d !== 2 && d !== 3) return BAD;
      V[o + R_DIP] = d;
      any = 1;
    }
  }
  if (!Number.isNaN(sbp)) {
    V[o + R_SBP] = sbp;
    any = 1;
  }
  if (!Number.isNaN(dbp)) {
    V[o + R_DBP] = dbp;
    any = 1;
  }
  if (!Number.isNaN(p24)) {
    V[o + R_P24] = urineProteinInG(p24, p24Item!.unit as 'g/24h');
    any = 1;
  }
  if (!Number.isNaN(upcr)) {
    V[o + R_UPCR] = upcrInMgMmol(upcr, upcrItem!.unit as 'mg/mmol');
    any = 1;
  }
  if (!Number.isNaN(uacr)) {
    V[o + R_UACR] = uacrInMgMmol(uacr, uacrItem!.unit as 'mg/mmol');
    any = 1;
  }
  if (!Number.isNaN(creat)) {
    V[o + R_CREAT] = creatinineInUmolL(creat, creatItem!.unit as 'µmol/L');
    any = 1;
  }
  if (!Number.isNaN(gfr)) {
    V[o + R_GFR] = gfr;
    any = 1;
  }
  return any;
}

/** Bits of the systems whose history item is readable (decides D vs E). */
let historyKnown = 0;

/**
 * The BILAG-2004 part of the row, as derive-bilag2004.ts bilag2004InputFromItems reads the form.
 * False: the reference must score it.
 */
function writeBilag2004(form: Form, previous: Form | undefined): boolean {
  const items = bilagItems;
  readBilagForm(form, items);
  for (let j = 0; j < CODE_ITEMS.length; j++) {
    const code = readCode(items[j]);
    if (code === BAD) return false;
    C[j] = code;
  }
  let bits = 0;
  // Renal: its Y/N items, its values, and — only when this visit has a renal item — the previous
  // assessment's values for the change rules (the reference reads `previous` only then).
  let renal = 0;
  for (let k = 0; k < RENAL_YES_NO.length; k++) {
    const yn = readYesNo(items[I_RENAL_YES_NO + k]);
    if (yn === BAD) return false;
    if (yn === 1) bits |= RENAL_YES_NO[k]![1];
    if (yn !== CODE_NONE) renal = 1;
  }
  const values = writeRenalValues(items, I_RENAL_VALUES, V_RENAL);
  if (values === BAD) return false;
  if (values === 1) renal = 1;
  let previousValues: FormSlots | undefined;
  if (renal && previous !== undefined) {
    readPreviousForm(previous, previousItems);
    previousValues = previousItems;
  }
  if (writeRenalValues(previousValues, 0, V_RENAL_PREV) === BAD) return false;

  // Haematological: the labs in the unit the bands use, Y/N items, the "due to SLE" column.
  const haemolysis = readYesNo(items[I_HAEMOLYSIS]);
  if (haemolysis === BAD) return false;
  if (haemolysis === 1) bits |= B_HAEMOLYSIS;
  const coombs = readYesNo(items[I_COOMBS]);
  if (coombs === BAD) return false;
  if (coombs === 1) bits |= B_COOMBS_POSITIVE;
  for (let i = 0; i < HAEM_LABS.length; i++) {
    const lab = HAEM_LABS[i]!;
    const item = items[I_HAEM_LABS + i];
    const x = readValue(item, HAEM_UNITS[lab]!);
    if (x === BAD) return false;
    V[V_HAEM + i] = Number.isNaN(x)
      ? x
      : i === HAEMOGLOBIN
        ? haemoglobinInGdL(x, item!.unit as 'g/dL')
        : cellCountIn1e9L(x, item!.unit as '10^9/L');
    // A "due to SLE" value other than Y/N is no confirmation either way (as the reference reads it).
    const due = readYesNo(items[I_DUE + i]);
    if (due === 1) bits |= 1 << (DUE_TRUE_SHIFT + i);
    else if (due === 0) bits |= 1 << (DUE_FALSE_SHIFT + i);
  }
  // History: '1' ever involved (D when inactive), '0' never (E); anything else is no history.
  let known = 0;
  for (let s = 0; s < BILAG2004_SYSTEMS.length; s++) {
    const h = readYesNo(items[I_HISTORY + s]);
    if (h === 1) bits |= 1 << (EVER_SHIFT + s);
    if (h === 0 || h === 1) known |= 1 << s;
  }
  historyKnown = known;
  F[FLAG_BILAG] = bits;
  return true;
}

// ---- scoring ----

/** deriveVisitScores needs the reference scorer for SLEDAI-2K / BILAG-2004 (bits of the result). */
export const NEEDS_REFERENCE_SLEDAI = 1;
export const NEEDS_REFERENCE_BILAG2004 = 2;

/** What the row path fills in (VisitScores in derive.ts has these fields). */
export interface RowScores {
  labs: CanonicalLabs;
  sledai?: Result<Sledai2kValue>;
  bilag2004?: Result<Bilag2004Value>;
}

const G_D = GRADE_LETTERS.indexOf('D');
const N_SYSTEMS = BILAG2004_SYSTEMS.length;

/**
 * Scores a visit from its items through the compact row and kernel, writing `out.labs`,
 * `out.sledai` (visit with a SLEDAI-2K form) and `out.bilag2004` (visit with a BILAG-2004 form), each
 * without a trace. Returns the NEEDS_REFERENCE_* bits of the instruments it left to the reference.
 */
export function scoreItemsByRow(
  items: VisitItems,
  windowDays: Sledai2kWindowDays,
  previousBilag2004: Form | undefined,
  out: RowScores,
): number {
  const labs = items.labs;
  if (labs !== undefined) {
    readLabs(labs);
    out.labs = canonicalFromScratch();
  } else out.labs = {};
  const sledaiForm = items.sledai2k;
  const bilagForm = items.bilag2004;
  let need = 0;
  let sledaiRow = false;
  let bilagRow = false;
  if (sledaiForm !== undefined) {
    sledaiRow = writeSledai(sledaiForm, labs, items['vital-signs'], windowDays);
    if (!sledaiRow) need |= NEEDS_REFERENCE_SLEDAI;
  }
  if (bilagForm !== undefined) {
    bilagRow = writeBilag2004(bilagForm, previousBilag2004);
    if (!bilagRow) need |= NEEDS_REFERENCE_BILAG2004;
  }
  if (!sledaiRow && !bilagRow) return need;
  if (!sledaiRow) clearSledai();
  if (!bilagRow) clearBilag2004();
  scoreCompact(ROW, 0, OUT, 0);
  if (sledaiRow)
    out.sledai = ok(
      {
        score: OUT.sledai[0]!,
        clinicalScore: OUT.clinical[0]!,
        windowDays,
        presentMask: OUT.presentMask[0]!,
      },
      EMPTY_TRACE,
    );
  if (bilagRow) {
    const g = OUT.grades;
    for (let s = 0; s < N_SYSTEMS; s++) {
      // No activity and no history: D or E cannot be chosen (the reference's history-missing).
      if (g[s]! >= G_D && (historyKnown & (1 << s)) === 0) return need | NEEDS_REFERENCE_BILAG2004;
    }
    out.bilag2004 = ok(
      { grades: gradesOf(g), numeric: OUT.numeric[0]!, numericScheme: 'bilag2004-12-8-1' },
      EMPTY_TRACE,
    );
  }
  return need;
}

/**
 * The grades by system, keys in BILAG2004_SYSTEMS order (as the reference builds them; the property
 * test and the bench compare the two). One literal, so every result shares one shape; the row's
 * grade indices are in the same order (kernel.ts).
 */
function gradesOf(g: Uint8Array): Record<Bilag2004System, BilagGrade> {
  const L = GRADE_LETTERS;
  return {
    constitutional: L[g[0]!]!,
    mucocutaneous: L[g[1]!]!,
    neuropsychiatric: L[g[2]!]!,
    musculoskeletal: L[g[3]!]!,
    cardiorespiratory: L[g[4]!]!,
    gastrointestinal: L[g[5]!]!,
    ophthalmic: L[g[6]!]!,
    renal: L[g[7]!]!,
    haematological: L[g[8]!]!,
  };
}
// The literal above lists the systems by hand: it must be BILAG2004_SYSTEMS, in that order.
if (Object.keys(gradesOf(new Uint8Array(N_SYSTEMS))).join() !== BILAG2004_SYSTEMS.join())
  throw new Error('derive-row.ts gradesOf: systems differ from BILAG2004_SYSTEMS');

/** An empty SLEDAI-2K part (nothing present), so the kernel's pass over it is harmless. */
function clearSledai(): void {
  F[FLAG_SLEDAI_ENTERED] = 0;
  F[FLAG_SLEDAI_EXCLUDED] = 0;
  for (let k = V_SLEDAI_PROTEIN_G; k <= V_SLEDAI_TEMP_LIMIT; k++) V[k] = Number.NaN;
}
/** An empty BILAG-2004 part. */
function clearBilag2004(): void {
  C.fill(CODE_NONE);
  F[FLAG_BILAG] = 0;
  for (let k = V_RENAL; k < VALUE_STRIDE; k++) V[k] = Number.NaN;
}
