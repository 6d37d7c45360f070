import { describe, expect, test } from 'vitest';
import { evaluateEligibility, type ScreeningData } from './eligibility.js';
import { msctSleScreeningItems as I, msctSleEligibilityCriteria } from './msct-sle-eligibility.js';

/** A screening record that meets every MSCT–SLE criterion. */
const eligible: ScreeningData = {
  [I.acrClassification]: true,
  [I.ageYears]: 30,
  [I.sledai2k]: 12,
  [I.lupusNephritis]: true,
  [I.urineProtein24hG]: 2.5,
  [I.failedPrednisoneMgDay]: 40,
  [I.failedCycDoseGM2]: 0,
  [I.failedCycMonths]: 0,
  [I.failedMmfGDay]: 0,
  [I.failedMmfMonths]: 0,
  [I.failedOtherImmunosuppressant]: false,
  [I.informedConsent]: true,
  [I.contraception]: true,
  [I.activeInfection]: false,
  [I.pregnantOrLactating]: false,
  [I.malignancy]: false,
  [I.severeHeartFailure]: false,
  [I.severeLiverFailure]: false,
  [I.egfr]: 75,
  [I.dialysis]: false,
  [I.otherTrialWithin3Months]: false,
};

const criteria = msctSleEligibilityCriteria();
const statusOf = (data: ScreeningData, id: string, maxAgeYears?: number) => {
  const set = maxAgeYears === undefined ? criteria : msctSleEligibilityCriteria({ maxAgeYears });
  return evaluateEligibility(set, data).criteria.find((c) => c.id === id)!;
};

describe('MSCT–SLE eligibility', () => {
  test('the complete record is eligible', () => {
    const r = evaluateEligibility(criteria, eligible);
    expect(r.overall).toBe('eligible');
    expect(r.criteria.every((c) => c.status === 'met')).toBe(true);
    expect(r.criteria).toHaveLength(13);
  });

  // Each row: criterion id, a change that meets it, one that does not, and the item whose absence leaves it missing.
  test.each([
    ['inc-acr-sle', { [I.acrClassification]: true }, { [I.acrClassification]: false }, I.acrClassification],
    // trial.md inclusion 1: age 15–60 inclusive.
    ['inc-age', { [I.ageYears]: 15 }, { [I.ageYears]: 14 }, I.ageYears],
    ['inc-age', { [I.ageYears]: 60 }, { [I.ageYears]: 61 }, I.ageYears],
    // trial.md inclusion 1: SLEDAI ≥ 8 (Table 1 patient 13 had 7).
    ['inc-sledai', { [I.sledai2k]: 8 }, { [I.sledai2k]: 7 }, I.sledai2k],
    // trial.md inclusion 2: LN with 24-h urine protein ≥ 1 g.
    ['inc-lupus-nephritis', { [I.urineProtein24hG]: 1 }, { [I.urineProtein24hG]: 0.99 }, I.urineProtein24hG],
    ['inc-lupus-nephritis', { [I.lupusNephritis]: true }, { [I.lupusNephritis]: false }, I.lupusNephritis],
    // trial.md inclusion 3: prednisone > 20 mg/day (20 itself is not enough) …
    [
      'inc-refractory',
      { [I.failedPrednisoneMgDay]: 20.5 },
      { [I.failedPrednisoneMgDay]: 20 },
      I.failedPrednisoneMgDay,
    ],
    ['inc-consent', { [I.informedConsent]: true }, { [I.informedConsent]: false }, I.informedConsent],
    ['inc-contraception', { [I.contraception]: true }, { [I.contraception]: false }, I.contraception],
    ['exc-infection', { [I.activeInfection]: false }, { [I.activeInfection]: true }, I.activeInfection],
    [
      'exc-pregnancy',
      { [I.pregnantOrLactating]: false },
      { [I.pregnantOrLactating]: true },
      I.pregnantOrLactating,
    ],
    ['exc-malignancy', { [I.malignancy]: false }, { [I.malignancy]: true }, I.malignancy],
    [
      'exc-heart-liver-failure',
      { [I.severeLiverFailure]: false },
      { [I.severeLiverFailure]: true },
      I.severeLiverFailure,
    ],
    // trial.md [design] exclusion: eGFR < 15 (15 itself is allowed) or dialysis.
    ['exc-renal-failure', { [I.egfr]: 15 }, { [I.egfr]: 14.9 }, I.egfr],
    ['exc-renal-failure', { [I.dialysis]: false }, { [I.dialysis]: true }, I.dialysis],
    [
      'exc-other-trial',
      { [I.otherTrialWithin3Months]: false },
      { [I.otherTrialWithin3Months]: true },
      I.otherTrialWithin3Months,
    ],
  ] as const)('%s: met, not met, missing', (id, metPatch, notMetPatch, item) => {
    expect(statusOf({ ...eligible, ...metPatch }, id).status).toBe('met');
    const notMet = statusOf({ ...eligible, ...notMetPatch }, id);
    expect(notMet.status).toBe('not_met');
    expect(notMet.reason).toContain(item);
    expect(evaluateEligibility(criteria, { ...eligible, ...notMetPatch }).overall).toBe('not_eligible');
    const missing = statusOf({ ...eligible, [item]: null }, id);
    expect(missing.status).toBe('missing');
    expect(missing.missingItems).toContain(item);
    expect(evaluateEligibility(criteria, { ...eligible, [item]: undefined }).overall).toBe('incomplete');
  });

  test('age upper bound is a parameter: 15–70 reading of the registry', () => {
    expect(statusOf({ ...eligible, [I.ageYears]: 65 }, 'inc-age').status).toBe('not_met');
    expect(statusOf({ ...eligible, [I.ageYears]: 65 }, 'inc-age', 70).status).toBe('met');
    expect(statusOf({ ...eligible, [I.ageYears]: 71 }, 'inc-age', 70).status).toBe('not_met');
  });

  describe('refractory routes (trial.md inclusion 3)', () => {
    const base = { ...eligible, [I.failedPrednisoneMgDay]: 10 };
    test.each([
      [
        'cyclophosphamide 0.5 g/m² for 6 months',
        { [I.failedCycDoseGM2]: 0.5, [I.failedCycMonths]: 6 },
        'met',
      ],
      [
        'cyclophosphamide 0.5 g/m² for 5 months',
        { [I.failedCycDoseGM2]: 0.5, [I.failedCycMonths]: 5 },
        'not_met',
      ],
      [
        'cyclophosphamide 0.3 g/m² for 6 months',
        { [I.failedCycDoseGM2]: 0.3, [I.failedCycMonths]: 6 },
        'not_met',
      ],
      ['MMF 2 g/day for 3 months', { [I.failedMmfGDay]: 2, [I.failedMmfMonths]: 3 }, 'met'],
      ['MMF 1.5 g/day for 3 months', { [I.failedMmfGDay]: 1.5, [I.failedMmfMonths]: 3 }, 'not_met'],
      ['another immunosuppressant', { [I.failedOtherImmunosuppressant]: true }, 'met'],
      [
        'prednisone only 10 mg and CYC unknown',
        { [I.failedCycDoseGM2]: null, [I.failedCycMonths]: null },
        'missing',
      ],
      [
        'CYC dose unknown but given for only 2 months',
        { [I.failedCycDoseGM2]: null, [I.failedCycMonths]: 2 },
        'not_met',
      ],
    ] as const)('%s → %2$s', (_label, patch, status) => {
      expect(statusOf({ ...base, ...patch }, 'inc-refractory').status).toBe(status);
    });
    test('one qualifying route decides even when other routes are not entered', () => {
      expect(
        statusOf({ ...eligible, [I.failedCycDoseGM2]: null, [I.failedMmfGDay]: null }, 'inc-refractory')
          .status,
      ).toBe('met');
    });
  });

  test('exclusion missing when eGFR unknown and not on dialysis; present when on dialysis', () => {
    expect(statusOf({ ...eligible, [I.egfr]: null }, 'exc-renal-failure').status).toBe('missing');
    expect(statusOf({ ...eligible, [I.egfr]: null, [I.dialysis]: true }, 'exc-renal-failure').status).toBe(
      'not_met',
    );
  });

  test('a non-numeric entry for a numeric item is treated as missing, not as a value', () => {
    const r = statusOf({ ...eligible, [I.sledai2k]: 'high' }, 'inc-sledai');
    expect(r.status).toBe('missing');
    expect(r.reason).toContain('not a number');
  });

  test('not eligible wins over incomplete', () => {
    const r = evaluateEligibility(criteria, { ...eligible, [I.sledai2k]: 7, [I.egfr]: null });
    expect(r.overall).toBe('not_eligible');
  });
});

describe('waivers (recorded protocol deviations)', () => {
  // Table 1 patient 13: baseline SLEDAI 7; patient 12: no LN (trial.md "Population").
  const patient13 = { ...eligible, [I.sledai2k]: 7 };

  test('a justified waiver turns not_met into waived and the patient becomes eligible', () => {
    const r = evaluateEligibility(criteria, patient13, [
      {
        criterionId: 'inc-sledai',
        reason: 'SLEDAI 7 with severe organ involvement; PI approved',
        approvedBy: 'PI',
      },
    ]);
    expect(r.overall).toBe('eligible');
    expect(r.waived.map((c) => c.id)).toEqual(['inc-sledai']);
    expect(r.waived[0]?.reason).toContain('waived (protocol deviation)');
    expect(r.rejectedWaivers).toEqual([]);
  });

  test('waivers without reason, for unknown criteria, or for criteria not failing are rejected', () => {
    const r = evaluateEligibility(criteria, patient13, [
      { criterionId: 'inc-sledai', reason: '  ' },
      { criterionId: 'inc-nope', reason: 'x' },
      { criterionId: 'inc-age', reason: 'not needed' },
    ]);
    expect(r.overall).toBe('not_eligible');
    expect(r.waived).toEqual([]);
    expect(r.rejectedWaivers.map((w) => w.reason)).toEqual([
      'a waiver needs a recorded justification',
      "no criterion with id 'inc-nope'",
      "criterion 'inc-age' is met; only a not_met criterion can be waived",
    ]);
  });

  test('a missing criterion cannot be waived: the record stays incomplete', () => {
    const r = evaluateEligibility(criteria, { ...eligible, [I.informedConsent]: null }, [
      { criterionId: 'inc-consent', reason: 'will sign later' },
    ]);
    expect(r.overall).toBe('incomplete');
    expect(r.rejectedWaivers).toHaveLength(1);
  });
});
