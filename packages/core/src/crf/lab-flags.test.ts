// Lab flags against reference ranges (issue #22): the limits are within the range, critical limits
// win over the limits of normal, the most specific range in force on the sample date applies, and
// an out-of-range value needs its CS/NCS answer. The built-in trial's protocol defaults are pinned
// to their sources (studies/msct-sle.json labReferenceRanges).
import { describe, expect, it } from 'vitest';
import { G_L_PER_G_DL, MGDL_PER_GL, PER_MM3_PER_1E9L } from '../instruments/units/conversions.js';
import { msctSleTrial } from '../protocol/msct-sle-trial.js';
import type { LabReferenceRange } from '../protocol/study-definition.js';
import { LABS_FORM } from './forms.js';
import {
  formatReferenceRange,
  labFlag,
  labFlagsOfForm,
  labSampleDate,
  referenceRangeFor,
  referenceRangeForValue,
  unansweredSignificance,
} from './lab-flags.js';

const r = (o: Partial<LabReferenceRange>): LabReferenceRange => ({
  itemCode: 'platelets',
  unit: '10^9/L',
  ...o,
});

describe('labFlag', () => {
  const range = { low: 125, high: 350, criticalLow: 20, criticalHigh: 1000 };
  it.each([
    [19.9, 'LL'],
    [20, 'L'],
    [124.9, 'L'],
    [125, 'N'],
    [350, 'N'],
    [350.1, 'H'],
    [1000, 'H'],
    [1000.1, 'HH'],
  ] as const)('%s → %s', (v, flag) => {
    expect(labFlag(v, range)).toBe(flag);
  });
  it('a one-sided range flags one side only', () => {
    expect(labFlag(0.5, { low: 0.9 })).toBe('L');
    expect(labFlag(50, { low: 0.9 })).toBe('N');
  });
});

describe('referenceRangeFor', () => {
  const ranges = [
    r({ low: 125, high: 350, source: 'protocol' }),
    r({ centre: 'NJ-DT', low: 100, high: 300, effectiveFrom: '2026-01-01', effectiveTo: '2026-06-30' }),
    r({ centre: 'NJ-DT', low: 110, high: 310, effectiveFrom: '2026-07-01' }),
    r({ itemCode: 'haemoglobin', unit: 'g/L', low: 130, high: 175, sex: 'male', source: 'p' }),
    r({ itemCode: 'haemoglobin', unit: 'g/L', low: 115, high: 150, sex: 'female', source: 'p' }),
  ];
  const at = (centre: string | null, date: string | null, sex: string | null = 'female') => ({
    centre,
    date,
    sex,
  });
  it('the site range in force on the sample date over the protocol default', () => {
    expect(referenceRangeFor(ranges, 'platelets', '10^9/L', at('NJ-DT', '2026-03-01'))?.low).toBe(100);
    expect(referenceRangeFor(ranges, 'platelets', '10^9/L', at('NJ-DT', '2026-06-30'))?.low).toBe(100);
    expect(referenceRangeFor(ranges, 'platelets', '10^9/L', at('NJ-DT', '2026-07-01'))?.low).toBe(110);
    expect(referenceRangeFor(ranges, 'platelets', '10^9/L', at('NJ-DT', '2025-12-31'))?.low).toBe(125);
    expect(referenceRangeFor(ranges, 'platelets', '10^9/L', at('ZJ-JU', '2026-03-01'))?.low).toBe(125);
  });
  it('no sample date: only open-ended ranges apply', () => {
    expect(referenceRangeFor(ranges, 'platelets', '10^9/L', at('NJ-DT', null))?.low).toBe(125);
  });
  it('by sex, and nothing for another unit or a subject of unknown sex where every range has one', () => {
    expect(referenceRangeFor(ranges, 'haemoglobin', 'g/L', at(null, null, 'male'))?.low).toBe(130);
    expect(referenceRangeFor(ranges, 'haemoglobin', 'g/L', at(null, null, 'female'))?.low).toBe(115);
    expect(referenceRangeFor(ranges, 'haemoglobin', 'g/L', at(null, null, null))).toBeUndefined();
    expect(referenceRangeFor(ranges, 'platelets', '/µL', at(null, null))).toBeUndefined();
  });
});

describe('the built-in trial', () => {
  const ranges = msctSleTrial.labReferenceRanges ?? [];
  const def = (item: string, unit: string, sex?: string) =>
    ranges.find((x) => x.itemCode === item && x.unit === unit && x.sex === sex);
  it('takes the adult Chinese blood-count reference intervals (WS/T 405-2012) and the C3 cut-off', () => {
    expect(def('haemoglobin', 'g/L', 'male')).toMatchObject({ low: 130, high: 175 });
    expect(def('haemoglobin', 'g/L', 'female')).toMatchObject({ low: 115, high: 150 });
    expect(def('haemoglobin', 'g/dL', 'female')).toMatchObject({ low: 11.5, high: 15 });
    expect(def('wbc', '10^9/L')).toMatchObject({ low: 3.5, high: 9.5 });
    expect(def('neutrophils', '10^9/L')).toMatchObject({ low: 1.8, high: 6.3 });
    expect(def('lymphocytes', '10^9/L')).toMatchObject({ low: 1.1, high: 3.2 });
    expect(def('platelets', '10^9/L')).toMatchObject({ low: 125, high: 350 });
    expect(def('c3', 'g/L')).toMatchObject({ low: 0.9 });
    expect(def('c3', 'mg/dL')).toMatchObject({ low: 90 });
    for (const x of ranges) expect(x.source).toMatch(/WS\/T 405-2012|instruments\.md §6\.4/);
    expect(formatReferenceRange(def('platelets', '10^9/L')!)).toBe('125–350 10^9/L');
    expect(formatReferenceRange(def('c3', 'g/L')!)).toBe('≥ 0.9 g/L');
  });

  it('flags a form and asks CS/NCS for each out-of-range value until answered', () => {
    const items = [
      { itemCode: 'sample_date', value: '2026-04-10', unit: null },
      { itemCode: 'platelets', value: '80', unit: '10^9/L' },
      { itemCode: 'wbc', value: '5', unit: '10^9/L' },
      { itemCode: 'c3', value: '45', unit: 'mg/dL' },
      { itemCode: 'c3_cs', value: 'NCS', unit: null },
      { itemCode: 'urea', value: '99', unit: 'mmol/L' },
    ];
    const ctx = { centre: 'NJ-DT', sex: 'female', date: labSampleDate(items, '2026-04-09') };
    expect(ctx.date).toBe('2026-04-10');
    const flags = labFlagsOfForm(LABS_FORM, ranges, items, ctx);
    expect(flags.map((f) => [f.itemCode, f.flag])).toEqual([
      ['platelets', 'L'],
      ['wbc', 'N'],
      ['c3', 'L'],
    ]);
    expect(unansweredSignificance(LABS_FORM, flags, items).map((d) => d.code)).toEqual(['platelets_cs']);
    const answered = [...items, { itemCode: 'platelets_cs', value: null, unit: null, missingCode: 'NK' }];
    expect(unansweredSignificance(LABS_FORM, flags, answered)).toEqual([]);
  });
});

// Issue #22 leftover: a value in a unit with no range of its own is converted by core's unit
// functions to a unit the item has a range in. Factors (instruments.md §6.4, conversions.ts):
// g/dL × 10 = g/L; complement g/L × 100 = mg/dL; 1 × 10⁹/L = 1000 /mm³ = 1000 /µL.
describe('ranges across units', () => {
  const ctx = { centre: 'NJ-DT', sex: 'female', date: '2026-04-10' };
  it('pins the factors it converts by', () => {
    expect(G_L_PER_G_DL).toBe(10);
    expect(MGDL_PER_GL).toBe(100);
    expect(PER_MM3_PER_1E9L).toBe(1000);
  });
  it('a count per mm³ is judged against the 10⁹/L range (÷ 1000)', () => {
    const ranges = [r({ low: 125, high: 350, source: 'p' })];
    const m = referenceRangeForValue(ranges, 'platelets', 80000, '/mm3', ctx);
    expect(m).toMatchObject({ valueInRangeUnit: 80, converted: true });
    expect(m?.range.unit).toBe('10^9/L');
    expect(labFlag(m!.valueInRangeUnit, m!.range)).toBe('L');
    // At the limit: 125 000 /µL is 125 × 10⁹/L, within the range.
    const atLimit = referenceRangeForValue(ranges, 'platelets', 125000, '/µL', ctx)!;
    expect(labFlag(atLimit.valueInRangeUnit, atLimit.range)).toBe('N');
  });
  it('the inverse of a factor: g/L against a g/dL range (÷ 10), mg/dL against a g/L one (÷ 100)', () => {
    const albumin = [r({ itemCode: 'albumin', unit: 'g/dL', low: 3.5, high: 5.5, source: 'p' })];
    expect(referenceRangeForValue(albumin, 'albumin', 34, 'g/L', ctx)?.valueInRangeUnit).toBe(3.4);
    const c3 = [r({ itemCode: 'c3', unit: 'g/L', low: 0.9, source: 'p' })];
    const m = referenceRangeForValue(c3, 'c3', 90, 'mg/dL', ctx)!;
    expect(m.valueInRangeUnit).toBe(0.9);
    expect(labFlag(m.valueInRangeUnit, m.range)).toBe('N');
    const mgdl = [r({ itemCode: 'c3', unit: 'mg/dL', low: 90, source: 'p' })];
    expect(referenceRangeForValue(mgdl, 'c3', 0.9, 'g/L', ctx)?.valueInRangeUnit).toBe(90);
  });
  it('a range in the entered unit wins; the site range over the default across units; no conversion, no flag', () => {
    const ranges = [
      r({ itemCode: 'haemoglobin', unit: 'g/L', low: 115, high: 150, source: 'p' }),
      r({ itemCode: 'haemoglobin', unit: 'g/dL', centre: 'NJ-DT', low: 12, high: 16 }),
    ];
    expect(referenceRangeForValue(ranges, 'haemoglobin', 120, 'g/L', ctx)).toMatchObject({
      converted: false,
      valueInRangeUnit: 120,
    });
    const other = referenceRangeForValue(ranges, 'haemoglobin', 11.9, 'mmol/L', ctx);
    expect(other).toBeUndefined();
    const siteFirst = referenceRangeForValue(
      [r({ unit: '/mm3', low: 100000, source: 'p' }), r({ centre: 'NJ-DT', low: 110 })],
      'platelets',
      105000,
      '/µL',
      ctx,
    );
    expect(siteFirst).toMatchObject({ converted: true, valueInRangeUnit: 105 });
    expect(siteFirst?.range.centre).toBe('NJ-DT');
    expect(referenceRangeForValue(ranges, 'haemoglobin', 120, null, ctx)).toBeUndefined();
  });
  it('labFlagsOfForm: albumin in g/dL flagged against a site range in g/L, C3 in g/L by its own range', () => {
    const ranges = [
      ...(msctSleTrial.labReferenceRanges ?? []),
      r({ itemCode: 'albumin', unit: 'g/L', low: 40, high: 55, centre: 'NJ-DT' }),
    ];
    const items = [
      { itemCode: 'albumin', value: '3.2', unit: 'g/dL' },
      { itemCode: 'c3', value: '0.95', unit: 'g/L' },
    ];
    const flags = labFlagsOfForm(LABS_FORM, ranges, items, ctx);
    expect(flags).toEqual([
      expect.objectContaining({
        itemCode: 'albumin',
        value: 3.2,
        unit: 'g/dL',
        flag: 'L',
        valueInRangeUnit: 32,
      }),
      expect.objectContaining({ itemCode: 'c3', flag: 'N' }),
    ]);
    expect(flags[1]).not.toHaveProperty('valueInRangeUnit');
  });
});
