// BILAG-2004 haematological system, items 90–97.
// PROVISIONAL — instruments.md §2.2.4: "NOT FOUND in any source"; the cut-offs below are the
// spec's UNVERIFIED recollection of the published scheme. The Isenberg 2005 scoring appendix was
// searched for in the pages, docs and code corpora without success. Until checked:
//   A: TTP coded 2–4; Hb < 8 g/dL; WCC < 1.0; neutrophils < 0.5; platelets < 25 (× 10⁹/L)
//   B: TTP coded 1; Hb 8–8.9; WCC 1.0–1.9; neutrophils 0.5–0.9; platelets 25–49
//   C: Hb 9–10.9; WCC 2.0–3.9; neutrophils 1.0–1.9; lymphocytes < 1.0; platelets 50–149;
//      isolated positive Coombs' test.
// Bands are half-open ([8, 9) g/dL etc.), so a value on a boundary falls in the milder band.
// Cytopenias count only when due to SLE (the form's "confirm due to SLE activity" column):
// counts count unless `due_to_sle` says false; haemoglobin counts only with evidence of active
// haemolysis (item 96) or an explicit `due_to_sle.haemoglobin: true`, since anaemia has many
// non-lupus causes (PROVISIONAL reading of §2.2.4 "anaemia counted when due to haemolysis/SLE").

import { type Issue, issue, type TraceEntry } from '../result.js';
import { cellCountIn1e9L, haemoglobinInGdL } from '../units/conversions.js';
import type { Quantity } from '../units/lab-value.js';
import { checkQuantity } from '../units/lab-value.js';
import {
  type ActivityRank,
  type BilagItemCode,
  type BilagItemDef,
  isBilagItemCode,
  RANK_GRADE,
} from './types.js';

export const HAEMATOLOGICAL_ITEMS = Object.freeze([
  { id: 'haemoglobin', number: 90, label: 'Haemoglobin (g/dL)', kind: 'value', units: ['g/dL', 'g/L'] },
  {
    id: 'wcc',
    number: 91,
    label: 'Total white cell count (× 10⁹/L)',
    kind: 'value',
    units: ['10^9/L', '/mm3', '/µL'],
  },
  {
    id: 'neutrophils',
    number: 92,
    label: 'Neutrophils (× 10⁹/L)',
    kind: 'value',
    units: ['10^9/L', '/mm3', '/µL'],
  },
  {
    id: 'lymphocytes',
    number: 93,
    label: 'Lymphocytes (× 10⁹/L)',
    kind: 'value',
    units: ['10^9/L', '/mm3', '/µL'],
  },
  {
    id: 'platelets',
    number: 94,
    label: 'Platelets (× 10⁹/L)',
    kind: 'value',
    units: ['10^9/L', '/mm3', '/µL'],
  },
  { id: 'ttp', number: 95, label: 'Thrombotic thrombocytopenic purpura (TTP)', kind: 'ordinal' },
  { id: 'haemolysis', number: 96, label: 'Evidence of active haemolysis', kind: 'yes-no' },
  { id: 'coombs_positive', number: 97, label: "Coombs' test positive (isolated)", kind: 'yes-no' },
] as const satisfies readonly BilagItemDef[]);

type CountUnit = '10^9/L' | '/mm3' | '/µL';
export type HaemLabId = 'haemoglobin' | 'wcc' | 'neutrophils' | 'lymphocytes' | 'platelets';

export interface HaematologicalInput {
  readonly haemoglobin?: Quantity<'g/dL' | 'g/L'>;
  readonly wcc?: Quantity<CountUnit>;
  readonly neutrophils?: Quantity<CountUnit>;
  readonly lymphocytes?: Quantity<CountUnit>;
  readonly platelets?: Quantity<CountUnit>;
  readonly ttp?: BilagItemCode;
  readonly haemolysis?: boolean;
  readonly coombs_positive?: boolean;
  /** The form's "confirm this is due to SLE activity" column for the lab items. */
  readonly due_to_sle?: Partial<Record<HaemLabId, boolean>>;
}

/**
 * Band edges per lab: value < edges[0] → A, < edges[1] → B, < edges[2] → C (units g/dL or 10⁹/L).
 * Infinity marks "no such band" (lymphocytes only reach C; Hb has no lower band without SLE).
 */
export const HAEM_BANDS: Readonly<Record<HaemLabId, readonly [number, number, number]>> = Object.freeze({
  haemoglobin: [8, 9, 11],
  wcc: [1, 2, 4],
  neutrophils: [0.5, 1, 2],
  lymphocytes: [0, 0, 1],
  platelets: [25, 50, 150],
});

const KNOWN: ReadonlySet<string> = new Set([...HAEMATOLOGICAL_ITEMS.map((i) => i.id), 'due_to_sle']);
const LABS: readonly HaemLabId[] = ['haemoglobin', 'wcc', 'neutrophils', 'lymphocytes', 'platelets'];
const COUNT_UNITS: readonly string[] = ['10^9/L', '/mm3', '/µL'];

export function bandRank(lab: HaemLabId, value: number): ActivityRank {
  const [a, b, c] = HAEM_BANDS[lab];
  if (value < a) return 3;
  if (value < b) return 2;
  if (value < c) return 1;
  return 0;
}

/** TTP (item 95): coded 1 (improving) → B, 2–4 → A, else no activity. Shared with the compact kernel. */
export function ttpRank(code: number): ActivityRank {
  return code === 1 ? 2 : code > 1 ? 3 : 0;
}

export function gradeHaematological(
  input: HaematologicalInput,
  issues: Issue[],
  trace: TraceEntry[] | null,
): ActivityRank {
  for (const key in input) {
    if (!KNOWN.has(key))
      issues.push(
        issue('item-unknown', ['bilag2004', 'haematological', key], `unknown haematological item ${key}`),
      );
  }
  let rank: ActivityRank = 0;
  const due = input.due_to_sle;
  for (const lab of LABS) {
    const q = input[lab];
    if (q === undefined) continue;
    const bad = checkQuantity(q, lab === 'haemoglobin' ? ['g/dL', 'g/L'] : COUNT_UNITS, [
      'bilag2004',
      'haematological',
      lab,
    ]);
    if (bad) {
      issues.push(bad);
      continue;
    }
    const v =
      lab === 'haemoglobin'
        ? haemoglobinInGdL(q.value, q.unit as 'g/dL' | 'g/L')
        : cellCountIn1e9L(q.value, q.unit as CountUnit);
    const r = bandRank(lab, v);
    if (r === 0) continue;
    const counts =
      lab === 'haemoglobin' ? due?.haemoglobin === true || input.haemolysis === true : due?.[lab] !== false;
    if (trace !== null) {
      trace.push({
        item: `haematological.${lab}`,
        source: counts ? 'derived' : 'excluded',
        detail: counts
          ? `${lab} ${v} ${lab === 'haemoglobin' ? 'g/dL' : '× 10⁹/L'} in the ${RANK_GRADE[r]} band (PROVISIONAL cut-offs)`
          : `${lab} ${v} in the ${RANK_GRADE[r]} band but not attributed to SLE`,
        contributes: counts ? RANK_GRADE[r]! : 0,
      });
    }
    if (counts && r > rank) rank = r;
  }
  const ttp = input.ttp;
  if (ttp !== undefined && ttp !== 'ND') {
    if (!isBilagItemCode(ttp)) {
      issues.push(
        issue(
          'code-invalid',
          ['bilag2004', 'haematological', 'ttp'],
          `code ${String(ttp)} not in ND, 0, 1, 2, 3, 4`,
        ),
      );
    } else if (ttp > 0) {
      const r = ttpRank(ttp);
      if (r > rank) rank = r;
      trace?.push({
        item: 'haematological.ttp',
        source: 'entered',
        detail: `TTP coded ${ttp} → ${RANK_GRADE[r]}`,
        contributes: RANK_GRADE[r]!,
      });
    }
  }
  for (const key of ['haemolysis', 'coombs_positive'] as const) {
    const v = input[key];
    if (v !== undefined && typeof v !== 'boolean') {
      issues.push(
        issue('code-invalid', ['bilag2004', 'haematological', key], `${key} must be Y (true) or N (false)`),
      );
    }
  }
  if (input.coombs_positive === true && rank < 1) {
    rank = 1;
    trace?.push({
      item: 'haematological.coombs_positive',
      source: 'entered',
      detail: "isolated positive Coombs' test → C",
      contributes: 'C',
    });
  }
  return rank;
}
