// From the raw items of one visit to what the trial measures at that visit: SLEDAI-2K, BILAG grades
// and totals (each with its trace when asked for), and the labs in one canonical unit each. Scores are never stored
// as entered numbers: they are recomputed from items, whatever path the items took (DESIGN.md
// principle 3; USERS.md "calculated scores drift").
import {
  type ClassicBilagSystem,
  type ClassicBilagValue,
  classicBilagTotal,
} from '../instruments/bilag-classic/grades.js';
import type { Bilag2004Value } from '../instruments/bilag2004/score.js';
import { type Issue, ok, type Result, type TraceEntry } from '../instruments/result.js';
import {
  SLEDAI2K_DESCRIPTOR_IDS,
  type Sledai2kDescriptorId,
  type Sledai2kDescriptorState,
  sledai2kAttributionItemCode,
} from '../instruments/sledai2k/descriptors.js';
import type { Sledai2kLabs } from '../instruments/sledai2k/lab-rules.js';
import {
  type Sledai2kInput,
  type Sledai2kValue,
  type Sledai2kWindowDays,
  sledai2kScore,
} from '../instruments/sledai2k/score.js';
import { complementInGL } from '../instruments/units/conversions.js';
import { bilag2004FromItems } from './derive-bilag2004.js';
import type { CanonicalLabs } from './derive-labs.js';
import { NEEDS_REFERENCE_BILAG2004, NEEDS_REFERENCE_SLEDAI, scoreItemsByRow } from './derive-row.js';
import type { RawItem, VisitItems } from './raw-items.js';

export { type CanonicalLabs, canonicalLabs } from './derive-labs.js';
export type { RawItem, VisitItems } from './raw-items.js';

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
  /**
   * Build each score's trace (the "why" lines of the API's explain view and the live form panels).
   * Default false: the analysis needs the values only.
   */
  trace?: boolean;
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

/**
 * The SLEDAI-2K scorer's input from the visit's items: the SLEDAI-2K form's descriptor states, the
 * lab form's values and the measured temperature. The reference path (test oracle, trace, and the
 * visits the row path leaves to it).
 */
export function sledai2kInputFromItems(
  items: VisitItems,
  windowDays: Sledai2kWindowDays = 10,
): Sledai2kInput {
  const descriptors: Partial<Record<Sledai2kDescriptorId, Sledai2kDescriptorState>> = {};
  for (const id of SLEDAI2K_DESCRIPTOR_IDS) {
    const state = sledai2kDescriptorState(items.sledai2k, id);
    if (state !== 'absent') descriptors[id] = state;
  }
  return { windowDays, descriptors, labs: sledaiLabs(items.labs ?? {}, items[VITAL_SIGNS]) };
}

const NO_TRACE = Object.freeze({ trace: false });

/**
 * The kernel's value with the reference's trace (the explain view). The two must agree: the
 * property test proves it on random visits, and a disagreement here is a scoring defect, never
 * shown as a score.
 */
function withTrace<T>(name: string, kernel: Result<T> | undefined, reference: Result<T>): Result<T> {
  if (kernel === undefined) return reference;
  if (!kernel.ok || !reference.ok || JSON.stringify(kernel.value) !== JSON.stringify(reference.value))
    throw new Error(
      `${name}: the scoring kernel gave ${JSON.stringify(kernel.ok ? kernel.value : kernel.issues)}, the reference scorer ${JSON.stringify(reference.ok ? reference.value : reference.issues)}`,
    );
  return ok(kernel.value, reference.trace);
}

/**
 * Scores one visit from its items as stored. SLEDAI-2K is scored when the visit has the SLEDAI-2K
 * form (its lab descriptors from the lab form, fever from the vital signs), classic BILAG when it
 * has the BILAG form, BILAG-2004 when it has the BILAG-2004 form (renal change rules against
 * `previousBilag2004`). A form present but incomplete or invalid yields the instrument's typed
 * issues, never a partial number.
 *
 * SLEDAI-2K and BILAG-2004 are scored through the compact kernel (derive-row.ts), the reference
 * scorers being its test oracle; a visit the row cannot hold as the reference reads it (invalid
 * input) is scored by the reference, which gives the issues. With `trace: true` (the API's explain
 * view) each score also carries the reference's trace, checked to explain the same value.
 */
export function deriveVisitScores(items: VisitItems, options: DeriveOptions = {}): VisitScores {
  const out: VisitScores = { labs: EMPTY_LABS, unreadable: [] };
  const windowDays = options.sledaiWindowDays ?? 10;
  const trace = options.trace === true;
  const need = scoreItemsByRow(items, windowDays, options.previousBilag2004, out);
  if (items.sledai2k !== undefined && (trace || need & NEEDS_REFERENCE_SLEDAI)) {
    const reference = sledai2kScore(sledai2kInputFromItems(items, windowDays), trace ? undefined : NO_TRACE);
    out.sledai = withTrace('SLEDAI-2K', out.sledai, reference);
  }
  if (items.bilag2004 !== undefined && (trace || need & NEEDS_REFERENCE_BILAG2004)) {
    const reference = bilag2004FromItems(
      items.bilag2004,
      options.previousBilag2004,
      trace ? undefined : NO_TRACE,
    );
    out.bilag2004 = withTrace('BILAG-2004', out.bilag2004, reference);
  }
  // Classic BILAG: the assessor's eight grades, validated and totalled (instruments.md §2.1).
  const bilagForm = items.bilag;
  if (bilagForm !== undefined) {
    const grades: Partial<Record<ClassicBilagSystem, string>> = {};
    for (const code in bilagForm) {
      const value = bilagForm[code]!.value;
      if (value !== null) grades[code as ClassicBilagSystem] = value;
    }
    out.bilag = classicBilagTotal(grades, trace ? undefined : NO_TRACE);
  }
  return out;
}
const EMPTY_LABS: CanonicalLabs = Object.freeze({});

/** The trace lines of a derived score, or the issues that stopped it, as text for the UI and report. */
export function explain(r: Result<unknown> | undefined): string[] {
  if (!r) return [];
  if (!r.ok) return r.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  return (r.trace as readonly TraceEntry[]).map(
    (t) => `${t.item}: ${t.detail}${t.contributes !== undefined ? ` (${t.contributes})` : ''}`,
  );
}
