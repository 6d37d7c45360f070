// Eligibility from values the study already holds (issue #20): age from the birth date, the
// screening SLEDAI-2K from the screening visit's form, proteinuria and lupus nephritis from the
// screening labs and demographics — and what the definition's sources may name.
import { describe, expect, it } from 'vitest';
import { evaluateEligibility, msctSleTrial, validateStudyDefinition } from '../protocol/index.js';
import {
  ageInYears,
  type HeldSubjectData,
  heldEgfr,
  heldScreeningValues,
  withHeldValues,
} from './held-screening.js';
import type { VisitItems } from './raw-items.js';
import { screeningFromItems } from './screening.js';

const sources = msctSleTrial.eligibilitySources ?? [];
const v = (value: string, unit: string | null = null) => ({ value, unit });

describe('ageInYears', () => {
  it.each([
    ['1990-03-02', '2026-03-01', 35],
    ['1990-03-02', '2026-03-02', 36],
    ['1990-03-02', '2026-12-31', 36],
    ['2000-02-29', '2015-02-28', 14],
    ['2000-02-29', '2015-03-01', 15],
    ['2026-03-02', '2026-03-01', undefined],
    ['1990-3-2', '2026-03-01', undefined],
  ])('born %s, on %s → %s', (birth, on, age) => {
    expect(ageInYears(birth, on)).toBe(age);
  });
});

describe('heldScreeningValues on the built-in trial', () => {
  it('declares age, SLEDAI-2K, lupus nephritis and proteinuria as held at SCR', () => {
    expect(sources.map((s) => [s.item, s.from])).toEqual([
      ['age_years', 'age'],
      ['sledai2k_screening', 'score'],
      ['lupus_nephritis', 'item'],
      ['urine_protein_24h_g', 'lab'],
      ['egfr_ml_min_1_73m2', 'egfr'],
    ]);
  });

  it('derives each value with its source, converting mg/24h to g/24h', () => {
    const held = heldScreeningValues(
      sources,
      {
        birthDate: '1990-03-02',
        visits: new Map([
          [
            'SCR',
            {
              visitDate: '2026-11-02',
              items: {
                // arthritis 4 + proteinuria 4 (> 0.5 g/24 h) + low C3 2 = 10 (instruments.md §1.2)
                sledai2k: { arthritis: v('1') },
                labs: {
                  proteinuria_24h: v('1800', 'mg/24h'),
                  c3: v('0.5', 'g/L'),
                  c3_lln: v('0.9', 'g/L'),
                },
                demographics: { lupus_nephritis: v('1') },
              },
            },
          ],
        ]),
      },
      { sledaiWindowDays: msctSleTrial.sledaiWindowDays },
    );
    expect(held).toEqual([
      { item: 'age_years', value: '36', source: 'from birth date 1990-03-02 (visit SCR on 2026-11-02)' },
      { item: 'sledai2k_screening', value: '10', source: 'from visit SCR form sledai2k, score 10' },
      {
        item: 'lupus_nephritis',
        value: '1',
        source: 'from visit SCR form demographics, lupus_nephritis = 1',
      },
      {
        item: 'urine_protein_24h_g',
        value: '1.8',
        source: 'from visit SCR form labs, 24-h urine protein 1800 mg/24h = 1.8 g/24h',
      },
    ]);
    // The held values, not what the screening form says, are what the criteria read.
    const form = { age_years: v('70'), sledai2k_screening: v('4'), urine_protein_24h_g: v('0.2') };
    const { data } = screeningFromItems(msctSleTrial.eligibility, withHeldValues(form, held));
    expect(data).toMatchObject({ age_years: 36, sledai2k_screening: 10, urine_protein_24h_g: 1.8 });
    const result = evaluateEligibility(msctSleTrial.eligibility, data);
    const status = (id: string) => result.criteria.find((c) => c.id === id)?.status;
    expect([status('inc-age'), status('inc-sledai'), status('inc-lupus-nephritis')]).toEqual([
      'met',
      'met',
      'met',
    ]);
  });

  it('holds nothing the study does not hold: no birth date, no visit date, empty forms', () => {
    expect(heldScreeningValues(sources, { birthDate: null, visits: new Map() })).toEqual([]);
    const visits = new Map([
      ['SCR', { visitDate: null, items: { sledai2k: { arthritis: v('') }, labs: { c3: v('0.5', 'g/L') } } }],
    ]);
    expect(heldScreeningValues(sources, { birthDate: '1990-03-02', visits })).toEqual([]);
  });
});

describe('eligibilitySources in validateStudyDefinition', () => {
  it('lists an unknown visit, an item no criterion reads, a duplicate and a form not collected there, by path', () => {
    const r = validateStudyDefinition({
      ...msctSleTrial,
      eligibilitySources: [
        { item: 'age_years', from: 'age', visit: 'SCR' },
        { item: 'age_years', from: 'age', visit: 'SCREEN' },
        { item: 'weight_kg', from: 'item', visit: 'SCR', form: 'vital-signs', formItem: 'weight' },
        { item: 'urine_protein_24h_g', from: 'lab', lab: 'proteinuriaG24h', visit: 'D7' },
      ],
    });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'eligibilitySources.1.item: duplicate eligibility source of item "age_years"',
      'eligibilitySources.1.visit: unknown visit code "SCREEN" (SCR, D0, D7, M1, M3, M6, M9, M12, UNSCHEDULED)',
      'eligibilitySources.2.item: no eligibility criterion reads "weight_kg"',
      'eligibilitySources.2.form: the definition collects no form "vital-signs" at visit "SCR"',
      'eligibilitySources.3: the definition collects no form "labs" at visit "D7"',
    ]);
  });

  it('refuses a source of an unknown kind or lab by the schema', () => {
    const r = validateStudyDefinition({
      ...msctSleTrial,
      eligibilitySources: [{ item: 'urine_protein_24h_g', from: 'lab', lab: 'ldl', visit: 'SCR' }],
    });
    expect(r.ok).toBe(false);
    expect(r.issues[0]?.path).toEqual(['eligibilitySources', 0, 'lab']);
  });
});

// The renal exclusion reads eGFR < 15 mL/min/1.73 m² (trial.md Population), derived from the
// screening creatinine with age and sex by CKD-EPI 2021 creatinine (instruments.md §6.1; Inker et
// al., N Engl J Med 2021;385:1737–49). Worked values: instruments.md §6.3 (1.2 mg/dL, 55 y, male →
// 71.42; kidney.org's calculator gives 71) and the same table's other rows.
describe('eGFR held from the screening creatinine', () => {
  const source = {
    item: 'egfr_ml_min_1_73m2',
    from: 'egfr',
    equation: 'ckd-epi-2021-cr',
    visit: 'SCR',
  } as const;
  const subject = (
    creatinine: { value: string; unit: string | null } | undefined,
    birthDate: string | null,
    sex: string | null,
  ): HeldSubjectData => ({
    birthDate,
    sex,
    visits: new Map([
      ['SCR', { visitDate: '2026-11-02', items: creatinine ? { labs: { creatinine } } : ({} as VisitItems) }],
    ]),
  });

  it.each([
    // creatinine as entered, birth date (age at 2026-11-02), sex → eGFR (instruments.md §6.3)
    [v('1.2', 'mg/dL'), '1971-01-01', 'male', 55, 71.42],
    [v('106.08', 'µmol/L'), '1971-01-01', 'male', 55, 71.42],
    [v('0.7', 'mg/dL'), '1986-01-01', 'female', 40, 112.05],
    [v('1', 'mg/dL'), '1966-01-01', 'female', 60, 64.5],
    [v('2.5', 'mg/dL'), '1956-01-01', 'male', 70, 26.96],
    [v('3', 'mg/dL'), '1981-01-01', 'female', 45, 18.95],
  ])('creatinine %o, born %s, %s (age %i) → eGFR %d', (cr, birth, sex, age, egfr) => {
    const h = heldEgfr(source, subject(cr, birth, sex));
    expect(h?.item).toBe('egfr_ml_min_1_73m2');
    // Held to one decimal: within 0.05 of the table's two-decimal value.
    expect(Math.abs(Number(h?.value) - egfr)).toBeLessThanOrEqual(0.0501);
    expect(h?.source).toContain(`age ${age}`);
    expect(h?.source).toContain(`${sex}: eGFR ${h?.value} mL/min/1.73 m²`);
  });

  it('is not held without creatinine, birth date or sex (the form asks)', () => {
    expect(heldEgfr(source, subject(undefined, '1971-01-01', 'male'))).toBeUndefined();
    expect(heldEgfr(source, subject(v('1.2', 'mg/dL'), null, 'male'))).toBeUndefined();
    expect(heldEgfr(source, subject(v('1.2', 'mg/dL'), '1971-01-01', null))).toBeUndefined();
    expect(heldEgfr(source, subject(v(' ', 'mg/dL'), '1971-01-01', 'female'))).toBeUndefined();
  });

  it('excludes by eGFR, not by creatinine: 3.5 mg/dL is eGFR 15.7 at 45 but 14.3 at 60 (female)', () => {
    const exclusion = msctSleTrial.eligibility.find((c) => c.id === 'exc-renal-failure')!;
    const at = (birth: string) => {
      const held = heldScreeningValues([source], subject(v('3.5', 'mg/dL'), birth, 'female'));
      const { data } = screeningFromItems([exclusion], withHeldValues({ on_dialysis: v('0') }, held));
      return evaluateEligibility([exclusion], data).criteria[0]!;
    };
    const younger = at('1981-01-01');
    expect(younger.status).toBe('met');
    expect(younger.reason).toContain('egfr_ml_min_1_73m2 = 15.7');
    const older = at('1966-01-01');
    expect(older.status).toBe('not_met');
    expect(older.reason).toContain('egfr_ml_min_1_73m2 = 14.3');
  });

  it('the definition refuses an eGFR source at a visit without a lab form', () => {
    const bad = {
      ...msctSleTrial,
      eligibilitySources: [{ ...source, visit: 'D7' }],
    };
    const r = validateStudyDefinition(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path.join('.'))).toContain('eligibilitySources.0');
  });
});
