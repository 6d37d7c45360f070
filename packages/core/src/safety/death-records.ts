/**
 * A death is recorded once and consistently (issue #21, "Safety"): the fatal adverse event, the
 * end-of-study form and the survival data (overall survival reads the end-of-study date, else the
 * AE's death date: dataset/patient-history.ts) must agree.
 *
 * Sources: endpoints.md "Safety (primary)" — "Death: date and cause; overall survival = time from
 * day 0 to death"; ICH E2A §II.B — an event that results in death is serious, so a fatal AE carries
 * the `death` seriousness criterion; the end-of-study form (crf/forms.ts END_OF_STUDY_FORM) records
 * the status `died` and its date.
 *
 * Pure: a subject's raw data in, every disagreement out (empty = consistent), each naming its rule.
 */
import type { DatasetSubject } from '../dataset/trial-dataset.js';

export type DeathRecordRule =
  | 'fatal_without_death_date'
  | 'death_date_without_fatal_outcome'
  | 'fatal_not_serious_death'
  | 'several_death_dates'
  | 'end_of_study_not_died'
  | 'died_without_fatal_event'
  | 'death_date_mismatch';

/** Each rule in words without the records' dates (for readers shown no calendar dates). */
export const DEATH_RECORD_RULES: Readonly<Record<DeathRecordRule, string>> = {
  fatal_without_death_date: 'an adverse event has outcome fatal but no death date',
  death_date_without_fatal_outcome: 'an adverse event records a death date but its outcome is not fatal',
  fatal_not_serious_death: 'a fatal adverse event does not carry the seriousness criterion "death"',
  several_death_dates: 'adverse events record different death dates',
  end_of_study_not_died: 'a fatal adverse event is recorded but the end-of-study status is not died',
  died_without_fatal_event: 'the end-of-study form records a death but no adverse event is fatal',
  death_date_mismatch: 'the end-of-study death date differs from the adverse event death date',
};

export interface DeathRecordConflict {
  rule: DeathRecordRule;
  message: string;
}

export function deathRecordConflicts(subject: DatasetSubject): DeathRecordConflict[] {
  const out: DeathRecordConflict[] = [];
  const fatal = subject.adverseEvents.filter((a) => a.outcome === 'fatal' || a.deathDate !== null);
  for (const a of fatal) {
    if (a.outcome === 'fatal' && a.deathDate === null)
      out.push({
        rule: 'fatal_without_death_date',
        message: `adverse event "${a.term}" has outcome fatal but no death date`,
      });
    if (a.outcome !== 'fatal' && a.deathDate !== null)
      out.push({
        rule: 'death_date_without_fatal_outcome',
        message: `adverse event "${a.term}" records a death on ${a.deathDate} but its outcome is ${a.outcome ?? 'not recorded'}, not fatal`,
      });
    if (!a.seriousness.includes('death'))
      out.push({
        rule: 'fatal_not_serious_death',
        message: `adverse event "${a.term}" resulted in death but does not carry the seriousness criterion "death" (ICH E2A)`,
      });
  }
  const aeDates = [...new Set(fatal.map((a) => a.deathDate).filter((d): d is string => d !== null))].sort();
  if (aeDates.length > 1)
    out.push({
      rule: 'several_death_dates',
      message: `adverse events record different death dates: ${aeDates.join(', ')}`,
    });

  const eos = subject.visits.map((v) => v.items['end-of-study']).find((f) => f?.status?.value);
  const status = eos?.status?.value ?? null;
  const eosDate = eos?.date?.value ?? null;
  if (fatal.length > 0 && status !== null && status !== 'died')
    out.push({
      rule: 'end_of_study_not_died',
      message: `a fatal adverse event is recorded, but the end-of-study status is ${status}, not died`,
    });
  if (status === 'died' && fatal.length === 0)
    out.push({
      rule: 'died_without_fatal_event',
      message: 'the end-of-study form records a death, but no adverse event has outcome fatal',
    });
  if (status === 'died' && eosDate && aeDates.length > 0 && aeDates.some((d) => d !== eosDate))
    out.push({
      rule: 'death_date_mismatch',
      message: `the end-of-study death date ${eosDate} differs from the adverse event's ${aeDates.join(', ')} (overall survival uses ${eosDate})`,
    });
  return out;
}
