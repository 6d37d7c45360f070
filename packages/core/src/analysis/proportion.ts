/**
 * A count over a denominator with both CIs the plan asks for (analysis-plan.md "Methods":
 * "exact Clopper–Pearson 95% CI (Wilson as a second column)"): R `binom.test(x, n)$conf.int` and
 * `prop.test(x, n, correct = FALSE)$conf.int`.
 */
import { clopperPearsonInterval, wilsonInterval } from '../stats/index.js';
import type { CountRow, Proportion } from './types.js';

export function proportion(x: number, n: number, confLevel = 0.95): Proportion {
  return {
    x,
    n,
    estimate: n > 0 ? x / n : null,
    clopperPearson: clopperPearsonInterval(x, n, confLevel),
    wilson: wilsonInterval(x, n, { confLevel }),
  };
}

/** Events and distinct patients per label, sorted by patients then events (descending), then label. */
export function countBy<T>(
  items: readonly T[],
  labelOf: (item: T) => string | readonly string[],
  patientOf: (item: T) => string,
  order?: readonly string[],
): CountRow[] {
  const rows = new Map<string, { events: number; patients: Set<string> }>();
  for (const label of order ?? []) rows.set(label, { events: 0, patients: new Set() });
  for (const item of items) {
    const labels = labelOf(item);
    for (const label of typeof labels === 'string' ? [labels] : labels) {
      const row = rows.get(label) ?? { events: 0, patients: new Set<string>() };
      row.events++;
      row.patients.add(patientOf(item));
      rows.set(label, row);
    }
  }
  const out = [...rows.entries()].map(([label, r]) => ({
    label,
    events: r.events,
    patients: r.patients.size,
  }));
  if (order) return out;
  return out.sort((a, b) => b.patients - a.patients || b.events - a.events || (a.label < b.label ? -1 : 1));
}
