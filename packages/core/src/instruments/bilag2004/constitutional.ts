// BILAG-2004 constitutional system, items 1–4 (form revision 1 Sep 2009; instruments.md §2.2.1).
// Grading rule: instruments.md §2.2.2 — as encoded by the UK JSLE BILAG-2004 module's test
// vectors [READ: dappelbe/JSLE-REDCap "jest tests/ukJSLEBilagFunctions.test.js"]; the wording is
// INFERRED from those vectors, so the rule is PROVISIONAL until checked against the scoring
// appendix of Isenberg 2005 (not found in any searched source):
//   A: pyrexia 2–4 AND ≥2 of weight loss / lymphadenopathy / anorexia coded 2–4;
//   B: pyrexia 2–4, OR ≥2 of the others coded 2–4 (not meeting A);
//   C: pyrexia 1, OR any other item coded 1–4.
import { type Issue, issue, type TraceEntry } from '../result.js';
import {
  type ActivityRank,
  BILAG_CODE_MEANING,
  type BilagItemCode,
  type BilagItemDef,
  isBilagItemCode,
} from './types.js';

export const CONSTITUTIONAL_ITEMS = Object.freeze([
  { id: 'pyrexia', number: 1, label: 'Pyrexia – documented > 37.5 °C', kind: 'ordinal' },
  { id: 'weight_loss', number: 2, label: 'Weight loss – unintentional > 5%', kind: 'ordinal' },
  { id: 'lymphadenopathy_splenomegaly', number: 3, label: 'Lymphadenopathy/splenomegaly', kind: 'ordinal' },
  { id: 'anorexia', number: 4, label: 'Anorexia', kind: 'ordinal' },
] as const satisfies readonly BilagItemDef[]);

export type ConstitutionalItemId = (typeof CONSTITUTIONAL_ITEMS)[number]['id'];
export type ConstitutionalInput = Partial<Record<ConstitutionalItemId, BilagItemCode>>;

const IDS: ReadonlySet<string> = new Set(CONSTITUTIONAL_ITEMS.map((i) => i.id));

/** The rule's numbers: a code ≥ 2 (same/worse/new) is "active"; A and B need ≥ 2 active others. */
export const CONSTITUTIONAL_RULE = Object.freeze({ activeCode: 2, minActiveOthers: 2 });

/**
 * The PROVISIONAL constitutional rule on counts: `pyrexia` is its code (0 when ND or absent),
 * `othersAny` the other items coded 1–4, `othersActive` those coded ≥ activeCode. Shared by
 * gradeConstitutional and the compact kernel.
 */
export function constitutionalRank(pyrexia: number, othersAny: number, othersActive: number): ActivityRank {
  const pyrexiaActive = pyrexia >= CONSTITUTIONAL_RULE.activeCode;
  const othersMet = othersActive >= CONSTITUTIONAL_RULE.minActiveOthers;
  if (pyrexiaActive && othersMet) return 3;
  if (pyrexiaActive || othersMet) return 2;
  if (pyrexia === 1 || othersAny > 0) return 1;
  return 0;
}

export function gradeConstitutional(
  record: Readonly<Record<string, unknown>>,
  issues: Issue[],
  trace: TraceEntry[] | null,
): ActivityRank {
  let pyrexia = 0;
  let othersActive = 0; // coded 2–4
  let othersAny = 0; // coded 1–4
  for (const key in record) {
    const code = record[key];
    if (!IDS.has(key)) {
      issues.push(
        issue('item-unknown', ['bilag2004', 'constitutional', key], `unknown constitutional item ${key}`),
      );
      continue;
    }
    if (code === undefined) continue;
    if (!isBilagItemCode(code)) {
      issues.push(
        issue(
          'code-invalid',
          ['bilag2004', 'constitutional', key],
          `code ${String(code)} not in ND, 0, 1, 2, 3, 4`,
        ),
      );
      continue;
    }
    if (code === 'ND' || code === 0) continue;
    if (key === 'pyrexia') pyrexia = code;
    else {
      othersAny++;
      if (code >= CONSTITUTIONAL_RULE.activeCode) othersActive++;
    }
    trace?.push({
      item: `constitutional.${key}`,
      source: 'entered',
      detail: `coded ${code} (${BILAG_CODE_MEANING[code]})`,
    });
  }
  const rank = constitutionalRank(pyrexia, othersAny, othersActive);
  const pyrexiaActive = pyrexia >= CONSTITUTIONAL_RULE.activeCode;
  const why =
    rank === 3
      ? 'pyrexia 2–4 and ≥2 other items 2–4 → A'
      : rank === 2
        ? pyrexiaActive
          ? 'pyrexia 2–4 → B'
          : '≥2 of weight loss/lymphadenopathy/anorexia 2–4 → B'
        : pyrexia === 1
          ? 'pyrexia improving → C'
          : 'other constitutional item present → C';
  if (trace !== null && rank > 0)
    trace.push({ item: 'constitutional', source: 'rule', detail: `${why} (PROVISIONAL rule)` });
  return rank;
}
