// The hot loop: SLEDAI-2K total and clinical SLEDAI, BILAG-2004 system grades and numeric total
// from compiled rows (layout.ts), writing into preallocated typed-array columns — no object, no
// string, no closure per visit, so no garbage and no GC pauses over millions of visits.
//
// Why this is our own code (shared/DESIGN.md principle 8, "scoring hot loops"): no library scores
// SLEDAI-2K or BILAG-2004, and the reference scorers (sledai2kScore, bilag2004Score) validate
// ~120 fields of an object per call; issue 3 asks for ≥ 1 000 000 visits/s on one core. The
// product's path (crf/derive-row.ts, called by deriveVisitScores) reads a visit's stored items
// straight into the row, checking them as the reference would; this kernel only applies the rules.
//
// Every threshold below is imported from the reference modules (SLEDAI2K_THRESHOLDS, SLEDAI2K_LAB_BITS,
// RENAL_THRESHOLDS, RENAL_RULE_COUNTS, CONSTITUTIONAL_RULE, RANK_BY_SET_CODE, HAEM_BANDS,
// BILAG_NUMERIC_WEIGHTS); the constitutional and TTP rules are the reference's own functions
// (constitutionalRank, ttpRank). The renal, haematological-band and SLEDAI lab rules are restated
// over NaN-for-absent numbers (NaN compares false, which is what "not given" means in every rule
// except the "previous not measured" branches, which test for NaN explicitly).
// crf/derive-row.test.ts holds the contract: thousands of random stored visits score identically
// through this kernel and through the reference scorers.
import {
  CONSTITUTIONAL_ITEMS,
  CONSTITUTIONAL_RULE,
  constitutionalRank,
} from '../bilag2004/constitutional.js';
import { HAEM_BANDS, ttpRank } from '../bilag2004/haematological.js';
import { type ItemSet, RANK_BY_SET_CODE } from '../bilag2004/item-sets.js';
import { BILAG_NUMERIC_WEIGHTS } from '../bilag2004/numeric.js';
import { RENAL_RULE_COUNTS, RENAL_THRESHOLDS } from '../bilag2004/renal.js';
import {
  type ActivityRank,
  BILAG2004_SYSTEMS,
  type Bilag2004System,
  type BilagGrade,
  RANK_GRADE,
} from '../bilag2004/types.js';
import { SLEDAI2K_WEIGHTS } from '../sledai2k/descriptors.js';
import { SLEDAI2K_LAB_BITS, SLEDAI2K_THRESHOLDS } from '../sledai2k/lab-rules.js';
import { SLEDAI2K_SEROLOGY_MASK } from '../sledai2k/score.js';
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
  type CompactVisits,
  DUE_FALSE_SHIFT,
  DUE_TRUE_SHIFT,
  EVER_SHIFT,
  FLAG_BILAG,
  FLAG_SLEDAI_ENTERED,
  FLAG_SLEDAI_EXCLUDED,
  FLAG_STRIDE,
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

/** Grade letters by grade index, the encoding of CompactScores.grades. */
export const GRADE_LETTERS: readonly BilagGrade[] = ['A', 'B', 'C', 'D', 'E'];
const G_D = GRADE_LETTERS.indexOf('D');
const G_E = GRADE_LETTERS.indexOf('E');
/** Grade index by activity rank 1–3 (C, B, A), from the reference's RANK_GRADE. */
const GRADE_BY_RANK = Uint8Array.from(RANK_GRADE, (g) => (g === null ? 0 : GRADE_LETTERS.indexOf(g)));
const N_SYSTEMS = BILAG2004_SYSTEMS.length;
const sys = (s: Bilag2004System) => BILAG2004_SYSTEMS.indexOf(s);
const S_RENAL = sys('renal');
const S_HAEM = sys('haematological');

/** Scores of many visits, one row each (preallocated; the kernel writes, never allocates). */
export interface CompactScores {
  readonly length: number;
  /** SLEDAI-2K total, 0–105. */
  readonly sledai: Uint8Array;
  /** Clinical SLEDAI (without low complement and increased DNA binding). */
  readonly clinical: Uint8Array;
  /** As Sledai2kValue.presentMask. */
  readonly presentMask: Int32Array;
  /** 9 per row in BILAG2004_SYSTEMS order; index into GRADE_LETTERS. */
  readonly grades: Uint8Array;
  /** BILAG numeric total under the scheme passed to the kernel. */
  readonly numeric: Uint8Array;
}

export function createCompactScores(capacity: number): CompactScores {
  return {
    length: capacity,
    sledai: new Uint8Array(capacity),
    clinical: new Uint8Array(capacity),
    presentMask: new Int32Array(capacity),
    grades: new Uint8Array(capacity * N_SYSTEMS),
    numeric: new Uint8Array(capacity),
  };
}

/** BILAG-2004 numeric weights 12/8/1 (Yee 2010) by grade index, from BILAG_NUMERIC_WEIGHTS. */
const NUMERIC: Uint8Array = Uint8Array.from(
  GRADE_LETTERS,
  (g) => BILAG_NUMERIC_WEIGHTS['bilag2004-12-8-1'][g],
);

// SLEDAI weight sums of a 24-bit presentMask, one 256-entry table per byte.
const WEIGHT_BYTE: Uint8Array = new Uint8Array(3 * 256);
for (let b = 0; b < 3; b++)
  for (let x = 0; x < 256; x++) {
    let sum = 0;
    for (let i = 0; i < 8; i++) if (x & (1 << i)) sum += SLEDAI2K_WEIGHTS[b * 8 + i] ?? 0;
    WEIGHT_BYTE[b * 256 + x] = sum;
  }
function weightSum(mask: number): number {
  return (
    WEIGHT_BYTE[mask & 255]! +
    WEIGHT_BYTE[256 + ((mask >>> 8) & 255)]! +
    WEIGHT_BYTE[512 + ((mask >>> 16) & 255)]!
  );
}

// Rank implied by each coded item for each code: SET_RANK[slot * 6 + code + 1] (code CODE_NONE → 0),
// from the items' A/B/C set and RANK_BY_SET_CODE. Constitutional slots are graded by its own rule.
const CODES = 6;
const SET_RANK: Int8Array = new Int8Array(CODE_STRIDE * CODES);
for (let s = 1; s < CODED_SYSTEMS.length; s++) {
  const items = CODED_SYSTEMS[s]![1] as readonly { id: string; set: ItemSet }[];
  for (let j = 0; j < items.length; j++) {
    const row = RANK_BY_SET_CODE[items[j]!.set];
    for (let code = 0; code < row.length; code++)
      SET_RANK[(CODED_START[s]! + j) * CODES + code - CODE_NONE] = row[code]!;
  }
}
const PYREXIA = CONSTITUTIONAL_ITEMS.findIndex((i) => i.id === 'pyrexia');
const ACTIVE_CODE = CONSTITUTIONAL_RULE.activeCode;

// Aliases of the reference constants (hoisted out of the loop; no new numbers).
const S_T = SLEDAI2K_THRESHOLDS;
const S_BIT = SLEDAI2K_LAB_BITS;
const T = RENAL_THRESHOLDS;
const RC = RENAL_RULE_COUNTS;
const HAEMOGLOBIN = HAEM_LABS.indexOf('haemoglobin');

/** Reference proteinCriterion with NaN for "not given": no current → false; no previous → not decreased. */
function proteinCriterion(cur: number, prev: number, threshold: number, inclusive: boolean): boolean {
  const above = inclusive ? cur >= threshold : cur > threshold;
  return above && (Number.isNaN(prev) || cur > T.notDecreasedFraction * prev);
}

/** gradeRenal's rank, over the current block at `c` and the previous block at `p`. */
function renalRank(v: Float64Array, c: number, p: number, bits: number): ActivityRank {
  const cP24 = v[c + R_P24]!;
  const cUpcr = v[c + R_UPCR]!;
  const cUacr = v[c + R_UACR]!;
  const cCreat = v[c + R_CREAT]!;
  const cGfr = v[c + R_GFR]!;
  const cDip = v[c + R_DIP]!;
  const pP24 = v[p + R_P24]!;
  const pUpcr = v[p + R_UPCR]!;
  const pUacr = v[p + R_UACR]!;
  const pCreat = v[p + R_CREAT]!;
  const pGfr = v[p + R_GFR]!;
  const pDip = v[p + R_DIP]!;
  const quantitative = !Number.isNaN(cP24) || !Number.isNaN(cUpcr) || !Number.isNaN(cUacr);
  const dipBoth = !quantitative && !Number.isNaN(cDip) && !Number.isNaN(pDip);

  let a1 =
    proteinCriterion(cP24, pP24, T.severeProteinG24h, false) ||
    proteinCriterion(cUpcr, pUpcr, T.severeRatioMgMmol, false) ||
    proteinCriterion(cUacr, pUacr, T.severeRatioMgMmol, false);
  if (dipBoth && cDip - pDip >= RC.dipstickRiseA) a1 = true;
  const a2 = (bits & B_ACCELERATED_HYPERTENSION) !== 0;
  let a3 = cCreat > T.creatinineUmolL && !Number.isNaN(pCreat) && cCreat >= T.creatinineRiseA * pCreat;
  if (!Number.isNaN(cGfr)) {
    if (cGfr < T.gfrFallCeiling && !Number.isNaN(pGfr) && cGfr < T.gfrFallFraction * pGfr) a3 = true;
    else if (cGfr < T.gfrLow && (Number.isNaN(pGfr) || pGfr > T.gfrLow)) a3 = true;
  }
  const a4 = (bits & B_ACTIVE_URINARY_SEDIMENT) !== 0;
  const a5 = (bits & B_ACTIVE_NEPHRITIS) !== 0;
  const a6 = (bits & B_NEPHROTIC_SYNDROME) !== 0;
  const met = +a1 + +a2 + +a3 + +a4 + +a5 + +a6;
  if (met >= RC.criteriaForA && (a1 || a4 || a5)) return 3;
  if (met >= 1) return 2;

  if (
    proteinCriterion(cP24, pP24, T.moderateProteinG24h, true) ||
    proteinCriterion(cUpcr, pUpcr, T.moderateRatioMgMmol, true) ||
    proteinCriterion(cUacr, pUacr, T.moderateRatioMgMmol, true) ||
    (dipBoth && cDip - pDip >= RC.dipstickRiseB && cDip >= RC.dipstickLevelB) ||
    (cCreat > T.creatinineUmolL && !Number.isNaN(pCreat) && cCreat >= T.creatinineRiseB * pCreat)
  )
    return 2;

  if (
    cP24 > T.mildProteinG24h ||
    cUpcr > T.mildRatioMgMmol ||
    cUacr > T.mildRatioMgMmol ||
    (!quantitative && cDip >= RC.dipstickLevelC)
  )
    return 1;
  // Rising BP: NaN in any of the four makes a comparison false, as "all four given" requires.
  const cSbp = v[c + R_SBP]!;
  const cDbp = v[c + R_DBP]!;
  if (
    cSbp > T.systolic &&
    cDbp > T.diastolic &&
    cSbp - v[p + R_SBP]! >= T.systolicRise &&
    cDbp - v[p + R_DBP]! >= T.diastolicRise
  )
    return 1;
  return 0;
}

// HAEM_BANDS flattened in HAEM_LABS order (3 edges per lab), for bandRank without a keyed lookup.
const BANDS: Float64Array = Float64Array.from(HAEM_LABS.flatMap((lab) => HAEM_BANDS[lab]));
/** bandRank: < edge 0 → A, < edge 1 → B, < edge 2 → C; NaN (not given) → 0. */
function band(i: number, x: number): ActivityRank {
  const e = i * 3;
  return x < BANDS[e]! ? 3 : x < BANDS[e + 1]! ? 2 : x < BANDS[e + 2]! ? 1 : 0;
}

/** gradeHaematological's rank. */
function haemRank(v: Float64Array, o: number, ttp: number, bits: number): ActivityRank {
  let rank: ActivityRank = 0;
  for (let i = 0; i < HAEM_LABS.length; i++) {
    const r = band(i, v[o + i]!);
    if (r === 0 || r <= rank) continue;
    const counts =
      i === HAEMOGLOBIN
        ? (bits & ((1 << (DUE_TRUE_SHIFT + i)) | B_HAEMOLYSIS)) !== 0
        : (bits & (1 << (DUE_FALSE_SHIFT + i))) === 0;
    if (counts) rank = r;
  }
  if (ttp > 0) {
    const r = ttpRank(ttp);
    if (r > rank) rank = r;
  }
  if ((bits & B_COOMBS_POSITIVE) !== 0 && rank < 1) rank = 1;
  return rank;
}

/**
 * Scores row `row` of `visits` into row `outRow` of `out` (BILAG-2004 numeric 12/8/1, the scheme
 * bilag2004Score uses by default).
 */
export function scoreCompact(
  visits: CompactVisits,
  row: number,
  out: CompactScores,
  outRow: number = row,
): void {
  const v = visits.values;
  const fl = visits.flags;
  const codes = visits.codes;
  const o = row * VALUE_STRIDE;
  const f = row * FLAG_STRIDE;
  const c = row * CODE_STRIDE;

  // SLEDAI-2K: lab-derived descriptors, clinician entries, exclusions (deriveLabDescriptors, sledai2kScore).
  let derived = 0;
  if (v[o + V_SLEDAI_PROTEIN_G]! > S_T.proteinuriaG24h) derived |= S_BIT.proteinuria;
  if (v[o + V_SLEDAI_RBC_HPF]! > S_T.cellsPerHpf) derived |= S_BIT.haematuria;
  if (v[o + V_SLEDAI_WBC_HPF]! > S_T.cellsPerHpf) derived |= S_BIT.pyuria;
  if (
    v[o + V_SLEDAI_C3]! < v[o + V_SLEDAI_C3_LLN]! ||
    v[o + V_SLEDAI_C4]! < v[o + V_SLEDAI_C4_LLN]! ||
    v[o + V_SLEDAI_CH50]! < v[o + V_SLEDAI_CH50_LLN]!
  )
    derived |= S_BIT.low_complement;
  if (v[o + V_SLEDAI_DSDNA]! > v[o + V_SLEDAI_DSDNA_ULN]!) derived |= S_BIT.increased_dna_binding;
  if (v[o + V_SLEDAI_PLATELETS]! < S_T.platelets1e9L) derived |= S_BIT.thrombocytopenia;
  if (v[o + V_SLEDAI_WBC]! < S_T.wbc1e9L) derived |= S_BIT.leukopenia;
  if (v[o + V_SLEDAI_CASTS] === 1) derived |= S_BIT.urinary_casts;
  if (v[o + V_SLEDAI_TEMP]! > v[o + V_SLEDAI_TEMP_LIMIT]!) derived |= S_BIT.fever;
  const present = (fl[f + FLAG_SLEDAI_ENTERED]! | derived) & ~fl[f + FLAG_SLEDAI_EXCLUDED]!;
  out.presentMask[outRow] = present;
  out.sledai[outRow] = weightSum(present);
  out.clinical[outRow] = weightSum(present & ~SLEDAI2K_SEROLOGY_MASK);

  // BILAG-2004: activity rank per system, then A–E and the numeric total.
  const bits = fl[f + FLAG_BILAG]!;
  const g = outRow * N_SYSTEMS;
  const grades = out.grades;
  let numeric = 0;

  let pyrexia = 0;
  let othersAny = 0;
  let othersActive = 0;
  for (let k = 0; k < CODED_START[1]!; k++) {
    const code = codes[c + k]!;
    if (code <= 0) continue; // ND, not entered, 0
    if (k === PYREXIA) pyrexia = code;
    else {
      othersAny++;
      if (code >= ACTIVE_CODE) othersActive++;
    }
  }
  numeric += grade(grades, g, 0, constitutionalRank(pyrexia, othersAny, othersActive), bits);

  for (let s = 1; s < CODED_SYSTEMS.length; s++) {
    let rank = 0;
    for (let j = CODED_START[s]!, end = CODED_START[s + 1]!; j < end; j++) {
      const r = SET_RANK[j * CODES + codes[c + j]! - CODE_NONE]!;
      if (r > rank) rank = r;
    }
    numeric += grade(grades, g, s, rank, bits);
  }
  numeric += grade(grades, g, S_RENAL, renalRank(v, o + V_RENAL, o + V_RENAL_PREV, bits), bits);
  numeric += grade(grades, g, S_HAEM, haemRank(v, o + V_HAEM, codes[c + CODE_TTP]!, bits), bits);
  out.numeric[outRow] = numeric;
}

/** Writes system `s`'s grade; returns its numeric weight. */
function grade(grades: Uint8Array, g: number, s: number, rank: number, bits: number): number {
  const gi = rank > 0 ? GRADE_BY_RANK[rank]! : (bits >>> (EVER_SHIFT + s)) & 1 ? G_D : G_E;
  grades[g + s] = gi;
  return NUMERIC[gi]!;
}
