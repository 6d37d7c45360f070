import { describe, expect, test } from 'vitest';
import {
  CTCAE_V5_GENERIC,
  ctcaeAnaemia,
  ctcaeCreatinineIncreased,
  ctcaeNeutropenia,
  ctcaeThrombocytopenia,
} from './ctcae.js';
import { assessSeriousness, expeditedReportingDays } from './seriousness.js';

describe('CTCAE v5 lab grades (instruments.md §5.1)', () => {
  test.each([
    [12, 0],
    [11.9, 1],
    [10, 1],
    [9.9, 2],
    [8, 2],
    [7.9, 3],
  ])('anaemia Hb %f g/dL (LLN 12) → G%i', (hb, g) => expect(ctcaeAnaemia(hb, 12)).toBe(g));
  test.each([
    [2, 0],
    [1.9, 1],
    [1.5, 1],
    [1.4, 2],
    [1, 2],
    [0.9, 3],
    [0.5, 3],
    [0.4, 4],
  ])('ANC %f → G%i', (x, g) => expect(ctcaeNeutropenia(x, 2)).toBe(g));
  test.each([
    [150, 0],
    [149, 1],
    [75, 1],
    [74, 2],
    [50, 2],
    [49, 3],
    [25, 3],
    [24, 4],
  ])('platelets %f → G%i', (x, g) => expect(ctcaeThrombocytopenia(x, 150)).toBe(g));
  test.each([
    [100, 100, undefined, 0],
    [101, 100, undefined, 1],
    [150, 100, undefined, 1],
    [151, 100, undefined, 2],
    [301, 100, undefined, 3],
    [601, 100, undefined, 4],
    [95, 100, 60, 2],
    [190, 100, 60, 3],
  ])('creatinine %f (ULN %f, baseline %s) → G%i', (v, uln, base, g) =>
    expect(ctcaeCreatinineIncreased(v, uln, base)).toBe(g),
  );
  test('generic grades 1–5 are described', () =>
    expect(Object.keys(CTCAE_V5_GENERIC)).toEqual(['1', '2', '3', '4', '5']));
});

describe('ICH E2A seriousness (instruments.md §5.3)', () => {
  test.each([
    [{}, false, []],
    [{ death: true }, true, ['AESDTH']],
    [{ lifeThreatening: true }, true, ['AESLIFE']],
    [{ hospitalisation: true }, true, ['AESHOSP']],
    [{ disability: true }, true, ['AESDISAB']],
    [{ congenitalAnomaly: true }, true, ['AESCONG']],
    [{ medicallyImportant: true }, true, ['AESMIE']],
    [{ hospitalisation: true, medicallyImportant: true }, true, ['AESHOSP', 'AESMIE']],
  ])('%j → serious %s', (c, serious, criteria) =>
    expect(assessSeriousness(c)).toEqual({ serious, criteria }),
  );
  test('expedited reporting: 7 days fatal/life-threatening SUSAR, 15 other SUSAR, none otherwise', () => {
    expect(expeditedReportingDays({ death: true }, true, true)).toBe(7);
    expect(expeditedReportingDays({ hospitalisation: true }, true, true)).toBe(15);
    expect(expeditedReportingDays({ hospitalisation: true }, false, true)).toBeUndefined();
    expect(expeditedReportingDays({}, true, true)).toBeUndefined();
  });
});
