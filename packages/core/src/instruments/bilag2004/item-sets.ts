// The item-class pattern shared by the systems graded from 0–4 items (instruments.md §2.2.2,
// confirmed as a pattern by the UK JSLE BILAG-2004 module's tests): an "A-set" item implies A when
// coded 2/3/4 and B when coded 1 (improving); a "B-set" item implies B when 2/3/4 and C when 1;
// a "C-set" item implies C when coded 1–4. The system grade is the HIGHEST grade implied by any
// item, so item order never matters (§2.2.7 warns against the first-match bug).
import { type Issue, issue, type TraceEntry } from '../result.js';
import {
  type ActivityRank,
  BILAG_CODE_MEANING,
  type Bilag2004System,
  type BilagItemDef,
  isBilagItemCode,
  RANK_GRADE,
} from './types.js';

export type ItemSet = 'A' | 'B' | 'C';

export interface SetItemDef<Id extends string = string> extends BilagItemDef<Id> {
  readonly set: ItemSet;
}

/** RANK_BY_SET_CODE[set][code] for codes 0..4. */
export const RANK_BY_SET_CODE: Readonly<Record<ItemSet, readonly ActivityRank[]>> = Object.freeze({
  A: [0, 2, 3, 3, 3],
  B: [0, 1, 2, 2, 2],
  C: [0, 1, 1, 1, 1],
});

export interface SystemTable {
  readonly system: Bilag2004System;
  readonly items: readonly SetItemDef[];
  /** item id → rank-by-code row, for the hot loop. */
  readonly rows: ReadonlyMap<string, readonly ActivityRank[]>;
  readonly byId: ReadonlyMap<string, SetItemDef>;
}

export function systemTable(system: Bilag2004System, items: readonly SetItemDef[]): SystemTable {
  return Object.freeze({
    system,
    items: Object.freeze(items),
    rows: new Map(items.map((it) => [it.id, RANK_BY_SET_CODE[it.set]])),
    byId: new Map(items.map((it) => [it.id, it])),
  });
}

/**
 * Highest activity rank implied by the coded items of one system. Pushes an issue for an unknown
 * item or a code outside ND/0–4, and (when `trace` is non-null) one entry per item that implies
 * activity.
 */
export function gradeBySets(
  table: SystemTable,
  record: Readonly<Record<string, unknown>>,
  issues: Issue[],
  trace: TraceEntry[] | null,
): ActivityRank {
  let rank: ActivityRank = 0;
  for (const key in record) {
    const row = table.rows.get(key);
    const code = record[key];
    if (row === undefined) {
      issues.push(
        issue('item-unknown', ['bilag2004', table.system, key], `unknown ${table.system} item ${key}`),
      );
      continue;
    }
    if (code === undefined) continue;
    if (!isBilagItemCode(code)) {
      issues.push(
        issue(
          'code-invalid',
          ['bilag2004', table.system, key],
          `code ${String(code)} not in ND, 0, 1, 2, 3, 4`,
        ),
      );
      continue;
    }
    if (code === 'ND') continue;
    const r = row[code]!;
    if (r > rank) rank = r;
    if (trace !== null && r > 0) {
      const def = table.byId.get(key)!;
      trace.push({
        item: `${table.system}.${key}`,
        source: 'entered',
        detail: `item ${def.number} coded ${code} (${BILAG_CODE_MEANING[code]}); ${def.set}-set item → ${RANK_GRADE[r]}`,
        contributes: RANK_GRADE[r]!,
      });
    }
  }
  return rank;
}
