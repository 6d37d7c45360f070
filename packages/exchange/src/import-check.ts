// The checks every imported value passes, whatever the file format: the subject exists, the visit
// is one of the study's, the form is defined and expected at that visit, and the value passes the
// same item check as entry in the UI (checkItemValue). A problem names the row, the column and the
// rule, as DESIGN.md asks of every error.
import type { ImportReport as ContractImportReport } from '@msct/contract';
import { checkItemValue, type ItemIssueCode, type TextRule, textIssue } from '@msct/core/crf';
import { type EntryRule, formEntryRefusal, visitOpeningRefusal } from '@msct/core/protocol';
import { type Actor, type Db, EntryRefusalError, inTransaction, type StoreError } from '@msct/store';
import type { ExchangeMetadata } from './study-metadata.js';

export type ImportRule =
  | ItemIssueCode
  | 'subject-unknown'
  /** A visit code the study has no event for, where the definition's schedule does not refuse it (an ad-hoc study). */
  | 'visit-unknown'
  /** A form of the definition (or an ad-hoc study's) without item definitions to check its values against. */
  | 'form-unknown'
  /** A cycle that is not a whole number from 1. */
  | 'cycle-invalid'
  | 'row-malformed'
  /** Bytes that are not valid in the file's encoding (text-decoding.ts): the whole file is refused. */
  | 'encoding-invalid'
  /** A repeat (ODM FormRepeatKey/ItemGroupRepeatKey) of a form msct holds once per visit. */
  | 'repeat-unsupported'
  /** Refused by the item writer (store/src/repositories/item-writer.ts), as at entry. */
  | 'form-signed'
  | 'form-locked'
  | 'visit-missed'
  /** A frozen or locked study, site or subject (store record-locks.ts); the message names the lock. */
  | 'record-locked'
  /** Entry follows the definition (core protocol/entry-rules.ts), applied by the item writer. */
  | EntryRule
  | 'mapping-invalid'
  /** An ODM file without ClinicalData (a Define-XML or metadata-only file). */
  | 'no-clinical-data'
  /** An item the mapping does not map, left out (`skipUnmapped`): listed, never a problem. */
  | 'item-unmapped'
  /** An ItemData left out on purpose for another reason (listed in `skipped` with why). */
  | 'item-skipped'
  /** A date against the subject's own dates (core/dataset/adverse-event-dates.ts). */
  | 'date-implausible'
  /** A FHIR resource the FHIR R4 validator refuses, or a file that is not a FHIR Bundle to import (fhir-import.ts). */
  | 'fhir-invalid'
  /** An Observation whose date is within no visit window (or whose subject has no day 0), unmapped encounter. */
  | 'visit-unassigned'
  /** An Observation whose date is within the windows of several visits, none recorded on that date. */
  | 'visit-ambiguous'
  /** Several values for one item of one visit that differ: none is imported. */
  | 'value-conflict'
  /** A value for an item its form's branching logic hides (crf/show-if.ts), or one hiding a held value. */
  | 'item-hidden'
  | TextRule;

/** The longest item value and unit, as at entry (routes/visits.ts). */
export const MAX_VALUE_CHARS = 2000;
export const MAX_UNIT_CHARS = 40;

export interface ImportProblem {
  /** Row of the file (CSV: line, header = 1; ODM: the n-th ItemData). */
  row: number;
  /** Column name (CSV) or the ODM path of the value. */
  column: string;
  rule: ImportRule;
  message: string;
}

/**
 * What an import (or its dry run) found and did: the API's report (@msct/contract), with each
 * problem's rule narrowed to the rules the checks name.
 */
export type ImportReport = Omit<ContractImportReport, 'problems'> & { problems: ImportProblem[] };

export const MAX_LISTED_PROBLEMS = 10_000;

export function emptyReport(dryRun: boolean): ImportReport {
  return {
    dryRun,
    written: false,
    rows: 0,
    values: 0,
    invalidRows: 0,
    problems: [],
    problemsNotListed: 0,
    entered: 0,
    changed: 0,
    unchanged: 0,
    visitsCreated: 0,
    formsCreated: 0,
  };
}

export function addProblem(report: ImportReport, p: ImportProblem): void {
  if (report.problems.length < MAX_LISTED_PROBLEMS) report.problems.push(p);
  else report.problemsNotListed++;
}

export interface SubjectRef {
  id: string;
  siteId: string;
}

/** Subject code → id and site, for the whole study (one short row per subject). */
export async function subjectIndex(db: Db, studyId: string): Promise<Map<string, SubjectRef>> {
  const rows = await db.kysely
    .selectFrom('subjects')
    .select(['id', 'site_id', 'subject_code', 'pseudonym'])
    .where('study_id', '=', studyId)
    .execute();
  return new Map(rows.map((r) => [r.subject_code, { id: r.id, siteId: r.site_id }]));
}

export interface RawValue {
  subject: string;
  visit: string;
  cycle: string | undefined;
  form: string;
  /** A repeating form's record (long CSV's `record` column); absent: 1. */
  record?: number;
  item: string;
  value: string | null;
  unit: string | null;
}

/** Where each kind of problem sits, for formats whose columns are fixed (long CSV). */
export interface ColumnNames {
  subject: string;
  visit: string;
  cycle: string;
  form: string;
  item: string;
  value: string;
  unit: string;
}

export type CheckedValue =
  | { ok: true; subject: SubjectRef; cycle: number }
  | { ok: false; problem: Omit<ImportProblem, 'row'> };

/** The cycle a value is for: 1 when the file leaves it empty (checked by checkValue). */
export const cycleOf = (v: RawValue): number =>
  v.cycle === undefined || v.cycle === '' ? 1 : Number(v.cycle);

export function checkValue(
  meta: ExchangeMetadata,
  subjects: Map<string, SubjectRef>,
  v: RawValue,
  columns: ColumnNames,
): CheckedValue {
  const fail = (column: string, rule: ImportRule, message: string): CheckedValue => ({
    ok: false,
    problem: { column, rule, message },
  });
  // The text rule of the API (http/text.ts): what would be refused at entry is a problem of its row.
  for (const [text, column, max] of [
    [v.value, columns.value, MAX_VALUE_CHARS],
    [v.unit, columns.unit, MAX_UNIT_CHARS],
  ] as const) {
    const issue = text === null ? undefined : textIssue(text, max);
    if (issue) return fail(column, issue.rule, `${column} ${issue.message}`);
  }
  const subject = subjects.get(v.subject);
  if (!subject)
    return fail(columns.subject, 'subject-unknown', `no subject "${v.subject}" in study ${meta.studyCode}`);
  const visit = meta.visits.find((x) => x.code === v.visit);
  if (!visit) {
    // The rule and words of entry (core protocol/entry-rules.ts), as the store refuses it on every path.
    const refusal = visitOpeningRefusal(meta.definition, meta.studyCode, { visitCode: v.visit });
    return refusal?.rule === 'visit-not-in-schedule'
      ? fail(columns.visit, refusal.rule, refusal.message)
      : fail(
          columns.visit,
          'visit-unknown',
          `"${v.visit}" is not a visit of ${meta.studyCode} (${meta.visits.map((x) => x.code).join(', ')})`,
        );
  }
  // Only the definition's cycle rule makes a repeat of a visit a cycle (study-definition.ts): the
  // visit repeats in cycles (repeatsInCycles; unscheduled visits may come in any cycle) and the study
  // has that many (infusion plan maxCycles), as entry applies it, under entry's rule names
  // (visit-not-repeated-in-cycles, cycle-beyond-plan). Any other repeat is a problem.
  const cycle = cycleOf(v);
  if (!Number.isInteger(cycle) || cycle < 1)
    return fail(
      columns.cycle,
      'cycle-invalid',
      `cycle "${String(v.cycle).slice(0, 40)}" of visit ${v.visit} is not a whole number from 1`,
    );
  if (!visit.repeating && cycle !== 1)
    return fail(
      columns.cycle,
      'visit-not-repeated-in-cycles',
      `visit ${v.visit} does not repeat in treatment cycles (study definition: repeatsInCycles is false), so its repeat ${cycle} is not a cycle msct can hold`,
    );
  if (meta.maxCycles !== undefined && cycle > meta.maxCycles)
    return fail(
      columns.cycle,
      'cycle-beyond-plan',
      `cycle ${cycle} of visit ${v.visit} is beyond the study's ${meta.maxCycles} treatment cycle${meta.maxCycles === 1 ? '' : 's'} (study definition: infusion plan maxCycles)`,
    );
  const form = meta.forms.get(v.form);
  if (!form) {
    // A form outside the definition under entry's rule and words; one without item definitions
    // (an ad-hoc study's) cannot have its values checked.
    const refusal = formEntryRefusal(meta.definition, meta.studyCode, v.form, v.visit);
    return refusal?.rule === 'form-not-in-definition'
      ? fail(columns.form, refusal.rule, refusal.message)
      : fail(
          columns.form,
          'form-unknown',
          `"${v.form}" is not a form with item definitions in ${meta.studyCode}`,
        );
  }
  // Whether the form is collected at this visit (and an unscheduled visit's reason) is the item
  // writer's rule, as at entry (ItemWriter.refusal, core protocol/entry-rules.ts): same words.
  const issue = checkItemValue(form, v.item, v.value, v.unit);
  if (issue) {
    const column =
      issue.code === 'item-unknown'
        ? columns.item
        : issue.code.startsWith('unit')
          ? columns.unit
          : columns.value;
    return fail(column, issue.code, issue.message);
  }
  return { ok: true, subject, cycle };
}

/**
 * The check of a value with all its problems: an unknown subject does not hide the value's visit,
 * cycle, form, item or unit problems, which are checked as if the subject were known, so one report
 * has them all (issue #23).
 */
export function checkValueAll(
  meta: ExchangeMetadata,
  subjects: Map<string, SubjectRef>,
  v: RawValue,
  columns: ColumnNames,
): { checked: CheckedValue; problems: Omit<ImportProblem, 'row'>[] } {
  const checked = checkValue(meta, subjects, v, columns);
  if (checked.ok) return { checked, problems: [] };
  if (checked.problem.rule !== 'subject-unknown') return { checked, problems: [checked.problem] };
  const asKnown = new Map([[v.subject, { id: `unknown:${v.subject}`, siteId: '' }]]);
  const rest = checkValue(meta, asKnown, v, columns);
  return { checked, problems: rest.ok ? [checked.problem] : [checked.problem, rest.problem] };
}

/** The import rule of a refusal of the item writer (ItemWriter.refusal): the store's own rule name. */
export function refusalRule(e: StoreError): ImportRule {
  if (e instanceof EntryRefusalError) return e.rule;
  const rule = e.details.rule;
  if (rule === 'form-signed' || rule === 'form-locked' || rule === 'visit-missed') return rule;
  if (e.code === 'locked') return 'record-locked';
  if (rule === 'unicode' || rule === 'control-character' || rule === 'noncharacter') return rule;
  if (rule === 'item-hidden') return rule;
  return 'value-invalid';
}

/** The column (CSV) of a refusal of the item writer: the field its rule is about. */
export function refusalColumn(e: StoreError, columns: ColumnNames): string {
  if (e instanceof EntryRefusalError) {
    if (e.field === 'cycle') return columns.cycle;
    if (e.field === 'itemCode') return columns.item;
    // A visit outside the schedule, or an unscheduled one without a reason: the row's visit.
    if (e.field === 'visitCode' || e.field === 'reason') return columns.visit;
  }
  // Branching logic: the value that is hidden, or that hides one.
  if (e.details.rule === 'item-hidden') return columns.value;
  // A form not collected, a missed visit, a signed or locked form: the form the row writes.
  return columns.form;
}

class RolledBack<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back');
  }
}

/**
 * Runs an import's write in one transaction, then keeps it if `keep()` says so (asked at its end,
 * when every problem of the write is known) or rolls it back: a dry run and a refused import run
 * the very write a kept import runs, with all its rules, and leave the database as it was.
 */
export async function writeOrRollBack<T>(
  db: Db,
  actor: Actor,
  keep: () => boolean,
  write: (tx: Db) => Promise<T>,
): Promise<{ value: T; kept: boolean }> {
  try {
    const value = await inTransaction(db, actor, async (tx) => {
      const v = await write(tx);
      if (!keep()) throw new RolledBack(v);
      return v;
    });
    return { value, kept: true };
  } catch (e) {
    if (e instanceof RolledBack) return { value: e.value as T, kept: false };
    throw e;
  }
}
