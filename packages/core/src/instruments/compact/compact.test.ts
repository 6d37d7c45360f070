// The contract of the compact path: for every visit, compileVisit accepts it iff the reference
// scorers do (with the same issues), and scoreCompact gives exactly the reference's SLEDAI-2K
// total, clinical SLEDAI, presentMask, window, the nine BILAG-2004 grades and the numeric total.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BILAG2004_WORKED_CASES } from '../../testing/bilag2004-worked-examples.js';
import { SLEDAI2K_WORKED_CASES } from '../../testing/sledai2k-worked-examples.js';
import { CARDIORESPIRATORY_ITEMS } from '../bilag2004/cardiorespiratory.js';
import { CONSTITUTIONAL_ITEMS } from '../bilag2004/constitutional.js';
import { GASTROINTESTINAL_ITEMS } from '../bilag2004/gastrointestinal.js';
import { HAEM_BANDS, HAEMATOLOGICAL_ITEMS } from '../bilag2004/haematological.js';
import { MUCOCUTANEOUS_ITEMS } from '../bilag2004/mucocutaneous.js';
import { MUSCULOSKELETAL_ITEMS } from '../bilag2004/musculoskeletal.js';
import { NEUROPSYCHIATRIC_ITEMS } from '../bilag2004/neuropsychiatric.js';
import type { BilagNumericScheme } from '../bilag2004/numeric.js';
import { OPHTHALMIC_ITEMS } from '../bilag2004/ophthalmic.js';
import { RENAL_ITEMS, RENAL_THRESHOLDS } from '../bilag2004/renal.js';
import { type Bilag2004Input, bilag2004Score } from '../bilag2004/score.js';
import { BILAG2004_SYSTEMS, type Bilag2004System } from '../bilag2004/types.js';
import { SLEDAI2K_DESCRIPTOR_IDS } from '../sledai2k/descriptors.js';
import { SLEDAI2K_THRESHOLDS, type UpcrEquivalence } from '../sledai2k/lab-rules.js';
import { type Sledai2kInput, sledai2kScore } from '../sledai2k/score.js';
import { CREATININE_UMOL_PER_MGDL, UPCR_MGG_PER_MGMMOL } from '../units/conversions.js';
import { compileVisit, compileVisitInto, type VisitInput } from './compile.js';
import { createCompactScores, numericWeights, readCompactScore, scoreBatch, scoreCompact } from './kernel.js';
import { createCompactVisits } from './layout.js';

// ---- the arbitrary: built from the item lists the modules export ----

// Every threshold and band edge, scaled by the unit factors, and nudged by one ulp either side:
// values that sit exactly on (or next to) a comparator are where a restated rule would differ.
const EDGES: number[] = [
  ...Object.values(SLEDAI2K_THRESHOLDS),
  ...Object.values(RENAL_THRESHOLDS),
  ...Object.values(HAEM_BANDS).flat(),
].flatMap((e) =>
  [
    1,
    10,
    100,
    1000,
    0.1,
    0.001,
    CREATININE_UMOL_PER_MGDL,
    1 / CREATININE_UMOL_PER_MGDL,
    UPCR_MGG_PER_MGMMOL,
    1 / UPCR_MGG_PER_MGMMOL,
  ].flatMap((k) => {
    const x = e * k;
    return [x, x * (1 + Number.EPSILON), x * (1 - Number.EPSILON)];
  }),
);
const value = fc.oneof(
  fc.double({ min: 0, max: 500, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: 300 }),
  fc.constantFrom(...EDGES),
);
const quantity = (units: readonly string[]) => fc.record({ value, unit: fc.constantFrom(...units) });
/** `a` or undefined (not given), in the ratio present : 1. */
const maybe = <T>(a: fc.Arbitrary<T>, present = 1): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: a });
/** An object with the defined entries only (as JSON would carry it). */
function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
const code = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0 as const) },
  { weight: 7, arbitrary: fc.constantFrom('ND' as const, 1 as const, 2 as const, 3 as const, 4 as const) },
);

const COUNT_UNITS = ['10^9/L', '/mm3', '/µL'];
const sledaiLabs = fc
  .record({
    proteinuria24h: maybe(quantity(['g/24h', 'mg/24h'])),
    upcr: maybe(quantity(['mg/mmol', 'mg/g', 'g/g'])),
    urineRbcPerHpf: maybe(quantity(['/hpf'])),
    urineWbcPerHpf: maybe(quantity(['/hpf'])),
    c3: maybe(fc.record({ value, unit: fc.constantFrom('g/L', 'mg/dL'), lowerLimitOfNormal: value })),
    c4: maybe(fc.record({ value, unit: fc.constantFrom('g/L', 'mg/dL'), lowerLimitOfNormal: value })),
    ch50: maybe(fc.record({ value, unit: fc.constant('U/mL'), lowerLimitOfNormal: value })),
    antiDsDna: maybe(fc.record({ value, unit: fc.constantFrom('IU/mL', '%'), upperLimitOfNormal: value })),
    platelets: maybe(quantity(COUNT_UNITS)),
    wbc: maybe(quantity(COUNT_UNITS)),
    urineCasts: maybe(fc.boolean()),
    temperature: maybe(
      fc.oneof(
        fc.record({ value: fc.constantFrom(36.6, 38, 38.05, 38.1, 40), unit: fc.constant('°C' as const) }),
        fc.record({ value: fc.constantFrom(98.6, 100.4, 100.5, 104), unit: fc.constant('°F' as const) }),
        quantity(['°C', '°F']),
      ),
    ),
  })
  .map(defined);
const sledai: fc.Arbitrary<Sledai2kInput> = fc
  .record({
    windowDays: maybe(fc.constantFrom(10 as const, 30 as const)),
    descriptors: maybe(
      fc
        .tuple(
          ...SLEDAI2K_DESCRIPTOR_IDS.map(() =>
            fc.constantFrom(undefined, undefined, 'absent' as const, 'present' as const, 'not-sle' as const),
          ),
        )
        .map((vs) => defined(Object.fromEntries(SLEDAI2K_DESCRIPTOR_IDS.map((id, i) => [id, vs[i]])))),
      4,
    ),
    labs: maybe(sledaiLabs, 4),
  })
  .map((x) => defined(x) as Sledai2kInput);

const codedRecord = (items: readonly { id: string }[]) =>
  fc
    .tuple(...items.map(() => maybe(code, 1)))
    .map((cs) => defined(Object.fromEntries(items.map((it, i) => [it.id, cs[i]]))));

/** Renal values (and Y/N items when `withYesNo`) from RENAL_ITEMS: mm Hg and dipstick are plain numbers. */
function renalRecord(withYesNo: boolean) {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const it of RENAL_ITEMS) {
    if (it.kind === 'yes-no') {
      if (withYesNo) fields[it.id] = maybe(fc.boolean(), 1);
    } else if (it.id === 'dipstick_protein') fields[it.id] = maybe(fc.integer({ min: 0, max: 3 }), 1);
    else if ('units' in it && it.units[0] === 'mmHg')
      fields[it.id] = maybe(fc.oneof(fc.integer({ min: 60, max: 220 }), fc.constantFrom(...EDGES)), 1);
    else if ('units' in it) fields[it.id] = maybe(quantity(it.units), 1);
  }
  return fc.record(fields).map(defined);
}
const HAEM_LAB_IDS = HAEMATOLOGICAL_ITEMS.filter((i) => i.kind === 'value').map((i) => i.id);
const haemFields: Record<string, fc.Arbitrary<unknown>> = {};
for (const it of HAEMATOLOGICAL_ITEMS) {
  if (it.kind === 'value') haemFields[it.id] = maybe(quantity(it.units), 1);
  else if (it.kind === 'yes-no') haemFields[it.id] = maybe(fc.boolean(), 1);
  else haemFields[it.id] = maybe(code, 1);
}
haemFields.due_to_sle = maybe(
  fc
    .tuple(...HAEM_LAB_IDS.map(() => maybe(fc.boolean(), 1)))
    .map((bs) => defined(Object.fromEntries(HAEM_LAB_IDS.map((id, i) => [id, bs[i]])))),
);
const grade = fc.constantFrom('A' as const, 'B' as const, 'C' as const, 'D' as const, 'E' as const);
const perSystem = <T>(a: fc.Arbitrary<T | undefined>) =>
  fc
    .tuple(...BILAG2004_SYSTEMS.map(() => a))
    .map((vs) => defined(Object.fromEntries(BILAG2004_SYSTEMS.map((s, i) => [s, vs[i]]))));

const CODED: readonly [Bilag2004System, readonly { id: string }[]][] = [
  ['constitutional', CONSTITUTIONAL_ITEMS],
  ['mucocutaneous', MUCOCUTANEOUS_ITEMS],
  ['neuropsychiatric', NEUROPSYCHIATRIC_ITEMS],
  ['musculoskeletal', MUSCULOSKELETAL_ITEMS],
  ['cardiorespiratory', CARDIORESPIRATORY_ITEMS],
  ['gastrointestinal', GASTROINTESTINAL_ITEMS],
  ['ophthalmic', OPHTHALMIC_ITEMS],
];
const bilagFields: Record<string, fc.Arbitrary<unknown>> = {};
for (const [system, items] of CODED) bilagFields[system] = maybe(codedRecord(items), 3);
bilagFields.renal = maybe(renalRecord(true), 4);
bilagFields.haematological = maybe(fc.record(haemFields).map(defined), 4);
bilagFields.previous = maybe(
  fc.record({ renal: maybe(renalRecord(false), 4), grades: maybe(perSystem(maybe(grade, 1))) }).map(defined),
  4,
);
// Mostly a complete history (valid visits); sometimes partial, so that history-missing also occurs.
bilagFields.history = fc.oneof(
  { weight: 8, arbitrary: perSystem(fc.boolean()) },
  { weight: 2, arbitrary: maybe(perSystem(maybe(fc.boolean(), 1))) },
);
// Current values that sit exactly on a change rule's comparator relative to the previous visit
// (× 1.3, × 1.15, × 0.67, × 0.75, + 30/15 mm Hg), computed as the rule computes them.
const T = RENAL_THRESHOLDS;
const ties = fc.record({
  mask: fc.integer({ min: 0, max: 63 }),
  rise: fc.constantFrom(T.creatinineRiseA, T.creatinineRiseB),
  creat: fc.oneof(fc.integer({ min: 90, max: 260 }), fc.double({ min: 90, max: 260, noNaN: true })),
  gfr: fc.oneof(fc.integer({ min: 40, max: 130 }), fc.double({ min: 40, max: 130, noNaN: true })),
  p24: fc.double({ min: 0.2, max: 4, noNaN: true }),
  ratio: fc.oneof(fc.integer({ min: 20, max: 300 }), fc.double({ min: 20, max: 300, noNaN: true })),
  sbp: fc.integer({ min: 100, max: 150 }),
  dbp: fc.integer({ min: 60, max: 100 }),
});
function withTies(
  b: Bilag2004Input,
  t: typeof ties extends fc.Arbitrary<infer X> ? X : never,
): Bilag2004Input {
  if (t.mask === 0) return b;
  const cur: Record<string, unknown> = { ...b.renal };
  const prev: Record<string, unknown> = { ...b.previous?.renal };
  const q = (value: number, unit: string) => ({ value, unit });
  if (t.mask & 1) [prev.creatinine, cur.creatinine] = [q(t.creat, 'µmol/L'), q(t.rise * t.creat, 'µmol/L')];
  if (t.mask & 2)
    [prev.gfr, cur.gfr] = [q(t.gfr, 'mL/min/1.73m2'), q(T.gfrFallFraction * t.gfr, 'mL/min/1.73m2')];
  if (t.mask & 4)
    [prev.proteinuria_24h, cur.proteinuria_24h] = [
      q(t.p24, 'g/24h'),
      q(T.notDecreasedFraction * t.p24, 'g/24h'),
    ];
  if (t.mask & 8)
    [prev.upcr, cur.upcr] = [q(t.ratio, 'mg/mmol'), q(T.notDecreasedFraction * t.ratio, 'mg/mmol')];
  if (t.mask & 16)
    [prev.uacr, cur.uacr] = [q(t.ratio, 'mg/mmol'), q(T.notDecreasedFraction * t.ratio, 'mg/mmol')];
  if (t.mask & 32) {
    [prev.systolic_bp, cur.systolic_bp] = [t.sbp, t.sbp + T.systolicRise];
    [prev.diastolic_bp, cur.diastolic_bp] = [t.dbp, t.dbp + T.diastolicRise];
  }
  return { ...b, renal: cur, previous: { ...b.previous, renal: prev } } as Bilag2004Input;
}
const bilag = fc
  .tuple(
    fc.record(bilagFields).map((x) => defined(x) as Bilag2004Input),
    fc.oneof({ weight: 3, arbitrary: fc.constant({ mask: 0 }) }, { weight: 2, arbitrary: ties }),
  )
  .map(([b, t]) => (t.mask === 0 ? b : withTies(b, t as never)));

/** A visit as the API would hand it over (JSON round trip: no undefined, plain objects). */
const visit: fc.Arbitrary<VisitInput> = fc
  .record({ sledai, bilag })
  .map((v) => JSON.parse(JSON.stringify(v)) as VisitInput);

// ---- the check ----

const ROWS = 64;
const batch = createCompactVisits(ROWS);
const scores = createCompactScores(ROWS);

function reference(v: VisitInput, upcrEquivalence: UpcrEquivalence, numericScheme: BilagNumericScheme) {
  return {
    s: sledai2kScore(v.sledai, { trace: false, upcrEquivalence }),
    b: bilag2004Score(v.bilag, { trace: false, numericScheme }),
  };
}

/** Compiles into `row` (over whatever an earlier visit left there) and checks against the reference. */
function checkSame(
  v: VisitInput,
  row: number,
  upcrEquivalence: UpcrEquivalence,
  numericScheme: BilagNumericScheme,
) {
  const { s, b } = reference(v, upcrEquivalence, numericScheme);
  const compiled = compileVisitInto(batch, row, v, { upcrEquivalence });
  if (!s.ok || !b.ok) {
    expect(compiled.ok).toBe(false);
    expect(compiled.ok ? [] : compiled.issues).toEqual([
      ...(s.ok ? [] : s.issues),
      ...(b.ok ? [] : b.issues),
    ]);
    return false;
  }
  expect(compiled).toMatchObject({ ok: true, value: row });
  scoreCompact(batch, row, scores, row, numericWeights(numericScheme));
  expect(readCompactScore(batch, scores, row)).toEqual({
    sledai: s.value,
    bilag: { grades: b.value.grades, numeric: b.value.numeric },
  });
  return true;
}

describe('compact path ≡ reference scorers (fast-check)', () => {
  const runs: [UpcrEquivalence, BilagNumericScheme, number][] = [
    ['molar', 'bilag2004-12-8-1', 5000],
    ['rounded-10', 'classic-9-3-1', 2000],
  ];
  test.each(runs)('upcrEquivalence %s, numeric %s: %i random visits', (eq, scheme, numRuns) => {
    let valid = 0;
    fc.assert(
      fc.property(visit, fc.integer({ min: 0, max: ROWS - 1 }), (v, row) => {
        if (checkSame(v, row, eq, scheme)) valid++;
      }),
      { numRuns },
    );
    // Not vacuous: most generated visits are valid and really scored.
    expect(valid).toBeGreaterThan(numRuns * 0.6);
  });

  test('every grade, every SLEDAI lab descriptor and both D and E occur in the generated visits', () => {
    const seen = new Set<string>();
    let labBits = 0;
    for (const v of fc.sample(visit, { numRuns: 3000, seed: 42 })) {
      const { s, b } = reference(v, 'molar', 'bilag2004-12-8-1');
      if (!s.ok || !b.ok) continue;
      for (const [system, g] of Object.entries(b.value.grades)) seen.add(`${system}:${g}`);
      labBits |= s.value.presentMask;
    }
    const missing = BILAG2004_SYSTEMS.flatMap((system) => [...'ABCDE'].map((g) => `${system}:${g}`)).filter(
      (k) => !seen.has(k),
    );
    expect(missing).toEqual([]);
    expect(labBits).toBe((1 << SLEDAI2K_DESCRIPTOR_IDS.length) - 1);
  });
});

describe('worked examples through the compact path', () => {
  const NEVER = Object.fromEntries(BILAG2004_SYSTEMS.map((s) => [s, false]));
  test.each([...SLEDAI2K_WORKED_CASES])('SLEDAI-2K %s', (_n, input, total, clinical) => {
    const r = compileVisit({ sledai: input, bilag: { history: NEVER } });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const out = createCompactScores(1);
    scoreCompact(r.value, 0, out);
    expect([out.sledai[0], out.clinical[0]]).toEqual([total, clinical]);
  });
  test.each([...BILAG2004_WORKED_CASES])('BILAG-2004 %s', (_n, input, expected, numeric) => {
    const r = compileVisit({ sledai: {}, bilag: { history: NEVER, ...input } });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const out = createCompactScores(1);
    scoreBatch(r.value, out);
    const v = readCompactScore(r.value, out, 0);
    expect(v.bilag.grades).toMatchObject(expected);
    expect(v.bilag.numeric).toBe(numeric);
  });
  test('classic 9/3/1 through the batch option', () => {
    const r = compileVisit({
      sledai: {},
      bilag: { history: NEVER, renal: { active_nephritis: true, active_urinary_sediment: true } },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const out = createCompactScores(1);
    scoreBatch(r.value, out, { numericScheme: 'classic-9-3-1' });
    expect(out.numeric[0]).toBe(9);
  });
});

describe('invalid input is refused at compile time with the reference issues', () => {
  test.each([
    [{ sledai: { descriptors: { sneezing: true } }, bilag: {} }, 'item-unknown'],
    [{ sledai: {}, bilag: { history: {}, mucocutaneous: { alopecia_mild: 5 } } }, 'code-invalid'],
    [{ sledai: { labs: { wbc: { value: -1, unit: '10^9/L' } } }, bilag: {} }, 'value-negative'],
    [{ sledai: { labs: { c3: { value: 0.5, unit: 'g/L' } } }, bilag: {} }, 'reference-missing'],
    [{ sledai: {}, bilag: { renal: {} } }, 'history-missing'],
    [{ sledai: null, bilag: {} }, 'input-invalid'],
  ])('%j → %s', (input, code) => {
    const r = compileVisit(input as unknown as VisitInput);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toContain(code);
  });
  test('a refused visit leaves its row untouched', () => {
    const rows = createCompactVisits(1);
    const history = Object.fromEntries(BILAG2004_SYSTEMS.map((s) => [s, true]));
    const good: VisitInput = {
      sledai: { descriptors: { arthritis: 'present' } },
      bilag: { history, renal: { active_nephritis: true } },
    };
    expect(compileVisitInto(rows, 0, good).ok).toBe(true);
    const before = [rows.codes.slice(), rows.flags.slice(), rows.values.slice()];
    const bad = { sledai: { descriptors: { rash: 'yes' } }, bilag: {} } as unknown as VisitInput;
    expect(compileVisitInto(rows, 0, bad).ok).toBe(false);
    expect([rows.codes, rows.flags, rows.values]).toEqual(before);
  });
});
