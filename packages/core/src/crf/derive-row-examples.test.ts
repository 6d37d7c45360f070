// The worked examples of both instruments, and invalid visits, as stored items through the product
// path (deriveVisitScores → compact kernel); the random-visit contract is derive-row.test.ts.
import { describe, expect, test } from 'vitest';
import { type Bilag2004Input, bilag2004Score } from '../instruments/bilag2004/score.js';
import { BILAG2004_SYSTEMS } from '../instruments/bilag2004/types.js';
import { sledai2kAttributionItemCode } from '../instruments/sledai2k/descriptors.js';
import type { Sledai2kInput } from '../instruments/sledai2k/score.js';
import { BILAG2004_WORKED_CASES } from '../testing/bilag2004-worked-examples.js';
import { SLEDAI2K_WORKED_CASES } from '../testing/sledai2k-worked-examples.js';
import { dueToSleItemCode, historyItemCode } from './bilag2004-form.js';
import { deriveVisitScores } from './derive.js';
import type { RawItem, VisitItems } from './raw-items.js';

type Form = Record<string, RawItem>;

// ---- the worked examples, as stored items ----

const NEVER: Form = Object.fromEntries(
  BILAG2004_SYSTEMS.map((s) => [historyItemCode(s), { value: '0', unit: null }]),
);
const it = (value: string | number | boolean, unit: string | null = null): RawItem => ({
  value: typeof value === 'boolean' ? (value ? '1' : '0') : String(value),
  unit,
});

/** A SLEDAI-2K scorer input as the SLEDAI-2K, lab and vital-signs forms store it (CH50 has no item). */
function sledaiItems(input: Sledai2kInput): VisitItems {
  const sledai2k: Form = {};
  for (const [id, state] of Object.entries(input.descriptors ?? {})) {
    if (state === 'present') sledai2k[id] = it('1');
    if (state === 'not-sle') sledai2k[sledai2kAttributionItemCode(id as never)] = it('1');
  }
  const labs: Form = {};
  const vitals: Form = {};
  const l = input.labs ?? {};
  if (l.proteinuria24h) labs.proteinuria_24h = it(l.proteinuria24h.value, l.proteinuria24h.unit);
  if (l.upcr) labs.upcr = it(l.upcr.value, l.upcr.unit);
  if (l.urineRbcPerHpf) labs.urine_rbc_hpf = it(l.urineRbcPerHpf.value, '/hpf');
  if (l.urineWbcPerHpf) labs.urine_wbc_hpf = it(l.urineWbcPerHpf.value, '/hpf');
  if (l.platelets) labs.platelets = it(l.platelets.value, l.platelets.unit);
  if (l.wbc) labs.wbc = it(l.wbc.value, l.wbc.unit);
  if (l.urineCasts !== undefined) labs.urine_casts = it(l.urineCasts);
  for (const key of ['c3', 'c4'] as const) {
    const q = l[key];
    if (q) [labs[key], labs[`${key}_lln`]] = [it(q.value, q.unit), it(q.lowerLimitOfNormal, q.unit)];
  }
  if (l.antiDsDna)
    [labs.anti_dsdna, labs.anti_dsdna_uln] = [
      it(l.antiDsDna.value, l.antiDsDna.unit),
      it(l.antiDsDna.upperLimitOfNormal, l.antiDsDna.unit),
    ];
  if (l.temperature) vitals.temperature = it(l.temperature.value, l.temperature.unit);
  return { sledai2k, labs, 'vital-signs': vitals };
}

/** A BILAG-2004 scorer input as the BILAG-2004 form stores it. */
function bilagItems(input: Bilag2004Input): Form {
  const form: Form = { ...NEVER };
  for (const system of BILAG2004_SYSTEMS) {
    for (const [id, v] of Object.entries((input[system] ?? {}) as Record<string, unknown>)) {
      if (id === 'due_to_sle')
        for (const [lab, b] of Object.entries(v as Record<string, boolean>))
          form[dueToSleItemCode(lab as never)] = it(b);
      else if (typeof v === 'object' && v !== null) {
        const q = v as { value: number; unit: string };
        form[id] = it(q.value, q.unit);
      } else form[id] = it(v as string | number | boolean);
    }
  }
  return form;
}

describe('worked examples through the product path (items as stored → deriveVisitScores)', () => {
  test.each(SLEDAI2K_WORKED_CASES.filter(([, input]) => input.labs?.ch50 === undefined))(
    'SLEDAI-2K %s',
    (_n, input, total, clinical) => {
      const r = deriveVisitScores(sledaiItems(input)).sledai;
      expect(r?.ok && [r.value.score, r.value.clinicalScore]).toEqual([total, clinical]);
    },
  );
  test.each([...BILAG2004_WORKED_CASES])('BILAG-2004 %s', (_n, input, expected, numeric) => {
    const r = deriveVisitScores({ bilag2004: bilagItems(input) }).bilag2004;
    if (!r?.ok) throw new Error(JSON.stringify(r));
    expect(r.value.grades).toMatchObject(expected);
    expect(r.value.numeric).toBe(numeric);
    // The reference on the structured input agrees (the items say the same thing).
    const ref = bilag2004Score({
      history: Object.fromEntries(BILAG2004_SYSTEMS.map((s) => [s, false])),
      ...input,
    });
    expect(ref.ok && ref.value.numeric).toBe(numeric);
  });
});

describe('invalid stored visits get the reference issues, never a partial score', () => {
  test.each([
    [{ sledai2k: {}, labs: { wbc: it('-1', '10^9/L') } }, 'sledai', 'value-negative'],
    [{ sledai2k: {}, labs: { platelets: it('80', 'g/L') } }, 'sledai', 'unit-invalid'],
    [{ sledai2k: {}, 'vital-signs': { temperature: it('39', null) } }, 'sledai', 'unit-missing'],
    [{ bilag2004: { ...NEVER, alopecia_mild: it('5') } }, 'bilag2004', 'code-invalid'],
    [{ bilag2004: { ...NEVER, creatinine: it('abc', 'µmol/L') } }, 'bilag2004', 'value-not-finite'],
    [{ bilag2004: { ...NEVER, dipstick_protein: it('4') } }, 'bilag2004', 'code-invalid'],
    [{ bilag2004: { alopecia_mild: it('2') } }, 'bilag2004', 'history-missing'],
  ] as const)('%j → %s %s', (items, instrument, code) => {
    const r = deriveVisitScores(items as VisitItems)[instrument];
    expect(r?.ok).toBe(false);
    expect(r?.ok === false && r.issues.map((i) => i.code)).toContain(code);
  });
});
