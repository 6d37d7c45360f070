// Eligibility from values the study already holds (issue #20): age from the birth date, the
// screening SLEDAI-2K from the screening visit's form, proteinuria and lupus nephritis from the
// screening labs and demographics — and what the definition's sources may name.
import { describe, expect, it } from 'vitest';
import { evaluateEligibility, msctSleTrial, validateStudyDefinition } from '../protocol/index.js';
import { ageInYears, heldScreeningValues, withHeldValues } from './held-screening.js';
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
