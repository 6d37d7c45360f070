// The check of one reduced ODM subject (odm-subject.ts) before anything is written: values as at
// entry, a visit date a real date, a subject the import creates under the API's text rule, infusion
// and AE records complete and consistent, AE dates against the subject's stored dates. Every
// problem carries the row (the ItemData's ordinal) and column (its ODM path) of what it is about.
import { checkItemValue, missingCodeRefusal, textIssue } from '@msct/core/crf';
import {
  type AdverseEventDateIssue,
  checkAdverseEventDates,
  latestTodayAnywhere,
  subjectDateBounds,
} from '@msct/core/dataset';
import { isIsoDate } from '@msct/core/protocol';
import { type Db, listSubjectRecords, loadTrialDataset, SUBJECT_STATUSES } from '@msct/store';
import { checkValueAll, type ImportProblem, type SubjectRef } from './import-check.js';
import { AE_FORM, checkRecordValue, INFUSION_FORM, missingRequired } from './odm-records.js';
import type { OdmSubject, RecordRow } from './odm-subject.js';
import { type ExchangeMetadata, SUBJECT_FORM } from './study-metadata.js';

/** Where a problem of the subject key of a subject the import would create is reported. */
export const SUBJECT_KEY_COLUMN = 'SubjectData/@SubjectKey';

/** Everything the check of one subject needs. */
export interface CheckContext {
  db: Db;
  meta: ExchangeMetadata;
  known: Map<string, SubjectRef>;
  sites: Map<string, string>;
  locations: Map<string, string>;
  /** Create the subjects the study does not have, keeping the file's key as their code. */
  createSubjects?: boolean;
  /** Create the sites the study does not have (the admin's consent), named by the file. */
  createSites?: boolean;
}

/**
 * A subject in the database (its code is the file's subject key), or one the import may create:
 * with `createSubjects`, at a site of the study (or a new one with `createSites`); without it, only
 * when the file's SiteRef names a site of the study or of the file's AdminData (msct's own export).
 */
export function subjectRefFor(c: CheckContext, s: OdmSubject): SubjectRef | undefined {
  const known = c.known.get(s.key);
  if (known) return known;
  if (!s.siteCode) return undefined;
  const siteKnown = c.sites.has(s.siteCode) || c.locations.has(`LOC.${s.siteCode}`);
  const may = c.createSubjects ? siteKnown || !!c.createSites : s.siteFromSiteRef && siteKnown;
  return may ? { id: `new:${s.key}`, siteId: `new:${s.siteCode}` } : undefined;
}

/** Why a subject the study does not have is not created: the option or the site it lacks. */
export function whyNotCreated(c: CheckContext, s: OdmSubject): string {
  if (!c.createSubjects) return 'create it with --create-subjects (API createSubjects=true)';
  if (!s.siteCode)
    return 'the file gives it no site (SiteRef, data access group): give the mapping a "defaultSite"';
  return `its site "${s.siteCode}"${s.siteSource && s.siteSource !== s.siteCode ? ` (the file's "${s.siteSource}")` : ''} is not a site of the study: map it in the mapping's "sites" or create it with --create-sites (API createSites=true)`;
}

/** The problems of one subject, each with the row of its ItemData. */
export async function checkSubject(c: CheckContext, s: OdmSubject): Promise<ImportProblem[]> {
  const problems: ImportProblem[] = [];
  const ref = subjectRefFor(c, s);
  const candidates = new Map<string, SubjectRef>(ref ? [[s.key, ref]] : []);
  // A visit date is a real date, as at entry.
  for (const [key, date] of s.visitDates)
    if (!isIsoDate(date))
      problems.push({
        ...(s.dateAt[key] ?? { row: firstRow(s), column: 'VISIT_DATE' }),
        rule: 'value-invalid',
        message: `visit date "${String(date).slice(0, 40)}" is not a date YYYY-MM-DD`,
      });
  // A repeated form or item group of a form that is not repeating: refused, each instance named, on each
  // of its ItemData (so the report says of every refused ItemData why, and counts each invalid row).
  for (const r of s.repeats) {
    const at = (what: string, key: string | undefined) =>
      `${what}${key === undefined ? ' (no repeat key)' : ` repeat key ${key}`}`;
    const message =
      r.kind === 'unscheduled-occurrence'
        ? `subject ${s.key}, event ${at(r.event, r.eventRepeatKey)}: an occurrence of an event mapped to ` +
          `the unscheduled visit; its repeat key counts occurrences, not treatment cycles (the definition's ` +
          `cycle rule makes a cycle), and msct holds one unscheduled visit per subject and cycle, so none ` +
          `of its ${r.values} values is imported (enter it by hand as an unscheduled visit of its cycle)`
        : `subject ${s.key}, event ${at(r.event, r.eventRepeatKey)}, form ${at(r.form, r.formRepeatKey)}, ` +
          `item group ${at(r.group, r.groupRepeatKey)}: one of ${r.instances} instances of this item group ` +
          `in this event; the study's form is not repeating (one record per visit; a repeating form ` +
          `keeps each instance as a record), so none of its ${r.values} values is imported`;
    for (const [i, row] of r.rows.entries())
      problems.push({ row, column: r.columns[i] ?? r.column, rule: 'repeat-unsupported', message });
  }
  const columns = (v: { column: string }) => ({
    subject: v.column,
    visit: v.column,
    cycle: v.column,
    form: v.column,
    item: v.column,
    value: v.column,
    unit: v.column,
  });
  // An unknown subject does not hide the value's other problems (checkValueAll).
  const hint = ref ? '' : `: ${whyNotCreated(c, s)}`;
  // A missing-data code (the ItemData's Flag) only where the item's definition allows it, as at entry.
  for (const v of s.values.values()) {
    if (!v.missingCode) continue;
    const why = missingCodeRefusal(c.meta.forms.get(v.form), v.item, v.missingCode, v.value);
    if (why) problems.push({ row: v.row, column: v.column, rule: 'value-invalid', message: why });
  }
  for (const v of s.values.values())
    for (const p of checkValueAll(c.meta, candidates, { subject: s.key, ...v }, columns(v)).problems)
      problems.push({
        row: v.row,
        ...p,
        ...(p.rule === 'subject-unknown' ? { message: p.message + hint } : {}),
      });
  if (!ref) {
    // The subject's own facts and visit dates have no subject to go to either.
    const unknown = (at: { row: number; column: string }) =>
      problems.push({
        ...at,
        rule: 'subject-unknown',
        message: `no subject "${s.key}" in study ${c.meta.studyCode}${hint}`,
      });
    for (const at of Object.values(s.factAt)) unknown(at);
    for (const at of Object.values(s.dateAt)) unknown(at);
  }
  if (!c.known.has(s.key) && ref) {
    // A subject the import creates: its key becomes its code, under the API's text rule.
    const keyIssue = textIssue(s.key, 100);
    if (keyIssue)
      problems.push({
        row: firstRow(s),
        column: SUBJECT_KEY_COLUMN,
        rule: keyIssue.rule,
        message: `the subject key ${keyIssue.message}`,
      });
    // Its own facts are checked as its record would be.
    for (const [item, value] of Object.entries(s.facts)) {
      const at = s.factAt[item]!;
      const text = textIssue(value, 2000);
      if (text) {
        problems.push({ ...at, rule: text.rule, message: `${item} ${text.message}` });
        continue;
      }
      const issue = checkItemValue(SUBJECT_FORM, item, value, null);
      if (issue) problems.push({ ...at, rule: issue.code, message: issue.message });
      else if (item === 'STATUS' && !(SUBJECT_STATUSES as readonly string[]).includes(value))
        problems.push({
          ...at,
          rule: 'code-invalid',
          message: `Subject status: "${value}" is not one of ${SUBJECT_STATUSES.join(', ')}`,
        });
    }
  }
  if (s.records.length === 0) return problems;
  if (!ref) {
    for (const r of s.records)
      problems.push({
        row: r.row,
        column: r.column,
        rule: 'subject-unknown',
        message: `no subject "${s.key}" in study ${c.meta.studyCode}${hint}`,
      });
    return problems;
  }
  const infusionKeys = new Set(
    s.records
      .filter((r) => r.form === INFUSION_FORM)
      .map((r) => `${r.values.CYCLE}|${r.values.INFUSION_NUMBER}`),
  );
  if (c.known.has(s.key))
    for (const i of await listSubjectRecords(c.db, 'infusions', ref.id))
      infusionKeys.add(`${Number(i.cycle)}|${Number(i.infusion_number)}`);
  for (const r of s.records) problems.push(...checkRecord(r, infusionKeys));
  problems.push(...(await checkAeDates(c, s, ref)));
  return problems;
}

/** The row of a subject's first ItemData (where a problem of the SubjectData itself is reported). */
function firstRow(s: OdmSubject): number {
  let row = Number.POSITIVE_INFINITY;
  for (const v of s.values.values()) row = Math.min(row, v.row);
  for (const r of s.records) row = Math.min(row, r.row);
  for (const r of s.repeats) row = Math.min(row, r.row);
  return Number.isFinite(row) ? row : 0;
}

const AE_DATE_ITEM: Record<AdverseEventDateIssue['field'], string> = {
  onsetDate: 'ONSET_DATE',
  resolutionDate: 'RESOLUTION_DATE',
  deathDate: 'DEATH_DATE',
};

/**
 * Imported AE dates against the subject's stored dates, as the API checks them (issue #18 item 8).
 * A subject the import creates has no stored dates yet: only resolution ≥ onset and "not in the
 * future" apply to it.
 */
async function checkAeDates(c: CheckContext, s: OdmSubject, ref: SubjectRef): Promise<ImportProblem[]> {
  const aes = s.records.filter((r) => r.form === AE_FORM && isIsoDate(r.values.ONSET_DATE));
  if (aes.length === 0) return [];
  const stored = c.known.has(s.key)
    ? (await loadTrialDataset(c.db, c.meta.studyId, { subjectIds: [ref.id] })).subjects[0]
    : undefined;
  const bounds = stored
    ? subjectDateBounds(stored)
    : { firstStudyDate: null, deathDate: null, lastContactDate: null };
  const today = latestTodayAnywhere(new Date());
  const date = (v: string | null | undefined) => (isIsoDate(v) ? v : null);
  return aes.flatMap((r) =>
    checkAdverseEventDates(
      {
        onsetDate: r.values.ONSET_DATE!,
        resolutionDate: date(r.values.RESOLUTION_DATE),
        deathDate: date(r.values.DEATH_DATE),
      },
      bounds,
      today,
    ).map((i) => ({
      ...(r.at[AE_DATE_ITEM[i.field]] ?? { row: r.row, column: r.column }),
      rule: 'date-implausible' as const,
      message: `Adverse event ${r.values.TERM ?? ''}: ${i.message} (${i.rule})`,
    })),
  );
}

function checkRecord(r: RecordRow, infusionKeys: Set<string>): ImportProblem[] {
  const problems: ImportProblem[] = [];
  for (const [item, value] of Object.entries(r.values)) {
    const issue = checkRecordValue(r.form, item, value, null);
    if (issue) problems.push({ ...r.at[item]!, ...issue });
  }
  for (const item of missingRequired(r.form, r.values))
    problems.push({
      row: r.row,
      column: r.column,
      rule: 'value-invalid',
      message: `${r.form.title}: ${r.form.items.find((i) => i.code === item)!.label} is required`,
    });
  if (r.form === AE_FORM && (r.values.INFUSION_CYCLE || r.values.INFUSION_NUMBER)) {
    const key = `${r.values.INFUSION_CYCLE}|${r.values.INFUSION_NUMBER}`;
    if (!infusionKeys.has(key))
      problems.push({
        ...(r.at.INFUSION_NUMBER ?? r.at.INFUSION_CYCLE)!,
        rule: 'value-invalid',
        message: `Adverse event: linked infusion ${key.replace('|', '.')} (cycle.number) is not one of the subject's infusions`,
      });
  }
  return problems;
}
