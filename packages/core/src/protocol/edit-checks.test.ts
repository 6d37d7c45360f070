import { describe, expect, it } from 'vitest';
import { type EditCheck, evaluateEditCheck, type StoredFormValues } from './edit-checks.js';
import { msctSleTrial } from './msct-sle-trial.js';
import { formatDefinitionIssue, validateStudyDefinition } from './validate-definition.js';

const v = (value: string | null, unit?: string): { value: string | null; unit: string | null } => ({
  value,
  unit: unit ?? null,
});
const check = (rule: EditCheck['rule'], extra: Partial<EditCheck> = {}): EditCheck => ({
  id: 'c1',
  message: 'm',
  severity: 'query',
  form: 'vital-signs',
  rule,
  ...extra,
});

describe('evaluateEditCheck', () => {
  const bp = check({ kind: 'compare', item: 'diastolic_bp', op: 'lt', other: 'systolic_bp' });
  const weight = check({
    kind: 'cross-visit',
    item: 'weight_kg',
    referenceVisit: 'D0',
    maxChangePercent: 10,
  });
  const range = check({ kind: 'range', item: 'heart_rate', min: 40, max: 150, unit: '/min' });
  const death = check({
    kind: 'required-if',
    item: 'death_cause',
    condition: { op: 'is', item: 'status', value: 'died' },
  });
  const biopsy = check({
    kind: 'required-if',
    item: 'biopsy_class',
    condition: { op: 'is', item: 'biopsy', value: true },
  });
  const cases: Array<[string, EditCheck, StoredFormValues, StoredFormValues | undefined, string]> = [
    [
      'dbp < sbp passes',
      bp,
      { diastolic_bp: v('80', 'mmHg'), systolic_bp: v('120', 'mmHg') },
      undefined,
      'pass',
    ],
    [
      'dbp = sbp fails',
      bp,
      { diastolic_bp: v('120', 'mmHg'), systolic_bp: v('120', 'mmHg') },
      undefined,
      'fail',
    ],
    ['dbp > sbp fails', bp, { diastolic_bp: v('130'), systolic_bp: v('90') }, undefined, 'fail'],
    ['sbp missing: undecided', bp, { diastolic_bp: v('130') }, undefined, 'not_applicable'],
    [
      'dbp a missing-data code: undecided',
      bp,
      { diastolic_bp: v('ND'), systolic_bp: v('90') },
      undefined,
      'not_applicable',
    ],
    [
      'units differ: undecided',
      bp,
      { diastolic_bp: v('13', 'kPa'), systolic_bp: v('90', 'mmHg') },
      undefined,
      'not_applicable',
    ],
    ['weight +10 % passes (limit inclusive)', weight, { weight_kg: v('66') }, { weight_kg: v('60') }, 'pass'],
    ['weight +10.5 % fails', weight, { weight_kg: v('66.3') }, { weight_kg: v('60') }, 'fail'],
    ['weight −12 % fails', weight, { weight_kg: v('52.8') }, { weight_kg: v('60') }, 'fail'],
    ['no day-0 weight: undecided', weight, { weight_kg: v('90') }, undefined, 'not_applicable'],
    ['range inside', range, { heart_rate: v('72', '/min') }, undefined, 'pass'],
    ['range on the bound', range, { heart_rate: v('150', '/min') }, undefined, 'pass'],
    ['range above', range, { heart_rate: v('151', '/min') }, undefined, 'fail'],
    ['range below', range, { heart_rate: v('39') }, undefined, 'fail'],
    ['died without cause fails', death, { status: v('died') }, undefined, 'fail'],
    ['died with blank cause fails', death, { status: v('died'), death_cause: v(' ') }, undefined, 'fail'],
    ['died with cause passes', death, { status: v('died'), death_cause: v('sepsis') }, undefined, 'pass'],
    ['completed without cause passes', death, { status: v('completed') }, undefined, 'pass'],
    ['no status passes', death, {}, undefined, 'pass'],
    // A yes/no item is stored 1 / 0: a condition `is true` reads 1 as yes.
    ['biopsy done (1) without class fails', biopsy, { biopsy: v('1') }, undefined, 'fail'],
    ['biopsy not done (0) without class passes', biopsy, { biopsy: v('0') }, undefined, 'pass'],
    ['biopsy true (import) without class fails', biopsy, { biopsy: v('true') }, undefined, 'fail'],
    ['biopsy done with class passes', biopsy, { biopsy: v('1'), biopsy_class: v('IV') }, undefined, 'pass'],
    [
      'compare with a value',
      check({ kind: 'compare', item: 'heart_rate', op: 'ne', value: 0 }),
      { heart_rate: v('0') },
      undefined,
      'fail',
    ],
    [
      'when false: not applicable',
      check(
        { kind: 'range', item: 'heart_rate', max: 100 },
        { when: { op: 'gt', item: 'temperature', value: 38 } },
      ),
      { heart_rate: v('130'), temperature: v('37') },
      undefined,
      'not_applicable',
    ],
    [
      'when true: checked',
      check(
        { kind: 'range', item: 'heart_rate', max: 100 },
        { when: { op: 'gt', item: 'temperature', value: 38 } },
      ),
      { heart_rate: v('130'), temperature: v('39') },
      undefined,
      'fail',
    ],
  ];
  it.each(cases)('%s', (_name, c, values, reference, status) => {
    expect(evaluateEditCheck(c, values, reference).status).toBe(status);
  });

  it('names the values it read', () => {
    const out = evaluateEditCheck(weight, { weight_kg: v('66.3', 'kg') }, { weight_kg: v('60', 'kg') });
    expect(out).toEqual({
      status: 'fail',
      item: 'weight_kg',
      missing: false,
      detail: 'weight_kg = 66.3 kg, weight_kg = 60 kg at D0: +10.5 % (limit ±10 %)',
    });
    expect(evaluateEditCheck(death, { status: v('died') }, undefined)).toMatchObject({
      item: 'death_cause',
      missing: true,
    });
  });

  it('names items by the labels it is given (issue 22: labels, not codes), the item code stays the field', () => {
    const labels: Record<string, string> = {
      weight_kg: 'Weight',
      death_cause: 'Cause of death',
      status: 'Status',
    };
    const label = (code: string) => labels[code] ?? code;
    expect(
      evaluateEditCheck(weight, { weight_kg: v('66.3', 'kg') }, { weight_kg: v('60', 'kg') }, label),
    ).toEqual({
      status: 'fail',
      item: 'weight_kg',
      missing: false,
      detail: 'Weight = 66.3 kg, Weight = 60 kg at D0: +10.5 % (limit ±10 %)',
    });
    expect(evaluateEditCheck(death, { status: v('died') }, undefined, label)).toEqual({
      status: 'fail',
      item: 'death_cause',
      missing: true,
      detail: 'Cause of death not entered although Status = died',
    });
  });
});

describe('edit checks in the definition', () => {
  it('the built-in trial carries cited edit checks and validates', () => {
    expect(validateStudyDefinition(msctSleTrial).ok).toBe(true);
    const checks = msctSleTrial.editChecks ?? [];
    expect(checks.map((c) => c.id)).toEqual([
      'vs-diastolic-below-systolic',
      'vs-weight-change-from-d0',
      'eos-death-cause',
      'eos-withdrawal-reason',
    ]);
    for (const c of checks) expect(c.source).toBeTruthy();
  });

  it('lists unknown forms, items and visits by path', () => {
    const bad = {
      ...msctSleTrial,
      editChecks: [
        check({ kind: 'compare', item: 'diastolic', op: 'lt', other: 'systolic_bp' }),
        check(
          { kind: 'cross-visit', item: 'weight_kg', referenceVisit: 'BASELINE', maxChangePercent: 10 },
          { id: 'c2' },
        ),
        check({ kind: 'range', item: 'x' }, { id: 'c3', form: 'vitals' }),
        check({ kind: 'range', item: 'heart_rate', min: 5, max: 1 }, { id: 'c3' }),
        check({ kind: 'compare', item: 'heart_rate', op: 'lt' }, { id: 'c5' }),
      ],
    };
    const r = validateStudyDefinition(bad);
    expect(r.ok).toBe(false);
    expect(r.issues.map(formatDefinitionIssue)).toEqual([
      'editChecks[0].rule.item: form "vital-signs" has no item "diastolic"',
      'editChecks[1].rule.referenceVisit: unknown visit code "BASELINE" (SCR, D0, D7, M1, M3, M6, M9, M12)',
      expect.stringMatching(/^editChecks\[2\]\.form: unknown form "vitals" \(/),
      'editChecks[3].id: duplicate edit check id "c3"',
      'editChecks[3].rule.max: max 1 is below min 5',
      'editChecks[4].rule: a compare rule names exactly one of other and value',
    ]);
  });
});
