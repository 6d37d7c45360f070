import { describe, expect, test } from 'vitest';
import type { BilagGrade } from '../bilag2004/types.js';
import { bicla } from './bicla.js';
import { bilagFlare } from './bilag-flare.js';
import { dorisRemission2021, lldas } from './remission.js';
import { renalResponse } from './renal-response.js';
import { selenaFlareIndex } from './sfi.js';
import { sri } from './sri.js';

type G = Record<string, BilagGrade>;
describe('BILAG flare (Gordon 2003; instruments.md §2.2.6)', () => {
  test.each([
    [{ renal: 'C' }, { renal: 'A' }, 'severe'],
    [{ renal: 'B' }, { renal: 'A' }, 'severe'],
    [{ renal: 'A' }, { renal: 'A' }, 'none'],
    [{ renal: 'C' }, { renal: 'B' }, 'moderate'],
    [{ renal: 'D' }, { renal: 'B' }, 'moderate'],
    [{ renal: 'E' }, { renal: 'B' }, 'moderate'],
    [{ renal: 'A' }, { renal: 'B' }, 'none'],
    [{ renal: 'B' }, { renal: 'B' }, 'none'],
    [{ renal: 'E' }, { renal: 'C' }, 'none'],
    [{ renal: 'B', musculoskeletal: 'E' }, { renal: 'A', musculoskeletal: 'B' }, 'severe'],
  ] as [G, G, string][])('%j → %j = %s', (prev, cur, sev) => {
    expect(bilagFlare(prev, cur).value.severity).toBe(sev);
  });
});

describe('SRI (Furie 2009; instruments.md §3.1)', () => {
  const base = {
    bilagBaseline: { renal: 'A' } as G,
    bilagCurrent: { renal: 'B' } as G,
    pgaBaseline: 1.5,
    pgaCurrent: 1.0,
  };
  test.each([
    [12, 8, 4, true],
    [12, 9, 4, false],
    [12, 7, 5, true],
    [12, 8, 5, false],
    [16, 8, 8, true],
  ] as const)('SLEDAI %i → %i, SRI-%i → %s', (b, c, t, want) => {
    expect(sri({ ...base, sledaiBaseline: b, sledaiCurrent: c }, t).value.responder).toBe(want);
  });
  test('PGA worsening ≥ 0.3 fails; 0.29 passes', () => {
    expect(
      sri({ ...base, sledaiBaseline: 12, sledaiCurrent: 4, pgaBaseline: 1.0, pgaCurrent: 1.3 }).value
        .responder,
    ).toBe(false);
    expect(
      sri({ ...base, sledaiBaseline: 12, sledaiCurrent: 4, pgaBaseline: 1.0, pgaCurrent: 1.29 }).value
        .responder,
    ).toBe(true);
  });
  test('one new B allowed, two not; any new A fails', () => {
    const s = { sledaiBaseline: 12, sledaiCurrent: 4, pgaBaseline: 1, pgaCurrent: 1 };
    expect(
      sri({ ...s, bilagBaseline: { a: 'C', b: 'C' }, bilagCurrent: { a: 'B', b: 'C' } }).value.responder,
    ).toBe(true);
    expect(
      sri({ ...s, bilagBaseline: { a: 'C', b: 'C' }, bilagCurrent: { a: 'B', b: 'B' } }).value.responder,
    ).toBe(false);
    expect(sri({ ...s, bilagBaseline: { a: 'C' }, bilagCurrent: { a: 'A' } }).value.responder).toBe(false);
  });
});

describe('BICLA (instruments.md §3.2)', () => {
  const ok = {
    bilagBaseline: { renal: 'A', mucocutaneous: 'B' } as G,
    bilagCurrent: { renal: 'B', mucocutaneous: 'C' } as G,
    sledaiBaseline: 10,
    sledaiCurrent: 10,
    pgaBaseline: 2,
    pgaCurrent: 2,
    treatmentFailure: false,
  };
  test.each([
    ['all improve', ok, true],
    ['A stays A', { ...ok, bilagCurrent: { renal: 'A', mucocutaneous: 'C' } as G }, false],
    ['B stays B', { ...ok, bilagCurrent: { renal: 'B', mucocutaneous: 'B' } as G }, false],
    ['SLEDAI worse', { ...ok, sledaiCurrent: 11 }, false],
    ['PGA +0.3', { ...ok, pgaCurrent: 2.3 }, false],
    ['treatment failure', { ...ok, treatmentFailure: true }, false],
  ] as const)('%s → %s', (_n, input, want) => expect(bicla(input).value.responder).toBe(want));
});

describe('LLDAS (Franklyn 2016) and DORIS 2021', () => {
  const l = {
    sledai2k: 4,
    majorOrganActivity: false,
    newFeaturesSincePrevious: false,
    pga: 1,
    prednisoloneMgPerDay: 7.5,
    standardMaintenanceTherapy: true,
  };
  test.each([
    [l, true],
    [{ ...l, sledai2k: 5 }, false],
    [{ ...l, majorOrganActivity: true }, false],
    [{ ...l, pga: 1.1 }, false],
    [{ ...l, prednisoloneMgPerDay: 7.6 }, false],
    [{ ...l, newFeaturesSincePrevious: true }, false],
  ])('LLDAS %j → %s', (i, want) => expect(lldas(i).value.met).toBe(want));
  const d = { clinicalSledai: 0, pga: 0.4, prednisoloneMgPerDay: 5, stableTherapy: true };
  test.each([
    [d, '<=', true],
    [d, '<', false],
    [{ ...d, pga: 0.5 }, '<=', false],
    [{ ...d, clinicalSledai: 2 }, '<=', false],
    [{ ...d, stableTherapy: false }, '<=', false],
  ] as const)('DORIS %j (%s 5 mg) → %s', (i, cmp, want) => {
    const r = dorisRemission2021(i, { prednisoloneComparator: cmp });
    expect(r.value).toEqual({ remission: want, prednisoloneComparator: cmp });
  });
});

describe('SELENA-SLEDAI Flare Index (instruments.md §1.5)', () => {
  const b = { sledaiPrevious: 4, sledaiCurrent: 4, pgaPrevious: 1, pgaCurrent: 1 };
  test.each([
    [b, 'none'],
    [{ ...b, sledaiCurrent: 7 }, 'mild-moderate'],
    [{ ...b, sledaiCurrent: 6 }, 'none'],
    [{ ...b, sledaiCurrent: 13 }, 'severe'],
    [{ ...b, sledaiPrevious: 10, sledaiCurrent: 12 }, 'none'],
    [{ ...b, newMildModerateManifestation: true }, 'mild-moderate'],
    [{ ...b, newSevereManifestation: true }, 'severe'],
    [{ ...b, pgaCurrent: 2 }, 'mild-moderate'],
    [{ ...b, pgaCurrent: 2.6 }, 'severe'],
    [{ ...b, prednisoneMgPerKgPrevious: 0.1, prednisoneMgPerKgCurrent: 0.6 }, 'severe'],
    [{ ...b, addedNsaidOrHydroxychloroquine: true }, 'mild-moderate'],
  ])('%j → %s', (i, want) => expect(selenaFlareIndex(i).value.flare).toBe(want));
});

describe('renal response records its definition (instruments.md §3.6)', () => {
  test.each([
    ['kdigo-2021', 3, 0.4, 60, 58, 'complete'],
    ['kdigo-2021', 3, 1.4, 60, 58, 'partial'],
    ['kdigo-2021', 3, 1.6, 60, 58, 'none'],
    ['kdigo-2021', 3, 0.4, 60, 50, 'none'],
    ['bliss-ln', 2, 0.45, 100, 95, 'complete'],
    ['bliss-ln', 2, 0.7, 70, 58, 'partial'],
    ['bliss-ln', 2, 0.71, 70, 65, 'none'],
    ['eular-2019', 4, 0.45, 80, 73, 'complete'],
    ['eular-2019', 4, 0.45, 80, 71, 'none'],
    ['eular-2019', 8, 3.5, 80, 80, 'none'],
  ] as const)('%s: UPCR %f → %f, eGFR %f → %f = %s', (def, ub, uc, eb, ec, want) => {
    const r = renalResponse(
      { upcrBaselineGG: ub, upcrCurrentGG: uc, egfrBaseline: eb, egfrCurrent: ec },
      def,
    );
    expect(r.value).toEqual({ response: want, definition: def });
  });
});
