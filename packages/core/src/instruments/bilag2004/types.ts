// BILAG-2004 vocabulary: systems, item codes, grades (Isenberg et al., Rheumatology 2005;44:902-6;
// form revision 1 Sep 2009; instruments.md §2.2.1).

export const BILAG2004_SYSTEMS = [
  'constitutional',
  'mucocutaneous',
  'neuropsychiatric',
  'musculoskeletal',
  'cardiorespiratory',
  'gastrointestinal',
  'ophthalmic',
  'renal',
  'haematological',
] as const;
export type Bilag2004System = (typeof BILAG2004_SYSTEMS)[number];

/**
 * Item response codes (instruments.md §2.2.1): ND not done, 0 not present, 1 improving, 2 same,
 * 3 worse, 4 new. Y/N and value items use booleans and quantities instead.
 */
export type BilagItemCode = 'ND' | 0 | 1 | 2 | 3 | 4;

export const BILAG_CODE_MEANING: Readonly<Record<string, string>> = Object.freeze({
  ND: 'not done',
  0: 'not present',
  1: 'improving',
  2: 'same',
  3: 'worse',
  4: 'new',
});

/** A severe, B moderate, C mild/stable, D previously involved now inactive, E never involved (§2.2.2). */
export type BilagGrade = 'A' | 'B' | 'C' | 'D' | 'E';

/** Activity rank used while grading: 3 = A, 2 = B, 1 = C, 0 = no activity (then D or E from history). */
export type ActivityRank = 0 | 1 | 2 | 3;
export const RANK_GRADE: readonly ('A' | 'B' | 'C' | null)[] = [null, 'C', 'B', 'A'];

export type ItemKind = 'ordinal' | 'yes-no' | 'value';

export interface BilagItemDef<Id extends string = string> {
  readonly id: Id;
  /** Item number 1–97 on the BILAG-2004 form (instruments.md §2.2.1). */
  readonly number: number;
  readonly label: string;
  readonly kind: ItemKind;
  /** For value items: the unit(s) the form records. */
  readonly units?: readonly string[];
}

/** True for 'ND' and the integers 0–4. */
export function isBilagItemCode(v: unknown): v is BilagItemCode {
  return v === 'ND' || v === 0 || v === 1 || v === 2 || v === 3 || v === 4;
}
