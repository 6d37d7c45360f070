import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SLEDAI2K_WORKED_CASES } from '../../testing/sledai2k-worked-examples.js';
import {
  SLEDAI2K_DESCRIPTOR_IDS,
  SLEDAI2K_DESCRIPTORS,
  SLEDAI2K_MAX,
  type Sledai2kDescriptorId,
  type Sledai2kDescriptorState,
} from './descriptors.js';
import type { Sledai2kLabs } from './lab-rules.js';
import { type Sledai2kInput, sledai2kPresent, sledai2kScore } from './score.js';

function score(input: Sledai2kInput, opts?: Parameters<typeof sledai2kScore>[1]) {
  const r = sledai2kScore(input, opts);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}
const all = (v: Sledai2kDescriptorState) =>
  Object.fromEntries(SLEDAI2K_DESCRIPTOR_IDS.map((id) => [id, v])) as Record<
    Sledai2kDescriptorId,
    Sledai2kDescriptorState
  >;

describe('SLEDAI-2K weights (Gladman 2002; instruments.md §1.2 weight table and Sledai2kCalculator groups)', () => {
  const expected: Record<Sledai2kDescriptorId, number> = {
    seizure: 8,
    psychosis: 8,
    organic_brain_syndrome: 8,
    visual_disturbance: 8,
    cranial_nerve_disorder: 8,
    lupus_headache: 8,
    cva: 8,
    vasculitis: 8,
    arthritis: 4,
    myositis: 4,
    urinary_casts: 4,
    haematuria: 4,
    proteinuria: 4,
    pyuria: 4,
    rash: 2,
    alopecia: 2,
    mucosal_ulcers: 2,
    pleurisy: 2,
    pericarditis: 2,
    low_complement: 2,
    increased_dna_binding: 2,
    fever: 1,
    thrombocytopenia: 1,
    leukopenia: 1,
  };
  test.each(Object.entries(expected))('%s weighs %i', (id, w) => {
    expect(score({ descriptors: { [id]: 'present' } }).value.score).toBe(w);
  });
  test('24 descriptors, maximum 105 (instruments.md §1.1)', () => {
    expect(SLEDAI2K_DESCRIPTORS).toHaveLength(24);
    expect(score({ descriptors: all('present') }).value.score).toBe(105);
    expect(SLEDAI2K_MAX).toBe(105);
  });
  test('numbers run 1..24 in form order', () => {
    expect(SLEDAI2K_DESCRIPTORS.map((d) => d.number)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });
  test('every descriptor carries help text', () => {
    for (const d of SLEDAI2K_DESCRIPTORS) expect(d.definition.length).toBeGreaterThan(10);
  });
});

describe('lab thresholds and comparators (instruments.md §1.2)', () => {
  const lab = (labs: Sledai2kLabs) => score({ labs }).value.score;
  test('proteinuria > 0.5 g/24 h is strict (#13)', () => {
    expect(lab({ proteinuria24h: { value: 0.5, unit: 'g/24h' } })).toBe(0);
    expect(lab({ proteinuria24h: { value: 0.51, unit: 'g/24h' } })).toBe(4);
    expect(lab({ proteinuria24h: { value: 501, unit: 'mg/24h' } })).toBe(4);
  });
  test('UPCR equivalence: molar 8.84 by default, KDIGO rounded-10 on request (§1.6, §3.6)', () => {
    expect(lab({ upcr: { value: 55, unit: 'mg/mmol' } })).toBe(0); // 55 × 8.84 = 486 mg/g
    expect(lab({ upcr: { value: 57, unit: 'mg/mmol' } })).toBe(4); // 504 mg/g
    expect(
      score({ labs: { upcr: { value: 55, unit: 'mg/mmol' } } }, { upcrEquivalence: 'rounded-10' }).value
        .score,
    ).toBe(4);
    expect(lab({ upcr: { value: 500, unit: 'mg/g' } })).toBe(0);
    expect(lab({ upcr: { value: 0.6, unit: 'g/g' } })).toBe(4);
  });
  test('24 h protein wins over UPCR when both are given', () => {
    expect(lab({ proteinuria24h: { value: 0.3, unit: 'g/24h' }, upcr: { value: 2, unit: 'g/g' } })).toBe(0);
  });
  test('haematuria and pyuria > 5 /hpf strict (#12, #14)', () => {
    expect(lab({ urineRbcPerHpf: { value: 5, unit: '/hpf' } })).toBe(0);
    expect(lab({ urineRbcPerHpf: { value: 6, unit: '/hpf' } })).toBe(4);
    expect(lab({ urineWbcPerHpf: { value: 5, unit: '/hpf' } })).toBe(0);
    expect(lab({ urineWbcPerHpf: { value: 6, unit: '/hpf' } })).toBe(4);
  });
  test('low complement: below the lab LLN, strict; any of C3/C4/CH50 counts once (#20)', () => {
    expect(lab({ c3: { value: 0.9, unit: 'g/L', lowerLimitOfNormal: 0.9 } })).toBe(0);
    expect(lab({ c3: { value: 0.89, unit: 'g/L', lowerLimitOfNormal: 0.9 } })).toBe(2);
    expect(lab({ c4: { value: 9, unit: 'mg/dL', lowerLimitOfNormal: 10 } })).toBe(2);
    expect(lab({ ch50: { value: 20, unit: 'U/mL', lowerLimitOfNormal: 31 } })).toBe(2);
    expect(
      lab({
        c3: { value: 0.5, unit: 'g/L', lowerLimitOfNormal: 0.9 },
        c4: { value: 0.05, unit: 'g/L', lowerLimitOfNormal: 0.1 },
      }),
    ).toBe(2);
  });
  test('increased DNA binding: above the lab ULN, strict (#21)', () => {
    expect(lab({ antiDsDna: { value: 30, unit: 'IU/mL', upperLimitOfNormal: 30 } })).toBe(0);
    expect(lab({ antiDsDna: { value: 31, unit: 'IU/mL', upperLimitOfNormal: 30 } })).toBe(2);
  });
  test('thrombocytopenia < 100 × 10⁹/L strict, any count unit (#23)', () => {
    expect(lab({ platelets: { value: 100, unit: '10^9/L' } })).toBe(0);
    expect(lab({ platelets: { value: 99, unit: '10^9/L' } })).toBe(1);
    expect(lab({ platelets: { value: 99_000, unit: '/mm3' } })).toBe(1);
  });
  test('leukopenia < 3 × 10⁹/L strict (#24)', () => {
    expect(lab({ wbc: { value: 3, unit: '10^9/L' } })).toBe(0);
    expect(lab({ wbc: { value: 2.9, unit: '10^9/L' } })).toBe(1);
    expect(lab({ wbc: { value: 2999, unit: '/µL' } })).toBe(1);
  });
});

describe('worked cases (hand-checked sums of the §1.2 weights)', () => {
  const cases = SLEDAI2K_WORKED_CASES;
  test.each(cases)('%s', (_name, input, total, clinical) => {
    const r = score(input);
    expect(r.value.score).toBe(total);
    expect(r.value.clinicalScore).toBe(clinical);
  });
});

describe('window and trace', () => {
  test('window defaults to 10 days and 30 is recorded (Touma 2010)', () => {
    expect(score({}).value.windowDays).toBe(10);
    expect(score({ windowDays: 30 }).value.windowDays).toBe(30);
    const bad = sledai2kScore({ windowDays: 28 as 30 });
    expect(bad.ok).toBe(false);
  });
  test('trace names entered vs derived, with the lab value and the rule', () => {
    const r = score({
      descriptors: { arthritis: 'present' },
      labs: { c3: { value: 0.6, unit: 'g/L', lowerLimitOfNormal: 0.9 } },
    });
    expect(r.trace).toEqual([
      { item: 'arthritis', source: 'entered', detail: 'entered by assessor', contributes: 4 },
      {
        item: 'low_complement',
        source: 'derived',
        detail: 'C3 0.6 g/L < lab LLN 0.9 g/L (0.6 g/L)',
        contributes: 2,
      },
    ]);
    expect(sledai2kPresent(r.value.presentMask)).toEqual(['arthritis', 'low_complement']);
  });
  test('trace: false gives an empty trace and the same score', () => {
    const r = score({ descriptors: { arthritis: 'present' } }, { trace: false });
    expect(r.trace).toHaveLength(0);
    expect(r.value.score).toBe(4);
  });
  test('an excluded lab positive is traced as excluded', () => {
    const r = score({
      descriptors: { pyuria: 'not-sle' },
      labs: { urineWbcPerHpf: { value: 30, unit: '/hpf' } },
    });
    expect(r.trace[0]?.source).toBe('excluded');
  });
});

describe('invalid input is a typed issue naming the item', () => {
  test.each([
    [{ descriptors: { sneezing: true } }, 'item-unknown', ['sledai2k', 'descriptors', 'sneezing']],
    [{ descriptors: { toString: true } }, 'item-unknown', ['sledai2k', 'descriptors', 'toString']],
    [{ descriptors: { rash: 1 } }, 'code-invalid', ['sledai2k', 'descriptors', 'rash']],
    // Booleans are refused: false used to mean "not due to SLE" — the state must be explicit.
    [{ descriptors: { rash: false } }, 'code-invalid', ['sledai2k', 'descriptors', 'rash']],
    [
      { labs: { temperature: { value: 38.5, unit: 'K' } } },
      'unit-invalid',
      ['sledai2k', 'labs', 'temperature'],
    ],
    [{ labs: { urineCasts: 1 } }, 'code-invalid', ['sledai2k', 'labs', 'urineCasts']],
    [
      { labs: { platelets: { value: -1, unit: '10^9/L' } } },
      'value-negative',
      ['sledai2k', 'labs', 'platelets'],
    ],
    [{ labs: { platelets: { value: 100 } } }, 'unit-missing', ['sledai2k', 'labs', 'platelets']],
    [{ labs: { platelets: { value: 100, unit: 'g/L' } } }, 'unit-invalid', ['sledai2k', 'labs', 'platelets']],
    [
      { labs: { wbc: { value: Number.NaN, unit: '10^9/L' } } },
      'value-not-finite',
      ['sledai2k', 'labs', 'wbc'],
    ],
    [{ labs: { c3: { value: 0.5, unit: 'g/L' } } }, 'reference-missing', ['sledai2k', 'labs', 'c3']],
    [{ labs: { esr: { value: 5, unit: 'mm/h' } } }, 'item-unknown', ['sledai2k', 'labs', 'esr']],
  ])('%j → %s', (input, code, path) => {
    const r = sledai2kScore(input as unknown as Sledai2kInput);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues[0]?.code).toBe(code);
      expect(r.issues[0]?.path).toEqual(path);
    }
  });
});

describe('properties', () => {
  const subset = fc.subarray([...SLEDAI2K_DESCRIPTOR_IDS]);
  test('adding a descriptor never lowers the score (monotone)', () => {
    fc.assert(
      fc.property(subset, fc.constantFrom(...SLEDAI2K_DESCRIPTOR_IDS), (ids, extra) => {
        const base = Object.fromEntries(ids.map((id) => [id, 'present' as const]));
        const a = score({ descriptors: base }).value.score;
        const b = score({ descriptors: { ...base, [extra]: 'present' } }).value.score;
        expect(b).toBeGreaterThanOrEqual(a);
      }),
    );
  });
  test('score stays within 0..105 and clinical ≤ total', () => {
    fc.assert(
      fc.property(subset, (ids) => {
        const r = score({ descriptors: Object.fromEntries(ids.map((id) => [id, 'present' as const])) }).value;
        expect(r.score).toBeGreaterThanOrEqual(0);
        expect(r.score).toBeLessThanOrEqual(105);
        expect(r.clinicalScore).toBeLessThanOrEqual(r.score);
      }),
    );
  });
});
