// Lab- and measurement-derived SLEDAI-2K descriptors: each rule turns a raw value (with unit and,
// where the definition needs it, the testing lab's reference limit) into present/absent, and says
// why. Thresholds and comparators: instruments.md §1.2 (descriptors 11–14, 20–22, 23–24); fever
// from the visit's measured temperature per endpoints.md Clarification 5.

import { type Issue, issue, type TraceEntry } from '../result.js';
import {
  cellCountIn1e9L,
  complementInGL,
  temperatureInC,
  UPCR_MGG_PER_MGMMOL,
  urineProteinInG,
} from '../units/conversions.js';
import type { Quantity } from '../units/lab-value.js';
import { checkQuantity } from '../units/lab-value.js';
import { SLEDAI2K_INDEX, type Sledai2kDescriptorId } from './descriptors.js';

/** A value with the testing lab's lower limit of normal, in the value's unit. */
export type WithLowerLimit<U extends string> = Quantity<U> & { readonly lowerLimitOfNormal: number };
/** A value with the testing lab's upper limit of normal, in the value's unit. */
export type WithUpperLimit<U extends string> = Quantity<U> & { readonly upperLimitOfNormal: number };

export interface Sledai2kLabs {
  readonly proteinuria24h?: Quantity<'g/24h' | 'mg/24h'>;
  readonly upcr?: Quantity<'mg/mmol' | 'mg/g' | 'g/g'>;
  readonly urineRbcPerHpf?: Quantity<'/hpf'>;
  readonly urineWbcPerHpf?: Quantity<'/hpf'>;
  readonly c3?: WithLowerLimit<'g/L' | 'mg/dL'>;
  readonly c4?: WithLowerLimit<'g/L' | 'mg/dL'>;
  readonly ch50?: WithLowerLimit<'U/mL'>;
  readonly antiDsDna?: WithUpperLimit<'IU/mL' | '%'>;
  readonly platelets?: Quantity<'10^9/L' | '/mm3' | '/µL'>;
  readonly wbc?: Quantity<'10^9/L' | '/mm3' | '/µL'>;
  /** Heme-granular or red-cell casts seen in the urine sediment (descriptor 11). */
  readonly urineCasts?: boolean;
  /** The visit's measured body temperature (vital signs), for fever (descriptor 22). */
  readonly temperature?: Quantity<'°C' | '°F'>;
}

export const SLEDAI2K_LAB_KEYS: ReadonlySet<string> = new Set([
  'proteinuria24h',
  'upcr',
  'urineRbcPerHpf',
  'urineWbcPerHpf',
  'c3',
  'c4',
  'ch50',
  'antiDsDna',
  'platelets',
  'wbc',
  'urineCasts',
  'temperature',
]);

/**
 * How a spot UPCR stands in for the 24 h protein of the proteinuria descriptor (">0.5 g/24 h").
 * Both treat UPCR in g/g as equivalent to g/24 h (the usual assumption of ~1 g creatinine a day;
 * SLE-DAS: "UPCR 500 mg/g or 500 mg/24h", instruments.md §1.6). They differ in mg/mmol:
 * - 'molar': mg/mmol × 8.84 = mg/g (exact, units/conversions.ts) → threshold 56.6 mg/mmol;
 * - 'rounded-10': KDIGO convention 50 mg/mmol ≈ 0.5 g/g (instruments.md §3.6) → threshold 50 mg/mmol.
 */
export type UpcrEquivalence = 'molar' | 'rounded-10';

/** SLEDAI-2K thresholds, each with its comparator (instruments.md §1.2). */
export const SLEDAI2K_THRESHOLDS = Object.freeze({
  /** Proteinuria: > 0.5 g/24 h (strict). */
  proteinuriaG24h: 0.5,
  /** Haematuria and pyuria: > 5 cells/hpf (strict). */
  cellsPerHpf: 5,
  /** Thrombocytopenia: < 100 × 10⁹/L (strict). */
  platelets1e9L: 100,
  /** Leukopenia: < 3 × 10⁹/L (strict). */
  wbc1e9L: 3,
  /**
   * Fever: > 38 °C (strict) [instruments.md §1.2 #22, READ: selena-sledai-calc; Gladman 2002
   * glossary "> 38 °C"; endpoints.md Clarification 5: derived from the measured temperature].
   */
  feverC: 38,
  /** The same threshold in °F, 38 × 9/5 + 32 = 100.4 exactly: °F values are compared in °F, so no
   * rounding of a conversion can move 100.4 °F (= 38.0 °C, not fever) across the line. */
  feverF: 100.4,
});

const HPF: readonly string[] = ['/hpf'];
const COUNT_UNITS: readonly string[] = ['10^9/L', '/mm3', '/µL'];
const COMPLEMENT_UNITS: readonly string[] = ['g/L', 'mg/dL'];
const TEMPERATURE_UNITS: readonly string[] = ['°C', '°F'];

function idx(id: Sledai2kDescriptorId): number {
  return SLEDAI2K_INDEX.get(id)!;
}
/** Bit of each lab-derived descriptor in a presentMask (shared with the compact kernel). */
export const SLEDAI2K_LAB_BITS = Object.freeze({
  proteinuria: 1 << idx('proteinuria'),
  haematuria: 1 << idx('haematuria'),
  pyuria: 1 << idx('pyuria'),
  low_complement: 1 << idx('low_complement'),
  increased_dna_binding: 1 << idx('increased_dna_binding'),
  thrombocytopenia: 1 << idx('thrombocytopenia'),
  leukopenia: 1 << idx('leukopenia'),
  urinary_casts: 1 << idx('urinary_casts'),
  fever: 1 << idx('fever'),
} as const);
const BIT = SLEDAI2K_LAB_BITS;

/**
 * A spot UPCR as g/g, taken as g/24 h for the proteinuria descriptor under `upcrEquivalence`
 * (see UpcrEquivalence). Shared with crf/derive-row.ts (the compact row) so both compare the same number.
 */
export function upcrAsGPerG(
  value: number,
  unit: 'mg/mmol' | 'mg/g' | 'g/g',
  upcrEquivalence: UpcrEquivalence,
): number {
  return unit === 'g/g'
    ? value
    : unit === 'mg/g'
      ? value / 1000
      : upcrEquivalence === 'molar'
        ? (value * UPCR_MGG_PER_MGMMOL) / 1000
        : value / 100;
}

function refLimit(
  q: { lowerLimitOfNormal?: unknown; upperLimitOfNormal?: unknown },
  key: 'lowerLimitOfNormal' | 'upperLimitOfNormal',
  path: readonly string[],
  issues: Issue[],
): number | undefined {
  const v = q[key];
  if (v === undefined || v === null) {
    issues.push(issue('reference-missing', path, `${key} of the testing laboratory is required`));
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    issues.push(issue('value-not-finite', path, `${key} ${String(v)} is not a non-negative number`));
    return undefined;
  }
  return v;
}

/**
 * Derives lab descriptors as a bitmask over descriptor indices. Pushes issues for bad input.
 * `trace` is null when the caller does not want one.
 */
export function deriveLabDescriptors(
  labs: Sledai2kLabs,
  upcrEquivalence: UpcrEquivalence,
  issues: Issue[],
  trace: TraceEntry[] | null,
): number {
  let mask = 0;
  for (const key in labs) {
    if (!SLEDAI2K_LAB_KEYS.has(key)) {
      issues.push(issue('item-unknown', ['sledai2k', 'labs', key], `unknown SLEDAI-2K lab ${key}`));
    }
  }
  const p = ['sledai2k', 'labs'];

  // Proteinuria: 24 h collection is the definition's own measure and wins when both are given.
  if (labs.proteinuria24h !== undefined) {
    const path = [...p, 'proteinuria24h'];
    const bad = checkQuantity(labs.proteinuria24h, ['g/24h', 'mg/24h'], path);
    if (bad) issues.push(bad);
    else {
      const g = urineProteinInG(labs.proteinuria24h.value, labs.proteinuria24h.unit);
      if (g > SLEDAI2K_THRESHOLDS.proteinuriaG24h) {
        mask |= BIT.proteinuria;
        trace?.push({
          item: 'proteinuria',
          source: 'derived',
          detail: `24 h urine protein ${g} g > 0.5 g/24 h`,
        });
      }
    }
  } else if (labs.upcr !== undefined) {
    const path = [...p, 'upcr'];
    const bad = checkQuantity(labs.upcr, ['mg/mmol', 'mg/g', 'g/g'], path);
    if (bad) issues.push(bad);
    else {
      const { value, unit } = labs.upcr;
      const gPerG = upcrAsGPerG(value, unit, upcrEquivalence);
      if (gPerG > SLEDAI2K_THRESHOLDS.proteinuriaG24h) {
        mask |= BIT.proteinuria;
        trace?.push({
          item: 'proteinuria',
          source: 'derived',
          detail: `UPCR ${value} ${unit} = ${gPerG} g/g (${upcrEquivalence} equivalence; g/g taken as g/24 h) > 0.5`,
        });
      }
    }
  }

  // Casts: the sediment report itself is the finding (instruments.md §1.2 #11).
  if (labs.urineCasts !== undefined) {
    if (typeof labs.urineCasts !== 'boolean')
      issues.push(
        issue(
          'code-invalid',
          [...p, 'urineCasts'],
          `urineCasts must be true or false, got ${String(labs.urineCasts)}`,
        ),
      );
    else if (labs.urineCasts) {
      mask |= BIT.urinary_casts;
      trace?.push({
        item: 'urinary_casts',
        source: 'derived',
        detail: 'heme-granular or red-cell casts in the urine sediment',
      });
    }
  }

  // Fever: measured temperature strictly above 38 °C, compared in the unit it was measured in
  // (instruments.md §1.2 #22; endpoints.md Clarification 5).
  if (labs.temperature !== undefined) {
    const path = [...p, 'temperature'];
    const bad = checkQuantity(labs.temperature, TEMPERATURE_UNITS, path);
    if (bad) issues.push(bad);
    else {
      const { value, unit } = labs.temperature;
      const limit = unit === '°F' ? SLEDAI2K_THRESHOLDS.feverF : SLEDAI2K_THRESHOLDS.feverC;
      if (value > limit) {
        mask |= BIT.fever;
        trace?.push({
          item: 'fever',
          source: 'derived',
          detail: `temperature ${value} ${unit} > ${limit} ${unit}${
            unit === '°F' ? ` (${temperatureInC(value, unit)} °C)` : ''
          }`,
        });
      }
    }
  }

  mask |= cellsRule(labs.urineRbcPerHpf, 'urineRbcPerHpf', 'haematuria', BIT.haematuria, issues, trace);
  mask |= cellsRule(labs.urineWbcPerHpf, 'urineWbcPerHpf', 'pyuria', BIT.pyuria, issues, trace);

  // Low complement: any of CH50, C3, C4 strictly below the lab's LLN (instruments.md §1.2 #20).
  for (const key of ['c3', 'c4', 'ch50'] as const) {
    const q = labs[key];
    if (q === undefined) continue;
    const path = [...p, key];
    const bad = checkQuantity(q, key === 'ch50' ? ['U/mL'] : COMPLEMENT_UNITS, path);
    if (bad) {
      issues.push(bad);
      continue;
    }
    const lln = refLimit(q, 'lowerLimitOfNormal', path, issues);
    if (lln === undefined) continue;
    if (q.value < lln) {
      mask |= BIT.low_complement;
      trace?.push({
        item: 'low_complement',
        source: 'derived',
        detail: `${key.toUpperCase()} ${q.value} ${q.unit} < lab LLN ${lln} ${q.unit}${
          key === 'ch50' ? '' : ` (${complementInGL(q.value, q.unit as 'g/L' | 'mg/dL')} g/L)`
        }`,
      });
    }
  }

  // Increased DNA binding: strictly above the lab's ULN (instruments.md §1.2 #21).
  if (labs.antiDsDna !== undefined) {
    const q = labs.antiDsDna;
    const path = [...p, 'antiDsDna'];
    const bad = checkQuantity(q, ['IU/mL', '%'], path);
    if (bad) issues.push(bad);
    else {
      const uln = refLimit(q, 'upperLimitOfNormal', path, issues);
      if (uln !== undefined && q.value > uln) {
        mask |= BIT.increased_dna_binding;
        trace?.push({
          item: 'increased_dna_binding',
          source: 'derived',
          detail: `anti-dsDNA ${q.value} ${q.unit} > lab ULN ${uln} ${q.unit}`,
        });
      }
    }
  }

  mask |= countRule(
    labs.platelets,
    'platelets',
    'thrombocytopenia',
    SLEDAI2K_THRESHOLDS.platelets1e9L,
    BIT.thrombocytopenia,
    issues,
    trace,
  );
  mask |= countRule(
    labs.wbc,
    'wbc',
    'leukopenia',
    SLEDAI2K_THRESHOLDS.wbc1e9L,
    BIT.leukopenia,
    issues,
    trace,
  );
  return mask;
}

function cellsRule(
  q: Quantity<'/hpf'> | undefined,
  key: string,
  item: Sledai2kDescriptorId,
  bit: number,
  issues: Issue[],
  trace: TraceEntry[] | null,
): number {
  if (q === undefined) return 0;
  const bad = checkQuantity(q, HPF, ['sledai2k', 'labs', key]);
  if (bad) {
    issues.push(bad);
    return 0;
  }
  if (q.value > SLEDAI2K_THRESHOLDS.cellsPerHpf) {
    trace?.push({ item, source: 'derived', detail: `${key} ${q.value}/hpf > 5/hpf` });
    return bit;
  }
  return 0;
}

function countRule(
  q: Quantity<'10^9/L' | '/mm3' | '/µL'> | undefined,
  key: string,
  item: Sledai2kDescriptorId,
  threshold: number,
  bit: number,
  issues: Issue[],
  trace: TraceEntry[] | null,
): number {
  if (q === undefined) return 0;
  const bad = checkQuantity(q, COUNT_UNITS, ['sledai2k', 'labs', key]);
  if (bad) {
    issues.push(bad);
    return 0;
  }
  const v = cellCountIn1e9L(q.value, q.unit);
  if (v < threshold) {
    trace?.push({ item, source: 'derived', detail: `${key} ${v} × 10⁹/L < ${threshold} × 10⁹/L` });
    return bit;
  }
  return 0;
}
