import { describe, expect, test } from 'vitest';
import {
  expectedFormCodesAt,
  formChoicesAt,
  formEntryRefusal,
  formRecordRefusal,
  visitChoices,
  visitOpeningRefusal,
} from './entry-rules.js';
import { msctSleTrial } from './msct-sle-trial.js';

describe('entry follows the definition (issue #20)', () => {
  test('visits: the schedule and UNSCHEDULED, nothing else', () => {
    expect(visitChoices(msctSleTrial)).toEqual([
      'SCR',
      'D0',
      'D7',
      'M1',
      'M3',
      'M6',
      'M9',
      'M12',
      'UNSCHEDULED',
    ]);
    expect(visitOpeningRefusal(msctSleTrial, 'MSCT-SLE', { visitCode: 'M1' })).toBeUndefined();
    expect(visitOpeningRefusal(msctSleTrial, 'MSCT-SLE', { visitCode: 'BASELINE' })).toEqual({
      rule: 'visit-not-in-schedule',
      field: 'visitCode',
      message:
        'visitCode: "BASELINE" is not a visit of study MSCT-SLE (SCR, D0, D7, M1, M3, M6, M9, M12, UNSCHEDULED)',
    });
  });

  test('an unscheduled visit needs a reason', () => {
    expect(visitOpeningRefusal(msctSleTrial, 'S', { visitCode: 'UNSCHEDULED' })?.rule).toBe(
      'unscheduled-reason-required',
    );
    expect(visitOpeningRefusal(msctSleTrial, 'S', { visitCode: 'UNSCHEDULED', reason: '  ' })?.rule).toBe(
      'unscheduled-reason-required',
    );
    expect(
      visitOpeningRefusal(msctSleTrial, 'S', { visitCode: 'UNSCHEDULED', reason: 'flare' }),
    ).toBeUndefined();
  });

  test('cycles: screening is not repeated, and no cycle beyond the plan (maxCycles 2)', () => {
    expect(visitOpeningRefusal(msctSleTrial, 'S', { visitCode: 'M1', cycle: 2 })).toBeUndefined();
    expect(visitOpeningRefusal(msctSleTrial, 'S', { visitCode: 'SCR', cycle: 2 })?.rule).toBe(
      'visit-not-repeated-in-cycles',
    );
    expect(visitOpeningRefusal(msctSleTrial, 'S', { visitCode: 'M1', cycle: 3 })?.rule).toBe(
      'cycle-beyond-plan',
    );
  });

  test('forms: only where the definition collects them', () => {
    expect(formChoicesAt(msctSleTrial, 'D7')).toEqual(['infusion', 'vital-signs', 'adverse-events']);
    expect(formEntryRefusal(msctSleTrial, 'S', 'labs', 'M1')).toBeUndefined();
    expect(formEntryRefusal(msctSleTrial, 'S', 'labs', 'D7')).toMatchObject({
      rule: 'form-not-at-visit',
      message:
        'formCode: "labs" is not collected at visit D7 of study S (infusion, vital-signs, adverse-events; labs at SCR, D0, M1, M3, M6, M9, M12, UNSCHEDULED)',
    });
    expect(formEntryRefusal(msctSleTrial, 'S', 'LAB', 'M1')?.rule).toBe('form-not-in-definition');
  });

  test('an ad-hoc study (no definition) keeps free codes', () => {
    expect(visitChoices({})).toEqual([]);
    expect(visitOpeningRefusal({}, 'S', { visitCode: 'BASELINE' })).toBeUndefined();
    expect(formEntryRefusal({}, 'S', 'LAB', 'BASELINE')).toBeUndefined();
  });

  test('expected forms: what a scheduled visit collects; nothing at an unscheduled visit (not the end-of-study form)', () => {
    expect(formChoicesAt(msctSleTrial, 'UNSCHEDULED')).toContain('end-of-study');
    expect(expectedFormCodesAt(msctSleTrial.forms, 'UNSCHEDULED')).toEqual([]);
    expect(expectedFormCodesAt(msctSleTrial.forms, 'M12')).toEqual(formChoicesAt(msctSleTrial, 'M12'));
    expect(expectedFormCodesAt(msctSleTrial.forms, 'M12')).toContain('end-of-study');
    expect(expectedFormCodesAt(undefined, 'M1')).toEqual([]);
  });
});

describe('records of a form at a visit (issues #20, #23)', () => {
  const def = {
    ...msctSleTrial,
    forms: [
      ...msctSleTrial.forms,
      { id: 'conmed', title: 'Concomitant medication', visitCodes: ['D0'], repeating: true },
    ],
  };
  test('a repeating form takes any record from 1; any other form only record 1', () => {
    expect(formRecordRefusal(def, 'MSCT-SLE', 'conmed', 1)).toBeUndefined();
    expect(formRecordRefusal(def, 'MSCT-SLE', 'conmed', 7)).toBeUndefined();
    expect(formRecordRefusal(def, 'MSCT-SLE', 'labs', 1)).toBeUndefined();
    expect(formRecordRefusal(def, 'MSCT-SLE', 'labs', 2)).toEqual({
      rule: 'form-not-repeating',
      field: 'record',
      message:
        'record: form "labs" of study MSCT-SLE is not repeating, so a visit holds one record of it (record 1), not record 2',
    });
    expect(formRecordRefusal({}, 'ADHOC', 'x', 2)?.rule).toBe('form-not-repeating');
    expect(formRecordRefusal(def, 'MSCT-SLE', 'conmed', 0)?.message).toBe(
      'record: 0 is not a record number (1, 2, …)',
    );
  });
});
