// BILAG-2004 scoring: the grade of each of the nine systems and the numeric total.
// A system's grade is the highest grade any of its rules implies (order-independent,
// instruments.md §2.2.7); with no activity it is D if the system was ever involved, else E.
import {
  EMPTY_TRACE,
  fail,
  type Issue,
  issue,
  ok,
  type Result,
  type ScoreOptions,
  type TraceEntry,
} from '../result.js';
import { CARDIORESPIRATORY_TABLE, type CardiorespiratoryInput } from './cardiorespiratory.js';
import { type ConstitutionalInput, gradeConstitutional } from './constitutional.js';
import { GASTROINTESTINAL_TABLE, type GastrointestinalInput } from './gastrointestinal.js';
import { gradeHaematological, type HaematologicalInput } from './haematological.js';
import { gradeBySets, type SystemTable } from './item-sets.js';
import { MUCOCUTANEOUS_TABLE, type MucocutaneousInput } from './mucocutaneous.js';
import { MUSCULOSKELETAL_TABLE, type MusculoskeletalInput } from './musculoskeletal.js';
import { NEUROPSYCHIATRIC_TABLE, type NeuropsychiatricInput } from './neuropsychiatric.js';
import { type BilagNumericScheme, bilagNumericTotal } from './numeric.js';
import { OPHTHALMIC_TABLE, type OphthalmicInput } from './ophthalmic.js';
import { gradeRenal, type RenalInput, type RenalValues } from './renal.js';
import {
  type ActivityRank,
  BILAG2004_SYSTEMS,
  type Bilag2004System,
  type BilagGrade,
  RANK_GRADE,
} from './types.js';

export interface Bilag2004Input {
  readonly constitutional?: ConstitutionalInput;
  readonly mucocutaneous?: MucocutaneousInput;
  readonly neuropsychiatric?: NeuropsychiatricInput;
  readonly musculoskeletal?: MusculoskeletalInput;
  readonly cardiorespiratory?: CardiorespiratoryInput;
  readonly gastrointestinal?: GastrointestinalInput;
  readonly ophthalmic?: OphthalmicInput;
  readonly renal?: RenalInput;
  readonly haematological?: HaematologicalInput;
  /** The previous assessment: renal values for the change rules, and its grades (for D vs E). */
  readonly previous?: {
    readonly renal?: RenalValues;
    readonly grades?: Partial<Record<Bilag2004System, BilagGrade>>;
  };
  /**
   * Whether each system was ever involved before this assessment (D vs E). Needed only for a
   * system with no current activity; a previous grade A–D also counts as involvement.
   */
  readonly history?: Partial<Record<Bilag2004System, boolean>>;
}

export interface Bilag2004Options extends ScoreOptions {
  /** Numeric scheme for `value.numeric`; default BILAG-2004 12/8/1 (Yee 2010). */
  readonly numericScheme?: BilagNumericScheme;
}

export interface Bilag2004Value {
  readonly grades: Readonly<Record<Bilag2004System, BilagGrade>>;
  /** Sum over the nine systems under `numericScheme`. */
  readonly numeric: number;
  readonly numericScheme: BilagNumericScheme;
}

const SET_TABLES: Readonly<Partial<Record<Bilag2004System, SystemTable>>> = Object.freeze({
  mucocutaneous: MUCOCUTANEOUS_TABLE,
  neuropsychiatric: NEUROPSYCHIATRIC_TABLE,
  musculoskeletal: MUSCULOSKELETAL_TABLE,
  cardiorespiratory: CARDIORESPIRATORY_TABLE,
  gastrointestinal: GASTROINTESTINAL_TABLE,
  ophthalmic: OPHTHALMIC_TABLE,
});

const TOP_KEYS: ReadonlySet<string> = new Set([...BILAG2004_SYSTEMS, 'previous', 'history']);

/**
 * Scores a BILAG-2004 assessment: the A–E grade of each of the nine systems, and the numeric
 * total. Rules marked PROVISIONAL in the system modules are listed in instruments/README.md.
 */
export function bilag2004Score(input: Bilag2004Input, options?: Bilag2004Options): Result<Bilag2004Value> {
  const trace: TraceEntry[] | null = options?.trace === false ? null : [];
  const issues: Issue[] = [];
  for (const key in input) {
    if (!TOP_KEYS.has(key))
      issues.push(issue('item-unknown', ['bilag2004', key], `unknown BILAG-2004 system ${key}`));
  }
  const ranks: ActivityRank[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let s = 0; s < BILAG2004_SYSTEMS.length; s++) {
    const system = BILAG2004_SYSTEMS[s]!;
    const rec = input[system];
    if (rec === undefined) continue;
    if (rec === null || typeof rec !== 'object') {
      issues.push(issue('input-invalid', ['bilag2004', system], `${system} must be an object of items`));
      continue;
    }
    const table = SET_TABLES[system];
    if (table !== undefined) ranks[s] = gradeBySets(table, rec as Record<string, unknown>, issues, trace);
    else if (system === 'constitutional')
      ranks[s] = gradeConstitutional(rec as Record<string, unknown>, issues, trace);
    else if (system === 'renal')
      ranks[s] = gradeRenal(rec as RenalInput, input.previous?.renal, issues, trace).rank;
    else ranks[s] = gradeHaematological(rec as HaematologicalInput, issues, trace);
  }

  const grades = {} as Record<Bilag2004System, BilagGrade>;
  for (let s = 0; s < BILAG2004_SYSTEMS.length; s++) {
    const system = BILAG2004_SYSTEMS[s]!;
    const active = RANK_GRADE[ranks[s]!];
    if (active !== null && active !== undefined) {
      grades[system] = active;
      trace?.push({
        item: system,
        source: 'rule',
        detail: `highest grade implied by any rule: ${active}`,
        contributes: active,
      });
      continue;
    }
    const prev = input.previous?.grades?.[system];
    const ever = input.history?.[system] === true || (prev !== undefined && prev !== 'E');
    if (!ever && input.history?.[system] === undefined && prev === undefined) {
      issues.push(
        issue(
          'history-missing',
          ['bilag2004', 'history', system],
          `no activity in ${system}: history needed to choose D or E`,
        ),
      );
      continue;
    }
    grades[system] = ever ? 'D' : 'E';
    trace?.push({
      item: system,
      source: 'rule',
      detail: ever
        ? 'no current activity, previously involved → D'
        : 'no current activity, never involved → E',
      contributes: ever ? 'D' : 'E',
    });
  }
  if (issues.length > 0) return fail(issues);
  const numericScheme = options?.numericScheme ?? 'bilag2004-12-8-1';
  return ok(
    { grades, numeric: bilagNumericTotal(grades, numericScheme), numericScheme },
    trace ?? EMPTY_TRACE,
  );
}
