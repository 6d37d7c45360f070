import { describe, expect, it } from 'vitest';
import { msctSleTrial } from './msct-sle-trial.js';
import {
  formStatusLabel,
  nextFormToEnter,
  recordedVisitStatus,
  SCHEDULE_ENDED_SUBJECT_STATUSES,
  scheduledVisitStatus,
  scheduledWork,
  subjectStatusLabel,
  VISIT_RECORD_STATUS_LABELS,
  VISIT_RECORD_STATUS_SYMBOLS,
  VISIT_RECORD_STATUSES,
} from './record-status.js';
import { visitStatuses } from './visit-schedule.js';

const title = (c: string) => ({ labs: 'Laboratory tests', bilag: 'BILAG (classic)' })[c] ?? c;

describe('one status vocabulary (issue 22)', () => {
  it('has a label and a symbol for every visit status, and labels for subject and form codes', () => {
    for (const s of VISIT_RECORD_STATUSES) {
      expect(VISIT_RECORD_STATUS_LABELS[s]).toBeTruthy();
      expect(typeof VISIT_RECORD_STATUS_SYMBOLS[s]).toBe('string');
    }
    expect(VISIT_RECORD_STATUS_LABELS.not_expected).toBe('not expected');
    expect(subjectStatusLabel('screen_failed')).toBe('Screen failed');
    expect(subjectStatusLabel('died')).toBe('Died');
    expect(formStatusLabel('complete')).toBe('complete, not signed');
    // Unknown codes are shown as they are, never as "undefined"; no prototype key is a label.
    expect(subjectStatusLabel('odd')).toBe('odd');
    expect(formStatusLabel('toString')).toBe('toString');
    expect([...SCHEDULE_ENDED_SUBJECT_STATUSES].sort()).toEqual(['died', 'screen_failed', 'withdrawn']);
  });

  it('a recorded visit: missed, incomplete (by form titles), complete, signed, locked', () => {
    const expected = ['labs', 'bilag'];
    expect(recordedVisitStatus({ status: 'missed', forms: [] }, expected, title).status).toBe('missed');
    expect(recordedVisitStatus({ status: 'open', forms: [] }, expected, title)).toEqual({
      status: 'incomplete',
      reason: 'visit opened, no form entered yet',
      why: { code: 'no_form_yet', params: {} },
    });
    expect(
      recordedVisitStatus(
        { status: 'open', forms: [{ formCode: 'labs', status: 'incomplete' }] },
        expected,
        title,
      ),
    ).toEqual({
      status: 'incomplete',
      reason: 'incomplete: Laboratory tests; not entered: BILAG (classic)',
      why: {
        code: 'forms_incomplete',
        params: { incomplete: 'Laboratory tests', missing: 'BILAG (classic)' },
      },
    });
    const both = (a: string, b: string) => ({
      status: 'open',
      forms: [
        { formCode: 'labs', status: a },
        { formCode: 'bilag', status: b },
      ],
    });
    expect(recordedVisitStatus(both('complete', 'signed'), expected, title)).toEqual({
      status: 'complete',
      reason: 'complete, not signed: Laboratory tests',
      why: { code: 'complete_not_signed', params: { forms: 'Laboratory tests' } },
    });
    expect(recordedVisitStatus(both('signed', 'signed'), expected, title)).toMatchObject({
      status: 'signed',
      why: { code: 'all_signed', params: {} },
    });
    expect(recordedVisitStatus(both('signed', 'locked'), expected, title)).toMatchObject({
      status: 'locked',
      why: { code: 'all_signed_locked', params: {} },
    });
    expect(recordedVisitStatus({ status: 'missed', forms: [] }, expected, title).why).toEqual({
      code: 'missed_by_site',
      params: {},
    });
  });

  it('after death or withdrawal a visit not done is not expected; a done one keeps its status', () => {
    const schedule = visitStatuses({
      visits: msctSleTrial.visits,
      day0: '2026-01-01',
      today: '2026-06-01',
      recorded: [
        { code: 'D0', date: '2026-01-01' },
        { code: 'D7', date: '2026-01-08' },
      ],
    });
    const m1 = schedule.visits.find((v) => v.code === 'M1')!;
    const d7 = schedule.visits.find((v) => v.code === 'D7')!;
    expect(m1.status).toBe('overdue');
    expect(scheduledVisitStatus(m1, 'enrolled').status).toBe('overdue');
    expect(scheduledVisitStatus(m1, 'died')).toEqual({
      status: 'not_expected',
      reason: 'subject died: visit not expected',
      why: { code: 'subject_off_study', params: { subjectStatus: 'died' } },
    });
    expect(scheduledVisitStatus(m1, 'enrolled').why).toEqual({
      code: 'window_closed',
      params: { closed: m1.latestDate },
    });
    expect(scheduledVisitStatus(d7, 'enrolled').why).toEqual({
      code: 'visit_in_window',
      params: { visit: 'D7', day: 7, earliestDay: d7.earliestDay, latestDay: d7.latestDay },
    });
    expect(scheduledVisitStatus(m1, 'withdrawn').status).toBe('not_expected');
    expect(scheduledVisitStatus(d7, 'died').status).toBe('complete');
  });
});

describe('scheduled work of a subject (the coordinator worklist)', () => {
  // MSCT-SLE windows (trial.md "Schedule"): M1 day 30 ±7, M3 day 91 ±14.
  const at = (today: string, recorded: { code: string; date: string }[] = []) =>
    visitStatuses({ visits: msctSleTrial.visits, day0: '2026-01-01', today, recorded }).visits;
  const codes = (es: { code: string }[]) => es.map((e) => e.code);
  const done = [
    { code: 'SCR', date: '2025-12-20' },
    { code: 'D0', date: '2026-01-01' },
    { code: 'D7', date: '2026-01-08' },
  ];

  it('a window opening within the next six days is due this week; one opening on day 7 is not', () => {
    // M1 opens on day 23 = 2026-01-24.
    expect(codes(scheduledWork(at('2026-01-18', done), 'enrolled', '2026-01-18').dueThisWeek)).toEqual([
      'M1',
    ]);
    expect(codes(scheduledWork(at('2026-01-17', done), 'enrolled', '2026-01-17').dueThisWeek)).toEqual([]);
  });

  it('a visit in its window is due; after its window it is overdue; done visits ask nothing', () => {
    const inWindow = scheduledWork(at('2026-01-31', done), 'enrolled', '2026-01-31');
    expect(codes(inWindow.dueThisWeek)).toEqual(['M1']);
    expect(inWindow.overdue).toEqual([]);
    // M1 closes on day 37 = 2026-02-07.
    const late = scheduledWork(at('2026-02-08', done), 'enrolled', '2026-02-08');
    expect(codes(late.overdue)).toEqual(['M1']);
    expect(late.dueThisWeek).toEqual([]);
    const m1Done = scheduledWork(
      at('2026-02-08', [...done, { code: 'M1', date: '2026-01-30' }]),
      'enrolled',
      '2026-02-08',
    );
    expect(m1Done).toEqual({ dueThisWeek: [], overdue: [] });
  });

  it('after death or withdrawal nothing is due or overdue', () => {
    expect(scheduledWork(at('2026-02-08', done), 'died', '2026-02-08')).toEqual({
      dueThisWeek: [],
      overdue: [],
    });
    expect(scheduledWork(at('2026-01-31', done), 'withdrawn', '2026-01-31')).toEqual({
      dueThisWeek: [],
      overdue: [],
    });
  });
});

describe('the next form of a visit (issue 22: save and go to the next form)', () => {
  const order = ['sledai2k', 'bilag', 'labs', 'medication', 'vital-signs'];
  it('skips complete, signed and locked forms; a form not entered yet is next', () => {
    const forms = [
      { formCode: 'sledai2k', status: 'incomplete' },
      { formCode: 'bilag', status: 'complete' },
      { formCode: 'labs', status: 'signed' },
      { formCode: 'vital-signs', status: 'incomplete' },
    ];
    expect(nextFormToEnter(order, forms, 'sledai2k')).toBe('medication');
    expect(nextFormToEnter(order, [...forms, { formCode: 'medication', status: 'locked' }], 'sledai2k')).toBe(
      'vital-signs',
    );
  });
  it('none after the last form (the forms before it are not revisited); forms outside the order follow it', () => {
    expect(nextFormToEnter(order, [], 'vital-signs')).toBeUndefined();
    expect(nextFormToEnter(order, [{ formCode: 'extra', status: 'incomplete' }], 'vital-signs')).toBe(
      'extra',
    );
    expect(
      nextFormToEnter(
        [],
        [
          { formCode: 'a', status: 'incomplete' },
          { formCode: 'b', status: 'complete' },
        ],
        'a',
      ),
    ).toBeUndefined();
  });
});
