// BICLA (Wallace et al.; instruments.md §3.2): all of — every baseline A improves to B/C/D and
// every baseline B to C/D; no new A and ≤ 1 new B; SLEDAI not higher than baseline; no
// significant PGA worsening (source prints "(≤10%)"; default here: increase < 0.3 on 0–3, the
// TULIP-type operationalisation, INFERRED — configurable); no treatment failure.
import type { BilagGrade } from '../bilag2004/types.js';
import type { TraceEntry } from '../result.js';
import { bilagFlare } from './bilag-flare.js';

export interface BiclaInput {
  readonly bilagBaseline: Readonly<Record<string, BilagGrade>>;
  readonly bilagCurrent: Readonly<Record<string, BilagGrade>>;
  readonly sledaiBaseline: number;
  readonly sledaiCurrent: number;
  readonly pgaBaseline: number;
  readonly pgaCurrent: number;
  readonly treatmentFailure: boolean;
}

export function bicla(input: BiclaInput, options?: { pgaWorseningLimit?: number }) {
  const limit = options?.pgaWorseningLimit ?? 0.3;
  const trace: TraceEntry[] = [];
  let improved = true;
  for (const system in input.bilagBaseline) {
    const b = input.bilagBaseline[system];
    const c = input.bilagCurrent[system] ?? 'E';
    const ok = b === 'A' ? c !== 'A' : b === 'B' ? c === 'C' || c === 'D' || c === 'E' : true;
    if (!ok) {
      improved = false;
      trace.push({ item: system, source: 'rule', detail: `baseline ${b} did not improve (now ${c})` });
    }
  }
  const f = bilagFlare(input.bilagBaseline, input.bilagCurrent).value;
  const noFlare = f.newA.length === 0 && f.newB.length <= 1;
  const sledaiOk = input.sledaiCurrent <= input.sledaiBaseline;
  const pgaRise = Math.round((input.pgaCurrent - input.pgaBaseline) * 1e9) / 1e9;
  const pgaOk = pgaRise < limit;
  trace.push(
    { item: 'bilag', source: 'rule', detail: `new A ${f.newA.length}, new B ${f.newB.length}` },
    { item: 'sledai', source: 'rule', detail: `${input.sledaiBaseline} → ${input.sledaiCurrent}` },
    { item: 'pga', source: 'rule', detail: `change ${pgaRise} (limit < ${limit})` },
  );
  return { value: { responder: improved && noFlare && sledaiOk && pgaOk && !input.treatmentFailure }, trace };
}
