/**
 * One status vocabulary for where a subject's record stands (issue 22): the record status grid, the
 * subject page, the visit page and the coordinator's worklist name a subject, a visit and a form with
 * these words, defined here once with their labels.
 *
 * A visit's status comes from the schedule until it is recorded (not due / due / overdue / missed,
 * visitStatuses in visit-schedule.ts, windows from the study definition: trial.md "Schedule"), then
 * from its forms (incomplete / complete / signed / locked). The schedule (trial.md "Schedule") is
 * for subjects on study: after death, withdrawal or a screen failure the subject is off study and no
 * further visit is expected (issue 22: those visits are "not expected", never overdue; the end-of-study
 * form, crf/forms.ts END_OF_STUDY_FORM, records why and when).
 */
import { addDays, type IsoDate } from './iso-date.js';
import type { StatusReason, VisitStatusEntry } from './visit-schedule.js';

/** A subject's status as the store records it, with the words shown for it. */
export const SUBJECT_STATUS_LABELS = {
  screening: 'Screening',
  enrolled: 'Enrolled',
  completed: 'Completed',
  withdrawn: 'Withdrawn',
  died: 'Died',
  screen_failed: 'Screen failed',
} as const;
export type SubjectStatusCode = keyof typeof SUBJECT_STATUS_LABELS;

/** After these a subject's remaining visits are not expected. */
export const SCHEDULE_ENDED_SUBJECT_STATUSES: ReadonlySet<string> = new Set<SubjectStatusCode>([
  'died',
  'withdrawn',
  'screen_failed',
]);

/** A form's status as the store records it, with the words shown for it. */
export const FORM_STATUS_LABELS = {
  incomplete: 'incomplete',
  complete: 'complete, not signed',
  signed: 'signed',
  locked: 'locked',
} as const;
export type FormStatusCode = keyof typeof FORM_STATUS_LABELS;

/** Where a visit of a subject stands, from the schedule or, once recorded, from its forms. */
export const VISIT_RECORD_STATUSES = [
  'not_due',
  'due',
  'overdue',
  'missed',
  'not_expected',
  'incomplete',
  'complete',
  'signed',
  'locked',
  'none',
] as const;
export type VisitRecordStatus = (typeof VISIT_RECORD_STATUSES)[number];

export const VISIT_RECORD_STATUS_LABELS: Record<VisitRecordStatus, string> = {
  not_due: 'not due',
  due: 'due',
  overdue: 'overdue',
  missed: 'missed',
  not_expected: 'not expected',
  incomplete: 'incomplete',
  complete: 'complete',
  signed: 'signed',
  locked: 'locked',
  none: '—',
};

/** A symbol beside each status word, so a status is never told by colour alone. */
export const VISIT_RECORD_STATUS_SYMBOLS: Record<VisitRecordStatus, string> = {
  not_due: '○',
  due: '◔',
  overdue: '!',
  missed: '×',
  not_expected: '–',
  incomplete: '◐',
  complete: '●',
  signed: '✓',
  locked: '▣',
  none: '',
};

const labelOr = (labels: Record<string, string>, code: string) =>
  Object.hasOwn(labels, code) ? labels[code]! : code;

/** The words for a subject status (an unknown code is shown as it is). */
export const subjectStatusLabel = (code: string): string => labelOr(SUBJECT_STATUS_LABELS, code);
/** The words for a form status (an unknown code is shown as it is). */
export const formStatusLabel = (code: string): string => labelOr(FORM_STATUS_LABELS, code);

export interface VisitRecordState {
  status: VisitRecordStatus;
  /** Why, in core's English: the schedule's reason or the forms' state (server, exports). */
  reason: string;
  /** The same as a code and parameters, for the web app's catalogue (issue 22). */
  why: StatusReason;
}

/** A recorded visit as the status needs it: its own status ('open' or 'missed') and its forms'. */
export interface RecordedVisitForms {
  status: string;
  forms: readonly { formCode: string; status: string }[];
}

/**
 * A recorded visit's status from its forms and the forms the definition expects at it: declared
 * missed; incomplete while a form is incomplete or an expected form is not entered; signed once every
 * form is signed (locked if one is locked); else complete. Forms are named by `formTitle`.
 */
export function recordedVisitStatus(
  visit: RecordedVisitForms,
  expectedFormCodes: readonly string[],
  formTitle: (formCode: string) => string = (c) => c,
): VisitRecordState {
  if (visit.status === 'missed')
    return {
      status: 'missed',
      reason: 'declared missed by the site',
      why: { code: 'missed_by_site', params: {} },
    };
  if (visit.forms.length === 0)
    return {
      status: 'incomplete',
      reason: 'visit opened, no form entered yet',
      why: { code: 'no_form_yet', params: {} },
    };
  const present = new Set(visit.forms.map((f) => f.formCode));
  const missing = expectedFormCodes.filter((c) => !present.has(c)).map(formTitle);
  const incomplete = visit.forms.filter((f) => f.status === 'incomplete').map((f) => formTitle(f.formCode));
  if (incomplete.length > 0 || missing.length > 0)
    return {
      status: 'incomplete',
      reason: [
        incomplete.length ? `incomplete: ${incomplete.join(', ')}` : '',
        missing.length ? `not entered: ${missing.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      why: {
        code: 'forms_incomplete',
        params: { incomplete: incomplete.join(', '), missing: missing.join(', ') },
      },
    };
  if (visit.forms.every((f) => f.status === 'signed' || f.status === 'locked'))
    return visit.forms.some((f) => f.status === 'locked')
      ? {
          status: 'locked',
          reason: 'all forms signed; locked',
          why: { code: 'all_signed_locked', params: {} },
        }
      : {
          status: 'signed',
          reason: 'all forms signed by the investigator',
          why: { code: 'all_signed', params: {} },
        };
  const unsigned = visit.forms.filter((f) => f.status === 'complete').map((f) => formTitle(f.formCode));
  return {
    status: 'complete',
    reason: `complete, not signed: ${unsigned.join(', ')}`,
    why: { code: 'complete_not_signed', params: { forms: unsigned.join(', ') } },
  };
}

/**
 * A scheduled visit's status for a subject: the schedule's (a done visit is complete until its forms
 * say more), except that after death, withdrawal or a screen failure a visit not done is not expected.
 */
export function scheduledVisitStatus(
  entry: Pick<VisitStatusEntry, 'status' | 'reason' | 'why'>,
  subjectStatus: string,
): VisitRecordState {
  if (entry.status !== 'done' && SCHEDULE_ENDED_SUBJECT_STATUSES.has(subjectStatus))
    return {
      status: 'not_expected',
      reason: `subject ${subjectStatusLabel(subjectStatus).toLowerCase()}: visit not expected`,
      why: { code: 'subject_off_study', params: { subjectStatus } },
    };
  return {
    status: entry.status === 'done' ? 'complete' : entry.status,
    reason: entry.reason,
    why: entry.why,
  };
}

/** "This week" of a worklist: today and the six days after it. */
export const WORKLIST_WEEK_DAYS = 7;

/**
 * A subject's scheduled visits that ask for work (the coordinator's worklist): those overdue, and those
 * due this week — not done nor missed, whose window is open on some day from `today` to today + 6
 * (open now, or opening within the week). A subject off study (death, withdrawal, screen failure)
 * has none: their visits are not expected.
 */
export function scheduledWork<E extends Pick<VisitStatusEntry, 'status' | 'earliestDate' | 'latestDate'>>(
  entries: readonly E[],
  subjectStatus: string,
  today: IsoDate,
): { dueThisWeek: E[]; overdue: E[] } {
  if (SCHEDULE_ENDED_SUBJECT_STATUSES.has(subjectStatus)) return { dueThisWeek: [], overdue: [] };
  const weekEnd = addDays(today, WORKLIST_WEEK_DAYS - 1);
  return {
    overdue: entries.filter((e) => e.status === 'overdue'),
    dueThisWeek: entries.filter(
      (e) =>
        (e.status === 'due' || e.status === 'not_due') && e.earliestDate <= weekEnd && e.latestDate >= today,
    ),
  };
}

/**
 * "Save and go to the next form" (issue #22, keyboard and button): the form after `current` in the
 * visit's expected order (`order`: the definition's forms at the visit, then any other form entered
 * there), skipping forms that are complete, signed or locked. Undefined at the last form: the caller
 * goes back to the visit and says so. A form not entered yet is a next form (it is still to do).
 */
export function nextFormToEnter(
  order: readonly string[],
  forms: readonly { formCode: string; status: string }[],
  current: string,
): string | undefined {
  const status = new Map(forms.map((f) => [f.formCode, f.status]));
  const all = [...order, ...forms.map((f) => f.formCode).filter((c) => !order.includes(c))];
  const done = (c: string) => {
    const s = status.get(c);
    return s === 'complete' || s === 'signed' || s === 'locked';
  };
  const at = all.indexOf(current);
  return all.slice(at + 1).find((c) => !done(c));
}
