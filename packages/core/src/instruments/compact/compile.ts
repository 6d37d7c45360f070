// compileVisit: validate one visit once, with the reference scorers themselves (the same checks,
// the same issues, accepted iff the reference accepts), then write it as one compact row: codes as
// small ints, lab values converted by the same unit functions the reference rules call, so the
// kernel compares the very same doubles against the very same threshold constants.

import type { RenalValues } from '../bilag2004/renal.js';
import type { Bilag2004Input, Bilag2004Options } from '../bilag2004/score.js';
import { bilag2004Score } from '../bilag2004/score.js';
import { BILAG2004_SYSTEMS } from '../bilag2004/types.js';
import { EMPTY_TRACE, fail, type Issue, issue, ok, type Result } from '../result.js';
import { SLEDAI2K_DESCRIPTOR_IDS } from '../sledai2k/descriptors.js';
import { SLEDAI2K_THRESHOLDS, type UpcrEquivalence, upcrAsGPerG } from '../sledai2k/lab-rules.js';
import { type Sledai2kInput, sledai2kScore } from '../sledai2k/score.js';
import {
  cellCountIn1e9L,
  creatinineInUmolL,
  haemoglobinInGdL,
  uacrInMgMmol,
  upcrInMgMmol,
  urineProteinInG,
} from '../units/conversions.js';
import {
  B_ACCELERATED_HYPERTENSION,
  B_ACTIVE_NEPHRITIS,
  B_ACTIVE_URINARY_SEDIMENT,
  B_COOMBS_POSITIVE,
  B_HAEMOLYSIS,
  B_NEPHROTIC_SYNDROME,
  CODE_NONE,
  CODE_STRIDE,
  CODE_TTP,
  CODED_START,
  CODED_SYSTEMS,
  type CompactVisit,
  type CompactVisits,
  createCompactVisits,
  DUE_FALSE_SHIFT,
  DUE_TRUE_SHIFT,
  EVER_SHIFT,
  FLAG_BILAG,
  FLAG_SLEDAI_ENTERED,
  FLAG_SLEDAI_EXCLUDED,
  FLAG_STRIDE,
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
  V_SLEDAI_CH50,
  V_SLEDAI_CH50_LLN,
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
} from './layout.js';

/** One visit's input to the two instruments, as the API and the store hand it over. */
export interface VisitInput {
  readonly sledai: Sledai2kInput;
  readonly bilag: Bilag2004Input;
}

export interface CompileOptions {
  /** As sledai2kScore's option; fixed into the row (default 'molar'). */
  readonly upcrEquivalence?: UpcrEquivalence;
}

const NO_TRACE = Object.freeze({ trace: false });

/**
 * Validates `input` with sledai2kScore and bilag2004Score (trace off) and, when both accept it,
 * writes it into `row` of `into`. On failure the row is left untouched and the issues are the
 * reference's. The value is the row index.
 */
export function compileVisitInto(
  into: CompactVisits,
  row: number,
  input: VisitInput,
  options?: CompileOptions,
): Result<number> {
  if (input === null || typeof input !== 'object') {
    return fail([issue('input-invalid', [], 'expected a visit { sledai, bilag }')]);
  }
  const issues: Issue[] = [];
  for (const key of ['sledai', 'bilag'] as const) {
    const v = input[key];
    if (v === null || typeof v !== 'object')
      issues.push(
        issue('input-invalid', [key === 'sledai' ? 'sledai2k' : 'bilag2004'], 'expected an object'),
      );
  }
  if (issues.length > 0) return fail(issues);
  const equivalence = options?.upcrEquivalence ?? 'molar';
  const s = sledai2kScore(
    input.sledai,
    equivalence === 'molar' ? NO_TRACE : { trace: false, upcrEquivalence: equivalence },
  );
  const b = bilag2004Score(input.bilag, NO_TRACE as Bilag2004Options);
  if (!s.ok) issues.push(...s.issues);
  if (!b.ok) issues.push(...b.issues);
  if (issues.length > 0) return fail(issues);
  if (!(row >= 0 && row < into.length)) {
    return fail([issue('value-out-of-range', ['row'], `row ${row} outside 0..${into.length - 1}`)]);
  }
  writeSledai(into, row, input.sledai, equivalence);
  writeBilag(into, row, input.bilag);
  return ok(row, EMPTY_TRACE);
}

/** compileVisitInto a fresh one-row batch. */
export function compileVisit(input: VisitInput, options?: CompileOptions): Result<CompactVisit> {
  const one = createCompactVisits(1);
  const r = compileVisitInto(one, 0, input, options);
  return r.ok ? ok(one, EMPTY_TRACE) : r;
}

// The writers below run only on input the reference accepted: every quantity read here has a
// valid unit and a finite non-negative value, every code is ND/0–4, every Y/N is a boolean.

function writeSledai(into: CompactVisits, row: number, input: Sledai2kInput, eq: UpcrEquivalence): void {
  const f = row * FLAG_STRIDE;
  const v = into.values;
  const o = row * VALUE_STRIDE;
  let entered = 0;
  let excluded = 0;
  const ds = input.descriptors;
  if (ds !== undefined) {
    for (let i = 0; i < SLEDAI2K_DESCRIPTOR_IDS.length; i++) {
      const x = ds[SLEDAI2K_DESCRIPTOR_IDS[i]!];
      if (x === 'present') entered |= 1 << i;
      else if (x === 'not-sle') excluded |= 1 << i;
    }
  }
  into.flags[f + FLAG_SLEDAI_ENTERED] = entered;
  into.flags[f + FLAG_SLEDAI_EXCLUDED] = excluded;
  into.flags[f + FLAG_WINDOW_DAYS] = input.windowDays ?? 10;
  for (let k = V_SLEDAI_PROTEIN_G; k <= V_SLEDAI_TEMP_LIMIT; k++) v[o + k] = Number.NaN;
  const labs = input.labs;
  if (labs === undefined) return;
  // 24 h protein wins over UPCR, as in deriveLabDescriptors.
  if (labs.proteinuria24h !== undefined)
    v[o + V_SLEDAI_PROTEIN_G] = urineProteinInG(labs.proteinuria24h.value, labs.proteinuria24h.unit);
  else if (labs.upcr !== undefined)
    v[o + V_SLEDAI_PROTEIN_G] = upcrAsGPerG(labs.upcr.value, labs.upcr.unit, eq);
  if (labs.urineRbcPerHpf !== undefined) v[o + V_SLEDAI_RBC_HPF] = labs.urineRbcPerHpf.value;
  if (labs.urineWbcPerHpf !== undefined) v[o + V_SLEDAI_WBC_HPF] = labs.urineWbcPerHpf.value;
  // Complement and anti-dsDNA stay in the entered unit next to the lab's limit in that unit: the
  // comparison is unit-free, and rescaling both sides could turn a 1-ulp difference into a tie.
  if (labs.c3 !== undefined) {
    v[o + V_SLEDAI_C3] = labs.c3.value;
    v[o + V_SLEDAI_C3_LLN] = labs.c3.lowerLimitOfNormal;
  }
  if (labs.c4 !== undefined) {
    v[o + V_SLEDAI_C4] = labs.c4.value;
    v[o + V_SLEDAI_C4_LLN] = labs.c4.lowerLimitOfNormal;
  }
  if (labs.ch50 !== undefined) {
    v[o + V_SLEDAI_CH50] = labs.ch50.value;
    v[o + V_SLEDAI_CH50_LLN] = labs.ch50.lowerLimitOfNormal;
  }
  if (labs.antiDsDna !== undefined) {
    v[o + V_SLEDAI_DSDNA] = labs.antiDsDna.value;
    v[o + V_SLEDAI_DSDNA_ULN] = labs.antiDsDna.upperLimitOfNormal;
  }
  if (labs.platelets !== undefined)
    v[o + V_SLEDAI_PLATELETS] = cellCountIn1e9L(labs.platelets.value, labs.platelets.unit);
  if (labs.wbc !== undefined) v[o + V_SLEDAI_WBC] = cellCountIn1e9L(labs.wbc.value, labs.wbc.unit);
  if (labs.urineCasts !== undefined) v[o + V_SLEDAI_CASTS] = labs.urineCasts ? 1 : 0;
  // Temperature stays in the measured unit next to the fever limit in that unit, as in deriveLabDescriptors.
  if (labs.temperature !== undefined) {
    v[o + V_SLEDAI_TEMP] = labs.temperature.value;
    v[o + V_SLEDAI_TEMP_LIMIT] =
      labs.temperature.unit === '°F' ? SLEDAI2K_THRESHOLDS.feverF : SLEDAI2K_THRESHOLDS.feverC;
  }
}

function writeRenalValues(v: Float64Array, o: number, r: RenalValues | undefined): void {
  v[o + R_P24] =
    r?.proteinuria_24h === undefined
      ? Number.NaN
      : urineProteinInG(r.proteinuria_24h.value, r.proteinuria_24h.unit);
  v[o + R_UPCR] = r?.upcr === undefined ? Number.NaN : upcrInMgMmol(r.upcr.value, r.upcr.unit);
  v[o + R_UACR] = r?.uacr === undefined ? Number.NaN : uacrInMgMmol(r.uacr.value, r.uacr.unit);
  v[o + R_CREAT] =
    r?.creatinine === undefined ? Number.NaN : creatinineInUmolL(r.creatinine.value, r.creatinine.unit);
  v[o + R_GFR] = r?.gfr === undefined ? Number.NaN : r.gfr.value;
  v[o + R_DIP] = r?.dipstick_protein === undefined ? Number.NaN : r.dipstick_protein;
  v[o + R_SBP] = r?.systolic_bp === undefined ? Number.NaN : r.systolic_bp;
  v[o + R_DBP] = r?.diastolic_bp === undefined ? Number.NaN : r.diastolic_bp;
}

function writeBilag(into: CompactVisits, row: number, input: Bilag2004Input): void {
  const c = row * CODE_STRIDE;
  for (let s = 0; s < CODED_SYSTEMS.length; s++) {
    const [system, items] = CODED_SYSTEMS[s]!;
    const rec = input[system] as Readonly<Record<string, unknown>> | undefined;
    const start = c + CODED_START[s]!;
    for (let j = 0; j < items.length; j++) {
      const code = rec?.[items[j]!.id];
      into.codes[start + j] = typeof code === 'number' ? code : CODE_NONE;
    }
  }
  const haem = input.haematological;
  into.codes[c + CODE_TTP] = typeof haem?.ttp === 'number' ? haem.ttp : CODE_NONE;

  let bits = 0;
  const renal = input.renal;
  if (renal?.accelerated_hypertension === true) bits |= B_ACCELERATED_HYPERTENSION;
  if (renal?.nephrotic_syndrome === true) bits |= B_NEPHROTIC_SYNDROME;
  if (renal?.active_urinary_sediment === true) bits |= B_ACTIVE_URINARY_SEDIMENT;
  if (renal?.active_nephritis === true) bits |= B_ACTIVE_NEPHRITIS;
  if (haem?.haemolysis === true) bits |= B_HAEMOLYSIS;
  if (haem?.coombs_positive === true) bits |= B_COOMBS_POSITIVE;
  const due = haem?.due_to_sle;
  const v = into.values;
  const o = row * VALUE_STRIDE;
  for (let i = 0; i < HAEM_LABS.length; i++) {
    const lab = HAEM_LABS[i]!;
    if (due?.[lab] === true) bits |= 1 << (DUE_TRUE_SHIFT + i);
    else if (due?.[lab] === false) bits |= 1 << (DUE_FALSE_SHIFT + i);
    const q = haem?.[lab];
    v[o + V_HAEM + i] =
      q === undefined
        ? Number.NaN
        : lab === 'haemoglobin'
          ? haemoglobinInGdL(q.value, q.unit as 'g/dL' | 'g/L')
          : cellCountIn1e9L(q.value, q.unit as '10^9/L' | '/mm3' | '/µL');
  }
  // D versus E, exactly as bilag2004Score decides it for a system without activity.
  for (let s = 0; s < BILAG2004_SYSTEMS.length; s++) {
    const system = BILAG2004_SYSTEMS[s]!;
    const prev = input.previous?.grades?.[system];
    const ever = input.history?.[system] === true || (prev !== undefined && prev !== 'E');
    if (ever) bits |= 1 << (EVER_SHIFT + s);
  }
  into.flags[row * FLAG_STRIDE + FLAG_BILAG] = bits;

  // The previous renal values matter (and were validated) only when this visit has a renal record.
  writeRenalValues(v, o + V_RENAL, renal);
  writeRenalValues(v, o + V_RENAL_PREV, renal === undefined ? undefined : input.previous?.renal);
}
