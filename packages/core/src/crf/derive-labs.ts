// The lab form, parsed once per visit into scratch slots: the canonical labs the analysis follows
// (one unit each), and the values the SLEDAI-2K part of the compact row reads (derive-row.ts).
import {
  complementInGL,
  creatinineInUmolL,
  G_L_PER_G_DL,
  UREA_MGDL_PER_MMOLL,
  upcrInMgMmol,
  urineProteinInG,
} from '../instruments/units/conversions.js';
import { formReader, formSlots } from './form-slots.js';
import type { RawItem } from './raw-items.js';
import { isTrimmed, numberOf } from './stored-values.js';

type Form = Readonly<Record<string, RawItem>>;

/** The labs the analysis follows, each in one unit (named in the key). */
export interface CanonicalLabs {
  proteinuriaG24h?: number;
  creatinineUmolL?: number;
  ureaMmolL?: number;
  albuminGL?: number;
  c3GL?: number;
  c4GL?: number;
  antiDsDnaIuMl?: number;
  /** ANA as a reciprocal titre, and its log2 (analysis-plan.md R11: titres on the log2 scale). */
  anaTitre?: number;
  anaLog2?: number;
  haemoglobinGL?: number;
  plateletsE9L?: number;
  wbcE9L?: number;
  upcrMgMmol?: number;
}

const LAB_CODES = [
  'proteinuria_24h',
  'upcr',
  'urine_rbc_hpf',
  'urine_wbc_hpf',
  'platelets',
  'wbc',
  'c3',
  'c3_lln',
  'c4',
  'c4_lln',
  'anti_dsdna',
  'anti_dsdna_uln',
  'creatinine',
  'urea',
  'albumin',
  'haemoglobin',
  'ana_titre',
  // Read as a flag, not a number (derive-row.ts: casts in the urine sediment).
  'urine_casts',
] as const;
export const L = Object.fromEntries(LAB_CODES.map((c, i) => [c, i])) as Record<
  (typeof LAB_CODES)[number],
  number
>;
/** Parsed values by L index; at L.urine_casts 1 ('1'), 0 ('0') or NaN (anything else, not entered). */
export const labValue = new Float64Array(LAB_CODES.length);
export const labUnit: string[] = LAB_CODES.map(() => '');
const readLabItems = formReader(LAB_CODES);
const labItems = formSlots(LAB_CODES);
const CASTS = L.urine_casts!;

export function readLabs(labs: Form): void {
  readLabItems(labs, labItems);
  for (let i = 0; i < CASTS; i++) {
    const it = labItems[i];
    labValue[i] = numberOf(it);
    labUnit[i] = it?.unit ?? '';
  }
  const casts = labItems[CASTS];
  labValue[CASTS] = isTrimmed(casts, '1') ? 1 : isTrimmed(casts, '0') ? 0 : Number.NaN;
}

/** Canonical units from the parsed labs: g/24 h, µmol/L, mmol/L, g/L, IU/mL (trial.md "Schedule"). */
export function canonicalFromScratch(): CanonicalLabs {
  const out: CanonicalLabs = {};
  const v = labValue;
  const u = labUnit;
  const p = v[L.proteinuria_24h]!;
  if (!Number.isNaN(p)) out.proteinuriaG24h = urineProteinInG(p, u[L.proteinuria_24h] as 'g/24h' | 'mg/24h');
  const cr = v[L.creatinine]!;
  if (!Number.isNaN(cr)) out.creatinineUmolL = creatinineInUmolL(cr, u[L.creatinine] as 'mg/dL' | 'µmol/L');
  const urea = v[L.urea]!;
  // Urea in mg/dL ÷ 6.006 = mmol/L (units/conversions.ts ureaMgDlToMmolL, instruments.md §6.4).
  if (!Number.isNaN(urea)) out.ureaMmolL = u[L.urea] === 'mg/dL' ? urea / UREA_MGDL_PER_MMOLL : urea;
  const alb = v[L.albumin]!;
  // g/dL × 10 = g/L (albuminGdLToGL, haemoglobinGdLToGL; instruments.md §6.4).
  if (!Number.isNaN(alb)) out.albuminGL = u[L.albumin] === 'g/dL' ? alb * G_L_PER_G_DL : alb;
  const c3 = v[L.c3]!;
  if (!Number.isNaN(c3)) out.c3GL = complementInGL(c3, u[L.c3] as 'g/L' | 'mg/dL');
  const c4 = v[L.c4]!;
  if (!Number.isNaN(c4)) out.c4GL = complementInGL(c4, u[L.c4] as 'g/L' | 'mg/dL');
  const ds = v[L.anti_dsdna]!;
  if (!Number.isNaN(ds)) out.antiDsDnaIuMl = ds;
  const ana = v[L.ana_titre]!;
  if (!Number.isNaN(ana)) {
    out.anaTitre = ana;
    if (ana > 0) out.anaLog2 = Math.log2(ana);
  }
  const hb = v[L.haemoglobin]!;
  if (!Number.isNaN(hb)) out.haemoglobinGL = u[L.haemoglobin] === 'g/dL' ? hb * G_L_PER_G_DL : hb;
  const plt = v[L.platelets]!;
  if (!Number.isNaN(plt)) out.plateletsE9L = plt;
  const wbc = v[L.wbc]!;
  if (!Number.isNaN(wbc)) out.wbcE9L = wbc;
  const upcr = v[L.upcr]!;
  if (!Number.isNaN(upcr)) out.upcrMgMmol = upcrInMgMmol(upcr, u[L.upcr] as 'mg/mmol' | 'mg/g');
  return out;
}

/** The labs the analysis follows, in canonical units, from the lab form's items ({} without one). */
export function canonicalLabs(labs: Form | undefined): CanonicalLabs {
  if (!labs) return {};
  readLabs(labs);
  return canonicalFromScratch();
}
