import { describe, expect, test } from 'vitest';
import type { Issue } from '../result.js';
import { gradeRenal, type RenalInput, type RenalValues } from './renal.js';

// Every threshold and comparator below is instruments.md §2.2.3 (written BILAG-2004 renal rules as
// documented in the UK JSLE port of the legacy scorer, dappelbe/JSLE-REDCap).
function grade(input: RenalInput, previous?: RenalValues): string {
  const issues: Issue[] = [];
  const r = gradeRenal(input, previous, issues, null);
  if (issues.length) throw new Error(JSON.stringify(issues));
  return ['none', 'C', 'B', 'A'][r.rank]!;
}
const g24 = (value: number) => ({ value, unit: 'g/24h' as const });
const upcr = (value: number) => ({ value, unit: 'mg/mmol' as const });
const cr = (value: number) => ({ value, unit: 'µmol/L' as const });
const gfr = (value: number) => ({ value, unit: 'mL/min/1.73m2' as const });

describe('category A: ≥2 criteria, one of them 1, 4 or 5', () => {
  test('proteinuria > 1 g (strict) + active sediment → A', () => {
    expect(grade({ proteinuria_24h: g24(1.01), active_urinary_sediment: true })).toBe('A');
    expect(grade({ proteinuria_24h: g24(1), active_urinary_sediment: true })).toBe('B'); // 1 g is not > 1 g, but ≥ 0.5 g
  });
  test('UPCR > 100 mg/mmol (strict) + histology → A', () => {
    expect(grade({ upcr: upcr(101), active_nephritis: true })).toBe('A');
    expect(grade({ upcr: upcr(100), nephrotic_syndrome: true })).toBe('B');
  });
  test('accelerated hypertension + nephrotic syndrome alone is not A (needs 1, 4 or 5)', () => {
    expect(grade({ accelerated_hypertension: true, nephrotic_syndrome: true })).toBe('B');
  });
  test('"not decreased ≥25%": current must exceed 75% of previous', () => {
    expect(
      grade({ proteinuria_24h: g24(2), active_urinary_sediment: true }, { proteinuria_24h: g24(2.6) }),
    ).toBe('A'); // 76.9%
    // 2/2.7 = 74% → fell ≥ 25%: criterion 1 not met; sediment alone → B
    expect(
      grade({ proteinuria_24h: g24(2), active_urinary_sediment: true }, { proteinuria_24h: g24(2.7) }),
    ).toBe('B');
  });
  test('creatinine > 130 µmol/L and ≥ 130% of previous (criterion 3) + sediment → A', () => {
    expect(grade({ creatinine: cr(131), active_urinary_sediment: true }, { creatinine: cr(100) })).toBe('A');
    expect(grade({ creatinine: cr(130), active_urinary_sediment: true }, { creatinine: cr(90) })).toBe('B');
  });
  test('creatinine in mg/dL is converted with 88.4', () => {
    expect(
      grade(
        { creatinine: { value: 1.6, unit: 'mg/dL' }, active_urinary_sediment: true },
        { creatinine: cr(100) },
      ),
    ).toBe('A');
  });
  test('GFR < 80 and < 67% of previous; GFR < 50 with previous > 50 or unmeasured', () => {
    expect(grade({ gfr: gfr(60), active_nephritis: true }, { gfr: gfr(100) })).toBe('A'); // 60 < 67
    expect(grade({ gfr: gfr(70), active_nephritis: true }, { gfr: gfr(100) })).toBe('B'); // 70 ≥ 67
    expect(grade({ gfr: gfr(49), active_nephritis: true })).toBe('A');
    expect(grade({ gfr: gfr(49), active_nephritis: true }, { gfr: gfr(50) })).toBe('B'); // previous not > 50
  });
  test('dipstick rise ≥ 2 levels counts only without a quantitative value', () => {
    expect(grade({ dipstick_protein: 3, active_urinary_sediment: true }, { dipstick_protein: 1 })).toBe('A');
    expect(
      grade({ dipstick_protein: 3, upcr: upcr(10), active_urinary_sediment: true }, { dipstick_protein: 1 }),
    ).toBe('B');
  });
});

describe('category B', () => {
  test('24 h ≥ 0.5 g inclusive; UPCR ≥ 50 inclusive', () => {
    expect(grade({ proteinuria_24h: g24(0.5) })).toBe('B');
    expect(grade({ proteinuria_24h: g24(0.49) })).toBe('C');
    expect(grade({ upcr: upcr(50) })).toBe('B');
    expect(grade({ upcr: upcr(49.9) })).toBe('C');
  });
  test('creatinine > 130 and ≥ 115% of previous', () => {
    expect(grade({ creatinine: cr(140) }, { creatinine: cr(121) })).toBe('B'); // 115.7%
    expect(grade({ creatinine: cr(140) }, { creatinine: cr(122) })).toBe('none'); // 114.8%
  });
  test('dipstick risen ≥ 1 level to at least 2+', () => {
    expect(grade({ dipstick_protein: 2 }, { dipstick_protein: 1 })).toBe('B');
    expect(grade({ dipstick_protein: 1 }, { dipstick_protein: 0 })).toBe('C');
  });
});

describe('category C', () => {
  test('24 h > 0.25 g strict; UPCR > 25 strict; dipstick ≥ 1+', () => {
    expect(grade({ proteinuria_24h: g24(0.26) })).toBe('C');
    expect(grade({ proteinuria_24h: g24(0.25) })).toBe('none');
    expect(grade({ upcr: upcr(25) })).toBe('none');
    expect(grade({ uacr: { value: 26, unit: 'mg/mmol' } })).toBe('C');
    expect(grade({ dipstick_protein: 1 })).toBe('C');
  });
  test('rising BP: > 140/90 with rises ≥ 30/15', () => {
    expect(grade({ systolic_bp: 150, diastolic_bp: 95 }, { systolic_bp: 120, diastolic_bp: 80 })).toBe('C');
    expect(grade({ systolic_bp: 150, diastolic_bp: 95 }, { systolic_bp: 121, diastolic_bp: 80 })).toBe(
      'none',
    );
    expect(grade({ systolic_bp: 140, diastolic_bp: 95 }, { systolic_bp: 100, diastolic_bp: 70 })).toBe(
      'none',
    );
    expect(grade({ systolic_bp: 150, diastolic_bp: 95 })).toBe('none'); // first visit: no rise shown
  });
});

describe('invalid renal input', () => {
  test.each([
    [{ upcr: { value: 10 } }, 'unit-missing', 'upcr'],
    [{ creatinine: { value: -5, unit: 'µmol/L' } }, 'value-negative', 'creatinine'],
    [{ dipstick_protein: 4 }, 'code-invalid', 'dipstick_protein'],
    [{ proteinuria: 1 }, 'item-unknown', 'proteinuria'],
    [{ nephrotic_syndrome: 'Y' }, 'code-invalid', 'nephrotic_syndrome'],
  ])('%j → %s', (input, code, item) => {
    const issues: Issue[] = [];
    gradeRenal(input as unknown as RenalInput, undefined, issues, null);
    expect(issues[0]).toMatchObject({ code, path: ['bilag2004', 'renal', item] });
  });
});
