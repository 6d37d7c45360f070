// From the raw items of one visit to what the trial measures at that visit: SLEDAI-2K (with its
// trace), BILAG grades and total, and the labs in one canonical unit each. Scores are never stored
// as entered numbers: they are recomputed from items, whatever path the items took (DESIGN.md
// principle 3; USERS.md "calculated scores drift").
import {
  type ClassicBilagSystem,
  type ClassicBilagValue,
  classicBilagTotal,
} from '../instruments/bilag-classic/grades.js';
import type { Bilag2004Value } from '../instruments/bilag2004/score.js';
import type { Issue, Result, TraceEntry } from '../instruments/result.js';
import {
  SLEDAI2K_DESCRIPTOR_IDS,
  type Sledai2kDescriptorId,
  type Sledai2kDescriptorState,
  sledai2kAttributionItemCode,
} from '../instruments/sledai2k/descriptors.js';
import type { Sledai2kLabs } from '../instruments/sledai2k/lab-rules.js';
import { type Sledai2kValue, type Sledai2kWindowDays, sledai2kScore } from '../instruments/sledai2k/score.js';
import {
  albuminGdLToGL,
  complementInGL,
  creatinineInUmolL,
  haemoglobinGdLToGL,
  upcrInMgMmol,
  ureaMgDlToMmolL,
  urineProteinInG,
} from '../instruments/units/conversions.js';
import { bilag2004FromItems } from './derive-bilag2004.js';
import type { RawItem, VisitItems } from './raw-items.js';

export type { RawItem, VisitItems } from './raw-items.js';

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

export interface VisitScores {
  sledai?: Result<Sledai2kValue>;
  bilag?: Result<ClassicBilagValue>;
  /** BILAG-2004 grades and numeric total, when the visit has a BILAG-2004 form. */
  bilag2004?: Result<Bilag2004Value>;
  labs: CanonicalLabs;
  /** Items whose value could not be read as a number (they are left out, and listed here). */
  unreadable: Issue[];
}

export interface DeriveOptions {
  sledaiWindowDays?: Sledai2kWindowDays;
  /** The previous assessment's BILAG-2004 items, for the renal change rules. */
  previousBilag2004?: Readonly<Record<string, RawItem>>;
}

const num = (it: RawItem | undefined): number | undefined => {
  if (!it || it.value === null || it.value.trim() === '') return undefined;
  const n = Number(it.value);
  return Number.isFinite(n) ? n : undefined;
};

/**
 * The three-state reading of one SLEDAI-2K descriptor from its two items (endpoints.md
 * Clarification 5): the attribution item `<id>_not_sle` = '1' is "present but not due to SLE";
 * otherwise the descriptor item '1' is present; '0', empty or no value is absent. The same
 * function reads the items whichever path they took (form, API, CSV, ODM, demo loader).
 */
export function sledai2kDescriptorState(
  form: Readonly<Record<string, RawItem>> | undefined,
  id: Sledai2kDescriptorId,
): Sledai2kDescriptorState {
  if (!form) return 'absent';
  if (form[sledai2kAttributionItemCode(id)]?.value?.trim() === '1') return 'not-sle';
  return form[id]?.value?.trim() === '1' ? 'present' : 'absent';
}

/** The vital-signs form's code and its temperature item (forms.ts VITAL_SIGNS_FORM). */
const VITAL_SIGNS = 'vital-signs';

function sledaiLabs(
  labs: Readonly<Record<string, RawItem>>,
  vitals: Readonly<Record<string, RawItem>> | undefined,
): Sledai2kLabs {
  const out: Record<string, unknown> = {};
  // Fever is derived from the visit's measured temperature (Clarification 5), in °C or °F.
  const t = num(vitals?.temperature);
  if (t !== undefined) out.temperature = { value: t, unit: vitals!.temperature!.unit ?? '' };
  // Casts are read from the urine sediment (instruments.md §1.2 descriptor 11): '1' seen, '0' none.
  const casts = labs.urine_casts?.value?.trim();
  if (casts === '1') out.urineCasts = true;
  else if (casts === '0') out.urineCasts = false;
  const q = (code: string) => {
    const v = num(labs[code]);
    return v === undefined ? undefined : { value: v, unit: labs[code]!.unit ?? '' };
  };
  const p = q('proteinuria_24h');
  if (p) out.proteinuria24h = p;
  const upcr = q('upcr');
  if (upcr) out.upcr = upcr;
  const rbc = q('urine_rbc_hpf');
  if (rbc) out.urineRbcPerHpf = rbc;
  const wbcU = q('urine_wbc_hpf');
  if (wbcU) out.urineWbcPerHpf = wbcU;
  const plt = q('platelets');
  if (plt) out.platelets = plt;
  const wbc = q('wbc');
  if (wbc) out.wbc = wbc;
  // Complement and DNA binding are judged against the testing lab's own limits (instruments.md
  // §1.2 descriptors 20–21); without the limit the rule cannot be applied, so the assessor's entry decides.
  for (const [key, lln] of [
    ['c3', 'c3_lln'],
    ['c4', 'c4_lln'],
  ] as const) {
    const v = q(key);
    const limit = q(lln);
    if (v && limit) {
      // Value and limit may come in different units: compare both in g/L.
      const inGL = (x: { value: number; unit: string }) => complementInGL(x.value, x.unit as 'g/L' | 'mg/dL');
      out[key] = { value: inGL(v), unit: 'g/L', lowerLimitOfNormal: inGL(limit) };
    }
  }
  const ds = q('anti_dsdna');
  const uln = q('anti_dsdna_uln');
  if (ds && uln) out.antiDsDna = { ...ds, upperLimitOfNormal: uln.value };
  return out as Sledai2kLabs;
}

/** Canonical units: g/24 h, µmol/L, mmol/L, g/L, IU/mL (trial.md "Schedule" lab list). */
export function canonicalLabs(labs: Readonly<Record<string, RawItem>> | undefined): CanonicalLabs {
  if (!labs) return {};
  const out: CanonicalLabs = {};
  const v = (code: string) => num(labs[code]);
  const u = (code: string) => labs[code]?.unit ?? '';
  const p = v('proteinuria_24h');
  if (p !== undefined) out.proteinuriaG24h = urineProteinInG(p, u('proteinuria_24h') as 'g/24h' | 'mg/24h');
  const cr = v('creatinine');
  if (cr !== undefined) out.creatinineUmolL = creatinineInUmolL(cr, u('creatinine') as 'mg/dL' | 'µmol/L');
  const urea = v('urea');
  if (urea !== undefined)
    out.ureaMmolL =
      u('urea') === 'mg/dL' ? ureaMgDlToMmolL({ analyte: 'urea', value: urea, unit: 'mg/dL' }).value : urea;
  const alb = v('albumin');
  if (alb !== undefined)
    out.albuminGL =
      u('albumin') === 'g/dL' ? albuminGdLToGL({ analyte: 'albumin', value: alb, unit: 'g/dL' }).value : alb;
  const c3 = v('c3');
  if (c3 !== undefined) out.c3GL = complementInGL(c3, u('c3') as 'g/L' | 'mg/dL');
  const c4 = v('c4');
  if (c4 !== undefined) out.c4GL = complementInGL(c4, u('c4') as 'g/L' | 'mg/dL');
  const ds = v('anti_dsdna');
  if (ds !== undefined) out.antiDsDnaIuMl = ds;
  const ana = v('ana_titre');
  if (ana !== undefined) {
    out.anaTitre = ana;
    if (ana > 0) out.anaLog2 = Math.log2(ana);
  }
  const hb = v('haemoglobin');
  if (hb !== undefined)
    out.haemoglobinGL =
      u('haemoglobin') === 'g/dL'
        ? haemoglobinGdLToGL({ analyte: 'haemoglobin', value: hb, unit: 'g/dL' }).value
        : hb;
  const plt = v('platelets');
  if (plt !== undefined) out.plateletsE9L = plt;
  const wbc = v('wbc');
  if (wbc !== undefined) out.wbcE9L = wbc;
  const upcr = v('upcr');
  if (upcr !== undefined) out.upcrMgMmol = upcrInMgMmol(upcr, u('upcr') as 'mg/mmol' | 'mg/g');
  return out;
}

/**
 * Scores one visit from its items. SLEDAI-2K is scored when the SLEDAI-2K form or any lab exists
 * (lab descriptors alone can score); classic BILAG when the BILAG form exists. A form present but
 * incomplete yields the instrument's typed issues, never a partial number.
 */
export function deriveVisitScores(items: VisitItems, options: DeriveOptions = {}): VisitScores {
  const out: VisitScores = { labs: canonicalLabs(items.labs), unreadable: [] };
  const sledaiForm = items.sledai2k;
  if (sledaiForm) {
    const descriptors: Partial<Record<Sledai2kDescriptorId, Sledai2kDescriptorState>> = {};
    for (const id of SLEDAI2K_DESCRIPTOR_IDS) {
      const state = sledai2kDescriptorState(sledaiForm, id);
      if (state !== 'absent') descriptors[id] = state;
    }
    out.sledai = sledai2kScore({
      windowDays: options.sledaiWindowDays ?? 10,
      descriptors,
      labs: sledaiLabs(items.labs ?? {}, items[VITAL_SIGNS]),
    });
  }
  const bilagForm = items.bilag;
  if (bilagForm) {
    const grades: Partial<Record<ClassicBilagSystem, string>> = {};
    for (const [code, it] of Object.entries(bilagForm))
      if (it.value !== null) grades[code as ClassicBilagSystem] = it.value;
    out.bilag = classicBilagTotal(grades);
  }
  if (items.bilag2004) out.bilag2004 = bilag2004FromItems(items.bilag2004, options.previousBilag2004);
  return out;
}

/** The trace lines of a derived score, or the issues that stopped it, as text for the UI and report. */
export function explain(r: Result<unknown> | undefined): string[] {
  if (!r) return [];
  if (!r.ok) return r.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  return (r.trace as readonly TraceEntry[]).map(
    (t) => `${t.item}: ${t.detail}${t.contributes !== undefined ? ` (${t.contributes})` : ''}`,
  );
}
