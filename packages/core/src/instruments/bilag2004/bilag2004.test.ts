import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BILAG2004_WORKED_CASES } from '../../testing/bilag2004-worked-examples.js';
import { CARDIORESPIRATORY_ITEMS } from './cardiorespiratory.js';
import { CONSTITUTIONAL_ITEMS } from './constitutional.js';
import { GASTROINTESTINAL_ITEMS } from './gastrointestinal.js';
import { HAEMATOLOGICAL_ITEMS } from './haematological.js';
import { MUCOCUTANEOUS_ITEMS } from './mucocutaneous.js';
import { MUSCULOSKELETAL_ITEMS } from './musculoskeletal.js';
import { NEUROPSYCHIATRIC_ITEMS } from './neuropsychiatric.js';
import { BILAG_NUMERIC_WEIGHTS, bilagNumericTotal } from './numeric.js';
import { OPHTHALMIC_ITEMS } from './ophthalmic.js';
import { RENAL_ITEMS } from './renal.js';
import { type Bilag2004Input, bilag2004Score } from './score.js';
import { BILAG2004_SYSTEMS, type Bilag2004System, type BilagGrade } from './types.js';

const NEVER = Object.fromEntries(BILAG2004_SYSTEMS.map((s) => [s, false])) as Record<
  Bilag2004System,
  boolean
>;
function grades(input: Bilag2004Input) {
  const r = bilag2004Score({ history: NEVER, ...input });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

describe('structure: 97 items in 9 systems (BILAG-2004 form rev. 1 Sep 2009; instruments.md §2.2.1)', () => {
  const lists = [
    CONSTITUTIONAL_ITEMS,
    MUCOCUTANEOUS_ITEMS,
    NEUROPSYCHIATRIC_ITEMS,
    MUSCULOSKELETAL_ITEMS,
    CARDIORESPIRATORY_ITEMS,
    GASTROINTESTINAL_ITEMS,
    OPHTHALMIC_ITEMS,
    RENAL_ITEMS,
    HAEMATOLOGICAL_ITEMS,
  ];
  test('counts 4+14+20+5+12+9+13+12+8 = 97, numbered 1..97 in order', () => {
    expect(lists.map((l) => l.length)).toEqual([4, 14, 20, 5, 12, 9, 13, 12, 8]);
    expect(lists.flat().map((i) => i.number)).toEqual(Array.from({ length: 97 }, (_, i) => i + 1));
  });
  test('item ids are unique snake_case codes', () => {
    const ids = lists.flat().map((i) => i.id);
    expect(new Set(ids).size).toBe(97);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});

describe('numeric weights', () => {
  test('BILAG-2004 A=12, B=8, C=1, D=E=0 (Yee 2010, PMC2919194)', () => {
    expect(BILAG_NUMERIC_WEIGHTS['bilag2004-12-8-1']).toEqual({ A: 12, B: 8, C: 1, D: 0, E: 0 });
  });
  test('classic option A=9, B=3, C=1, D=E=0 (BLIPS FAQ, instruments.md §2.1)', () => {
    expect(BILAG_NUMERIC_WEIGHTS['classic-9-3-1']).toEqual({ A: 9, B: 3, C: 1, D: 0, E: 0 });
  });
  test('total sums systems; max 9 × 12 = 108', () => {
    const allA = Object.fromEntries(BILAG2004_SYSTEMS.map((s) => [s, 'A'])) as Record<string, BilagGrade>;
    expect(bilagNumericTotal(allA)).toBe(108);
    expect(bilagNumericTotal(allA, 'classic-9-3-1')).toBe(81);
  });
});

describe('item-set pattern (instruments.md §2.2.2): A-set 2–4 → A, 1 → B; B-set 2–4 → B, 1 → C; C-set 1–4 → C', () => {
  test.each([
    ['A-set coded 2', { mucocutaneous: { skin_eruption_severe: 2 } }, 'mucocutaneous', 'A'],
    ['A-set coded 4', { neuropsychiatric: { psychosis: 4 } }, 'neuropsychiatric', 'A'],
    ['A-set coded 1 → B', { musculoskeletal: { arthritis_severe: 1 } }, 'musculoskeletal', 'B'],
    ['B-set coded 3', { cardiorespiratory: { pleurisy_pericarditis: 3 } }, 'cardiorespiratory', 'B'],
    ['B-set coded 1 → C', { gastrointestinal: { lupus_hepatitis: 1 } }, 'gastrointestinal', 'C'],
    ['C-set coded 4 → C', { ophthalmic: { episcleritis: 4 } }, 'ophthalmic', 'C'],
    ['coded 0 → E (never involved)', { ophthalmic: { episcleritis: 0 } }, 'ophthalmic', 'E'],
    ['ND → no activity', { mucocutaneous: { alopecia_mild: 'ND' } }, 'mucocutaneous', 'E'],
  ] as const)('%s', (_n, input, system, grade) => {
    expect(grades(input as Bilag2004Input).grades[system]).toBe(grade);
  });
});

describe('constitutional (PROVISIONAL rule from JSLE test vectors, instruments.md §2.2.2)', () => {
  test.each([
    [{ pyrexia: 3, weight_loss: 2, anorexia: 4 }, 'A'],
    [{ pyrexia: 3, weight_loss: 2 }, 'B'],
    [{ weight_loss: 3, anorexia: 3 }, 'B'],
    [{ pyrexia: 1 }, 'C'],
    [{ lymphadenopathy_splenomegaly: 4 }, 'C'],
    [{ pyrexia: 1, weight_loss: 1, anorexia: 1 }, 'C'],
    [{ pyrexia: 0, weight_loss: 0 }, 'E'],
  ] as const)('%j → %s', (items, g) => {
    expect(grades({ constitutional: items }).grades.constitutional).toBe(g);
  });
});

describe('haematological (PROVISIONAL cut-offs, instruments.md §2.2.4)', () => {
  const count = (value: number) => ({ value, unit: '10^9/L' as const });
  test.each([
    [{ platelets: count(24) }, 'A'],
    [{ platelets: count(25) }, 'B'],
    [{ platelets: count(49) }, 'B'],
    [{ platelets: count(50) }, 'C'],
    [{ platelets: count(149) }, 'C'],
    [{ platelets: count(150) }, 'E'],
    [{ neutrophils: count(0.4) }, 'A'],
    [{ neutrophils: count(0.5) }, 'B'],
    [{ neutrophils: count(1.0) }, 'C'],
    [{ wcc: count(0.9) }, 'A'],
    [{ wcc: count(1.9) }, 'B'],
    [{ wcc: count(3.9) }, 'C'],
    [{ wcc: count(4.0) }, 'E'],
    [{ lymphocytes: count(0.9) }, 'C'],
    [{ lymphocytes: count(0.1) }, 'C'],
    [{ haemoglobin: { value: 7.9, unit: 'g/dL' }, haemolysis: true }, 'A'],
    [{ haemoglobin: { value: 85, unit: 'g/L' }, haemolysis: true }, 'B'],
    [{ haemoglobin: { value: 10.9, unit: 'g/dL' }, haemolysis: true }, 'C'],
    [{ haemoglobin: { value: 7, unit: 'g/dL' } }, 'E'], // anaemia not attributed to SLE
    [{ haemoglobin: { value: 7, unit: 'g/dL' }, due_to_sle: { haemoglobin: true } }, 'A'],
    [{ platelets: count(10), due_to_sle: { platelets: false } }, 'E'],
    [{ ttp: 3 }, 'A'],
    [{ ttp: 1 }, 'B'],
    [{ coombs_positive: true }, 'C'],
    [{ platelets: { value: 40_000, unit: '/mm3' } }, 'B'],
  ] as const)('%j → %s', (h, g) => {
    expect(grades({ haematological: h as Bilag2004Input['haematological'] }).grades.haematological).toBe(g);
  });
});

describe('D versus E needs history (instruments.md §2.2.2)', () => {
  test('inactive + previously involved → D; never → E', () => {
    expect(grades({ history: { ...NEVER, renal: true } }).grades.renal).toBe('D');
    expect(grades({}).grades.renal).toBe('E');
  });
  test('a previous grade A–D counts as involvement', () => {
    expect(
      grades({ history: { ...NEVER, renal: undefined } as never, previous: { grades: { renal: 'B' } } })
        .grades.renal,
    ).toBe('D');
  });
  test('no activity and no history → history-missing issue naming the system', () => {
    const r = bilag2004Score({ mucocutaneous: { alopecia_mild: 2 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path.join('.'))).toContain('bilag2004.history.renal');
  });
  test('active systems do not need history', () => {
    const all = Object.fromEntries(BILAG2004_SYSTEMS.map((s) => [s, true]));
    const r = bilag2004Score({ history: all, mucocutaneous: { alopecia_mild: 2 } });
    expect(r.ok && r.value.grades.mucocutaneous).toBe('C');
  });
});

describe('worked visits (hand-checked; numeric 12/8/1)', () => {
  const cases = BILAG2004_WORKED_CASES;
  test.each(cases)('%s', (_n, input, expected, numeric) => {
    const v = grades(input);
    expect(v.grades).toMatchObject(expected);
    expect(v.numeric).toBe(numeric);
  });
  test('classic 9/3/1 scheme is labelled in the result', () => {
    const r = bilag2004Score(
      { history: NEVER, renal: { active_nephritis: true, active_urinary_sediment: true } },
      { numericScheme: 'classic-9-3-1' },
    );
    expect(r.ok && r.value).toMatchObject({ numeric: 9, numericScheme: 'classic-9-3-1' });
  });
  test('trace names the item, its code and the grade it implies', () => {
    const r = bilag2004Score({ history: NEVER, mucocutaneous: { skin_eruption_severe: 3 } });
    expect(r.ok && r.trace).toContainEqual({
      item: 'mucocutaneous.skin_eruption_severe',
      source: 'entered',
      detail: 'item 5 coded 3 (worse); A-set item → A',
      contributes: 'A',
    });
  });
});

describe('invalid input is a typed issue naming the item', () => {
  test.each([
    [{ renal: { proteinuria: 1 } }, 'item-unknown', ['bilag2004', 'renal', 'proteinuria']],
    [{ mucocutaneous: { rash: 2 } }, 'item-unknown', ['bilag2004', 'mucocutaneous', 'rash']],
    [
      { mucocutaneous: { alopecia_mild: 5 } },
      'code-invalid',
      ['bilag2004', 'mucocutaneous', 'alopecia_mild'],
    ],
    [{ constitutional: { pyrexia: 'Y' } }, 'code-invalid', ['bilag2004', 'constitutional', 'pyrexia']],
    [
      { haematological: { platelets: { value: -3, unit: '10^9/L' } } },
      'value-negative',
      ['bilag2004', 'haematological', 'platelets'],
    ],
    [
      { haematological: { haemoglobin: { value: 9 } } },
      'unit-missing',
      ['bilag2004', 'haematological', 'haemoglobin'],
    ],
    [{ vasculitis: {} }, 'item-unknown', ['bilag2004', 'vasculitis']],
  ])('%j → %s', (input, code, path) => {
    const r = bilag2004Score({ history: NEVER, ...(input as object) } as Bilag2004Input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ code, path });
  });
});

describe('property: a system grade never depends on item order', () => {
  const systems = [
    ['mucocutaneous', MUCOCUTANEOUS_ITEMS],
    ['neuropsychiatric', NEUROPSYCHIATRIC_ITEMS],
    ['musculoskeletal', MUSCULOSKELETAL_ITEMS],
    ['cardiorespiratory', CARDIORESPIRATORY_ITEMS],
    ['gastrointestinal', GASTROINTESTINAL_ITEMS],
    ['ophthalmic', OPHTHALMIC_ITEMS],
    ['constitutional', CONSTITUTIONAL_ITEMS],
  ] as const;
  test.each(systems)('%s', (system, items) => {
    const code = fc.constantFrom('ND' as const, 0 as const, 1 as const, 2 as const, 3 as const, 4 as const);
    const entries = fc.array(fc.tuple(fc.constantFrom(...items.map((i) => i.id)), code), { maxLength: 20 });
    fc.assert(
      fc.property(entries, fc.func(fc.integer()), (pairs, key) => {
        const dedup = [...new Map(pairs).entries()];
        const shuffled = [...dedup].sort((a, b) => key(a[0]) - key(b[0]));
        const a = grades({ [system]: Object.fromEntries(dedup) }).grades[system];
        const b = grades({ [system]: Object.fromEntries(shuffled) }).grades[system];
        expect(b).toBe(a);
      }),
    );
  });
  test('raising any item code never lowers the system grade', () => {
    const order = { E: 0, D: 0, C: 1, B: 2, A: 3 } as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...MUCOCUTANEOUS_ITEMS.map((i) => i.id)),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        (id, x, y) => {
          const [lo, hi] = x < y ? [x, y] : [y, x];
          const g1 = grades({ mucocutaneous: { [id]: lo as 0 } }).grades.mucocutaneous;
          const g2 = grades({ mucocutaneous: { [id]: hi as 0 } }).grades.mucocutaneous;
          expect(order[g2]).toBeGreaterThanOrEqual(order[g1]);
        },
      ),
    );
  });
});
