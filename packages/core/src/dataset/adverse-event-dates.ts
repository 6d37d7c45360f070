/**
 * Plausibility of an adverse event's dates against the subject's own dates (issue #18 item 8).
 *
 * An AE belongs to the subject's time in the study: endpoints.md "Safety (primary)" records AEs from
 * the first infusion to month 12 (and what is reported between consent and day 0 is a pre-treatment
 * event, kept but not treatment-emergent); ICH E2A / E6(R2) 4.11 report AEs of a subject from consent
 * to the end of their follow-up. So:
 * - onset not before the subject's first study date (`before_first_study_date`): the consent date is
 *   not a separate item, and consent precedes the screening visit, day 0 and every visit, so the
 *   earliest of those stands for it;
 * - onset and resolution not after death (`after_death`), nor after the last contact of a subject
 *   who has left the study (`after_last_contact`; the end-of-study form's date or "last known alive",
 *   or a later visit): nothing can be known of a subject after that;
 * - resolution not before onset (`before_onset`), death not before onset;
 * - no date in the future (`not_in_future`).
 * Pure; dates are ISO-8601 calendar dates, compared as strings.
 */
import type { DatasetSubject } from './trial-dataset.js';

export interface SubjectDateBounds {
  /** Earliest recorded study date (screening visit, day 0, any visit); consent is on or before it. */
  firstStudyDate: string | null;
  /** Death date (end-of-study form or a fatal adverse event). */
  deathDate: string | null;
  /**
   * Set only when the subject has left the study (an end-of-study status): the latest of its date,
   * "last known alive" and any visit date. Null = follow-up ongoing (only "not in the future" bounds).
   */
  lastContactDate: string | null;
}

export type AdverseEventDateRule =
  | 'not_in_future'
  | 'before_first_study_date'
  | 'after_death'
  | 'after_last_contact'
  | 'before_onset';

export interface AdverseEventDateIssue {
  field: 'onsetDate' | 'resolutionDate' | 'deathDate';
  rule: AdverseEventDateRule;
  message: string;
}

export interface AdverseEventDates {
  onsetDate: string;
  resolutionDate?: string | null;
  deathDate?: string | null;
}

const min = (ds: (string | null | undefined)[]) =>
  ds.filter((d): d is string => !!d).reduce<string | null>((a, d) => (a === null || d < a ? d : a), null);
const max = (ds: (string | null | undefined)[]) =>
  ds.filter((d): d is string => !!d).reduce<string | null>((a, d) => (a === null || d > a ? d : a), null);

/** The subject's date bounds from its raw data (visits, end-of-study form, fatal AEs). */
export function subjectDateBounds(subject: DatasetSubject): SubjectDateBounds {
  const visitDates = subject.visits.map((v) => v.date);
  const eos = subject.visits.map((v) => v.items['end-of-study']).find((f) => f?.status?.value);
  const status = eos?.status?.value ?? null;
  const eosDate = eos?.date?.value ?? null;
  const deathDate =
    (status === 'died' ? eosDate : null) ?? min(subject.adverseEvents.map((a) => a.deathDate)) ?? null;
  const lastContactDate =
    status && status !== 'died' ? max([eosDate, eos?.last_contact_date?.value, ...visitDates]) : null;
  return {
    firstStudyDate: min([subject.day0Date, ...visitDates]),
    deathDate,
    lastContactDate,
  };
}

/**
 * The latest calendar date that is "today" anywhere (UTC+14), so a site ahead of UTC entering today's
 * date is never told it is in the future.
 */
export function latestTodayAnywhere(now: Date): string {
  return new Date(now.getTime() + 14 * 3600_000).toISOString().slice(0, 10);
}

/** Every rule the AE's dates break, with the field and a sentence; empty when plausible. */
export function checkAdverseEventDates(
  ae: AdverseEventDates,
  bounds: SubjectDateBounds,
  today: string,
): AdverseEventDateIssue[] {
  const issues: AdverseEventDateIssue[] = [];
  const fields: Array<[AdverseEventDateIssue['field'], string, string | null | undefined]> = [
    ['onsetDate', 'onset', ae.onsetDate],
    ['resolutionDate', 'resolution', ae.resolutionDate],
    ['deathDate', 'death', ae.deathDate],
  ];
  for (const [field, word, date] of fields) {
    if (!date) continue;
    if (date > today) {
      issues.push({
        field,
        rule: 'not_in_future',
        message: `${word} date ${date} is in the future (today ${today})`,
      });
      continue;
    }
    if (field === 'onsetDate' && bounds.firstStudyDate && date < bounds.firstStudyDate) {
      issues.push({
        field,
        rule: 'before_first_study_date',
        message: `onset ${date} is before the subject's first study date ${bounds.firstStudyDate} (consent precedes no earlier)`,
      });
    }
    if (field !== 'onsetDate' && date < ae.onsetDate) {
      issues.push({
        field,
        rule: 'before_onset',
        message: `${word} date ${date} is before the onset ${ae.onsetDate}`,
      });
    }
    // The earlier of the AE's own death date and the subject's recorded death bounds every date: an
    // AE that records a later death than the subject's must not open a window after the real one.
    // (ISO dates: the lexically first is the earliest.)
    const death = [ae.deathDate, bounds.deathDate].filter((d): d is string => !!d).sort()[0] ?? null;
    if (field !== 'deathDate' && death && date > death) {
      issues.push({
        field,
        rule: 'after_death',
        message: `${word} date ${date} is after the subject's death on ${death}`,
      });
    } else if (field !== 'deathDate' && bounds.lastContactDate && date > bounds.lastContactDate) {
      issues.push({
        field,
        rule: 'after_last_contact',
        message: `${word} date ${date} is after the subject's last contact on ${bounds.lastContactDate} (follow-up ended)`,
      });
    }
  }
  return issues;
}
