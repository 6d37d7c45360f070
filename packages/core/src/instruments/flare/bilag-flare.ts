// BILAG flare: severe = a new A; moderate = a new B after a previous C, D or E (Gordon et al.,
// Rheumatology 2003;42:1372-9; instruments.md §2.2.6). "New A" = A now and not A before.
// Works for BILAG-2004 and classic grades alike (any system keys).
import type { BilagGrade } from '../bilag2004/types.js';
import type { TraceEntry } from '../result.js';

export type BilagFlareSeverity = 'severe' | 'moderate' | 'none';

export interface BilagFlareValue {
  readonly severity: BilagFlareSeverity;
  readonly newA: readonly string[];
  readonly newB: readonly string[];
}

/** Systems with a new A and with a new B (from C, D or E), and the overall flare severity. */
export function bilagFlare(
  previous: Readonly<Record<string, BilagGrade>>,
  current: Readonly<Record<string, BilagGrade>>,
): { value: BilagFlareValue; trace: TraceEntry[] } {
  const newA: string[] = [];
  const newB: string[] = [];
  const trace: TraceEntry[] = [];
  for (const system in current) {
    const now = current[system];
    const before = previous[system] ?? 'E';
    if (now === 'A' && before !== 'A') {
      newA.push(system);
      trace.push({ item: system, source: 'rule', detail: `${before} → A: new A (severe flare)` });
    } else if (now === 'B' && (before === 'C' || before === 'D' || before === 'E')) {
      newB.push(system);
      trace.push({ item: system, source: 'rule', detail: `${before} → B: new B (moderate flare)` });
    }
  }
  const severity: BilagFlareSeverity = newA.length > 0 ? 'severe' : newB.length > 0 ? 'moderate' : 'none';
  return { value: { severity, newA, newB }, trace };
}
