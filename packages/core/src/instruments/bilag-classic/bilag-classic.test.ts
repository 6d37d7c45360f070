import { describe, expect, test } from 'vitest';
import {
  CLASSIC_BILAG_SYSTEMS,
  CLASSIC_BILAG_WEIGHTS,
  type ClassicBilagGrades,
  classicBilagDecompositions,
  classicBilagTotal,
} from './grades.js';
import { classicRenalRank } from './renal.js';

const base = Object.fromEntries(CLASSIC_BILAG_SYSTEMS.map((s) => [s, 'E'])) as Record<string, string>;
const total = (g: Record<string, string>) => {
  const r = classicBilagTotal({ ...base, ...g });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value.total;
};

describe('classic BILAG weights (BLIPS FAQ; instruments.md §2.1; trial.md)', () => {
  test('A=9, B=3, C=1, D=E=0', () => expect(CLASSIC_BILAG_WEIGHTS).toEqual({ A: 9, B: 3, C: 1, D: 0, E: 0 }));
  test('eight systems, vasculitis included', () => {
    expect(CLASSIC_BILAG_SYSTEMS).toHaveLength(8);
    expect(CLASSIC_BILAG_SYSTEMS).toContain('vasculitis');
  });
});

describe('Table 1 totals reproduce from grades (trial.md; data/table1.csv)', () => {
  const cases: [string, Record<string, string>, number][] = [
    ['patient 10: 7 = B+B+C', { renal: 'B', musculoskeletal: 'B', vasculitis: 'C' }, 7],
    ['patients 1, 2: 12 = A+B', { renal: 'A', musculoskeletal: 'B' }, 12],
    ['patients 3, 4: 9 = A', { renal: 'A' }, 9],
    ['patient 5: 8 = B+B+C+C', { renal: 'B', musculoskeletal: 'B', vasculitis: 'C', mucocutaneous: 'C' }, 8],
    [
      'patient 6: 19 = A+B+B+B+C',
      { renal: 'A', musculoskeletal: 'B', vasculitis: 'B', cardiorespiratory: 'B', general: 'C' },
      19,
    ],
    ['patient 7: 18 = A+A', { renal: 'A', cardiorespiratory: 'A' }, 18],
    ['patient 8: 20 = A+A+C+C', { renal: 'A', neurological: 'A', mucocutaneous: 'C', vasculitis: 'C' }, 20],
    [
      'patient 9: 26 = A+A+B+B+C+C',
      {
        renal: 'A',
        cardiorespiratory: 'A',
        musculoskeletal: 'B',
        vasculitis: 'B',
        mucocutaneous: 'C',
        general: 'C',
      },
      26,
    ],
    [
      'patient 11: 16 = A+B+B+C',
      { renal: 'A', mucocutaneous: 'B', cardiorespiratory: 'B', general: 'C' },
      16,
    ],
    ['patient 12: 13 = A+B+C', { haematological: 'A', musculoskeletal: 'B', vasculitis: 'C' }, 13],
    ['patient 13: 6 = B+B', { haematological: 'B', renal: 'B' }, 6],
    ['all D', Object.fromEntries(CLASSIC_BILAG_SYSTEMS.map((s) => [s, 'D'])), 0],
    ['all A = 72', Object.fromEntries(CLASSIC_BILAG_SYSTEMS.map((s) => [s, 'A'])), 72],
  ];
  test.each(cases)('%s', (_n, g, t) => expect(total(g)).toBe(t));
  test('every Table 1 total has a decomposition', () => {
    for (const t of [12, 12, 9, 9, 8, 19, 18, 20, 26, 7, 16, 13, 6])
      expect(classicBilagDecompositions(t).length).toBeGreaterThan(0);
    expect(classicBilagDecompositions(7)).toContainEqual({ A: 0, B: 2, C: 1 });
    expect(classicBilagDecompositions(73)).toEqual([]);
  });
});

describe('highest grade, trace and invalid input', () => {
  test('highest is the most severe system grade', () => {
    const r = classicBilagTotal({ ...base, renal: 'B', general: 'C' } as ClassicBilagGrades);
    expect(r.ok && r.value.highest).toBe('B');
    expect(r.ok && r.trace.find((t) => t.item === 'renal')).toMatchObject({ contributes: 3 });
  });
  test.each([
    [{ ...base, renal: 'F' }, 'code-invalid', ['bilagClassic', 'renal']],
    [{ ...base, ophthalmic: 'A' }, 'item-unknown', ['bilagClassic', 'ophthalmic']],
    [{ ...base, renal: undefined }, 'input-invalid', ['bilagClassic', 'renal']],
  ])('%j → %s', (g, code, path) => {
    const r = classicBilagTotal(g);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ code, path });
  });
});

describe('classic renal grade (instruments.md §2.1, sakitani.net bilag7 / PMC4411763)', () => {
  test.each([
    [{ proteinuriaA: true, activeSediment: true }, 3],
    [{ acceleratedHypertension: true, deterioratingFunction: true }, 2],
    [{ activeHistology: true }, 2],
    [{ creatinineRise115: true }, 2],
    [{ dipstickRiseTo2: true }, 2],
    [{ protein24hOver025: true }, 1],
    [{ risingBloodPressure: true }, 1],
    [{}, 0],
  ])('%j → %i', (c, rank) => expect(classicRenalRank(c)).toBe(rank));
});
