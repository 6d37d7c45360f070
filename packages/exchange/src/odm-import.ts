// CDISC ODM import: msct's own export (round trip) and ODM from another system, whose items map to
// msct's by OID (msct's OIDs are I.<form>.<item>; other systems' are mapped with `oidMap`). The file
// is parsed once: every value is checked as at entry and every problem listed (row = the ItemData's
// ordinal, column = its ODM path), and each SubjectData, reduced to what is written (the last version
// of each value, no audit records), is spooled as one JSON line to a temporary file. Only if the whole
// file is valid (or the caller asked to skip invalid values) is that spool read back and written in one
// transaction: what is written is exactly what was checked, and the XML (most of it audit records) is
// not parsed a second time. A source that can be opened again (a function) is read again first and
// its bytes must hash as in the check: a file that changed in between is refused, nothing written.
// Memory holds one SubjectData at a time (odm-reader.ts). Of a value's history (Transactional files) the
// last ItemData is the value imported; msct's own audit trail records the import. Infusions and
// adverse events (F.INFUSION, F.AE) are written through the store's repositories, with their audit.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { checkItemValue, textIssue } from '@msct/core/crf';
import {
  type AdverseEventDateIssue,
  checkAdverseEventDates,
  latestTodayAnywhere,
  subjectDateBounds,
} from '@msct/core/dataset';
import { isIsoDate } from '@msct/core/protocol';
import {
  type Actor,
  createSite,
  createSubject,
  createSubjectRecord,
  type Db,
  ItemWriter,
  inTransaction,
  listSubjectRecords,
  loadTrialDataset,
  StoreError,
  SUBJECT_STATUSES,
  type SubjectStatus,
  updateSubjectRecord,
} from '@msct/store';
import {
  addProblem,
  checkValue,
  emptyReport,
  type ImportProblem,
  type ImportReport,
  type SubjectRef,
  subjectIndex,
} from './import-check.js';
import { type OdmSubjectData, OdmSyntaxError, readOdm } from './odm-reader.js';
import {
  AE_FORM,
  aeColumns,
  checkRecordValue,
  INFUSION_FORM,
  infusionColumns,
  missingRequired,
  RECORD_FORMS,
  type RecordForm,
} from './odm-records.js';
import {
  type ExchangeMetadata,
  loadMetadata,
  SUBJECT_EVENT,
  SUBJECT_FORM,
  VISIT_FORM,
} from './study-metadata.js';

export interface OdmImportOptions {
  actor: Actor;
  dryRun?: boolean;
  skipInvalid?: boolean;
  /** ItemOID → `form.item` for files from other systems; StudyEventOID → visit code likewise. */
  oidMap?: Record<string, string>;
  reason?: string;
}

/**
 * The XML text itself, a function opening a stream (e.g. `() => createReadStream(path)`), or a
 * one-shot stream. Each is read once.
 */
export type OdmSource = string | Readable | (() => Readable);

export interface RecordCounts {
  entered: number;
  changed: number;
  unchanged: number;
}

export interface OdmImportReport extends ImportReport {
  /** Subjects of the file that the study did not have (created with the file's subject key). */
  subjectsCreated: number;
  infusions: RecordCounts;
  adverseEvents: RecordCounts;
}

/** A mapped OID: own keys only (an ItemOID "constructor" must not find Object.prototype's). */
const mapped = (map: Record<string, string> | undefined, key: string): string | undefined =>
  map && Object.hasOwn(map, key) && typeof map[key] === 'string' ? map[key] : undefined;

const afterPrefix = (oid: string, prefix: string) =>
  oid.startsWith(prefix) ? oid.slice(prefix.length) : oid;

interface ValueRow {
  row: number;
  column: string;
  visit: string;
  cycle: string;
  form: string;
  item: string;
  value: string | null;
  unit: string | null;
}

interface RecordRow {
  form: RecordForm;
  /** Row and path of the group's first ItemData (where a record-level problem is reported). */
  row: number;
  column: string;
  values: Record<string, string | null>;
  at: Record<string, { row: number; column: string }>;
}

/** One SubjectData, reduced to the last version of each value. */
interface OdmSubject {
  key: string;
  siteCode: string | undefined;
  facts: Record<string, string>;
  factAt: Record<string, { row: number; column: string }>;
  visitDates: Map<string, string>;
  /** Where each visit date is in the file (`visit|cycle` → row and path). */
  dateAt: Record<string, { row: number; column: string }>;
  values: Map<string, ValueRow>;
  records: RecordRow[];
}

function reduceSubject(s: OdmSubjectData, units: Map<string, string>, oidMap?: Record<string, string>) {
  const out: OdmSubject = {
    key: s.key,
    siteCode: s.siteOid && afterPrefix(s.siteOid, 'LOC.'),
    facts: {},
    factAt: {},
    visitDates: new Map(),
    dateAt: {},
    values: new Map(),
    records: [],
  };
  const records = new Map<string, RecordRow>();
  for (const id of s.items) {
    const visit = mapped(oidMap, id.eventOid) ?? afterPrefix(id.eventOid, 'SE.');
    const cycle = id.eventRepeatKey ?? '1';
    const formCode = afterPrefix(id.formOid, 'F.');
    const recordForm = RECORD_FORMS.find((f) => f.formCode === formCode);
    if (recordForm) {
      const key = `${formCode}|${id.groupRepeatKey ?? '1'}`;
      let r = records.get(key);
      if (!r) {
        r = { form: recordForm, row: id.row, column: id.path.replace(/\/[^/]*$/, ''), values: {}, at: {} };
        records.set(key, r);
        out.records.push(r);
      }
      const item = afterPrefix(id.itemOid, `I.${formCode}.`);
      r.values[item] = id.value;
      r.at[item] = { row: id.row, column: id.path };
      continue;
    }
    const target = mapped(oidMap, id.itemOid) ?? afterPrefix(id.itemOid, 'I.');
    const dot = target.lastIndexOf('.');
    const form = dot < 0 ? formCode : target.slice(0, dot);
    const item = dot < 0 ? target : target.slice(dot + 1);
    const unit = id.unitOid ? (units.get(id.unitOid) ?? id.unitOid) : null;
    if (visit === SUBJECT_EVENT && form === SUBJECT_FORM.formCode) {
      if (id.value !== null) {
        out.facts[item] = id.value;
        out.factAt[item] = { row: id.row, column: id.path };
      }
    } else if (form === VISIT_FORM.formCode) {
      if (item === 'VISIT_DATE' && id.value) {
        out.visitDates.set(`${visit}|${cycle}`, id.value);
        out.dateAt[`${visit}|${cycle}`] = { row: id.row, column: id.path };
      }
    } else {
      out.values.set(`${visit}|${cycle}|${form}|${item}`, {
        row: id.row,
        column: id.path,
        visit,
        cycle,
        form,
        item,
        value: id.value,
        unit,
      });
    }
  }
  return out;
}

/** Everything the check of one subject needs. */
interface CheckContext {
  db: Db;
  meta: ExchangeMetadata;
  known: Map<string, SubjectRef>;
  sites: Map<string, string>;
  locations: Map<string, string>;
}

/** A subject in the database, or one the import may create (its site exists or is in AdminData). */
function subjectRefFor(c: CheckContext, s: OdmSubject): SubjectRef | undefined {
  const known = c.known.get(s.key);
  if (known) return known;
  if (s.siteCode && (c.sites.has(s.siteCode) || c.locations.has(`LOC.${s.siteCode}`)))
    return { id: `new:${s.key}`, siteId: `new:${s.siteCode}` };
  return undefined;
}

/** The problems of one subject, each with the row of its ItemData. */
async function checkSubject(c: CheckContext, s: OdmSubject): Promise<ImportProblem[]> {
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
  for (const v of s.values.values()) {
    const r = checkValue(
      c.meta,
      candidates,
      { subject: s.key, ...v },
      {
        subject: v.column,
        visit: v.column,
        cycle: v.column,
        form: v.column,
        item: v.column,
        value: v.column,
        unit: v.column,
      },
    );
    if (!r.ok) problems.push({ row: v.row, ...r.problem });
  }
  if (!c.known.has(s.key) && ref) {
    // A subject the import creates: its key becomes its code, under the API's text rule.
    const keyIssue = textIssue(s.key, 100);
    if (keyIssue)
      problems.push({
        row: firstRow(s),
        column: 'SubjectData/@SubjectKey',
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
        message: `no subject "${s.key}" in study ${c.meta.studyCode}`,
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

export async function importOdm(
  db: Db,
  studyId: string,
  input: OdmSource,
  opts: OdmImportOptions,
): Promise<OdmImportReport> {
  const report: OdmImportReport = {
    ...emptyReport(!!opts.dryRun),
    subjectsCreated: 0,
    infusions: { entered: 0, changed: 0, unchanged: 0 },
    adverseEvents: { entered: 0, changed: 0, unchanged: 0 },
  };
  const meta = await loadMetadata(db, studyId);
  const known = await subjectIndex(db, studyId);
  const sites = new Map(
    (
      await db.kysely.selectFrom('sites').select(['id', 'code']).where('study_id', '=', studyId).execute()
    ).map((s) => [s.code, s.id]),
  );
  const units = new Map<string, string>();
  const locations = new Map<string, string>();
  const ctx: CheckContext = { db, meta, known, sites, locations };
  const spool = await openSpool();
  try {
    // The only read: check every subject as it closes and spool what will be written.
    const checkedDigest = createHash('sha256');
    const read = await readSafely(report, () =>
      readOdm(open(input), {
        units,
        locations,
        onChunk: (c) => {
          checkedDigest.update(c);
        },
        onSubject: async (raw) => {
          const s = reduceSubject(raw, units, opts.oidMap);
          report.values += s.values.size + s.records.reduce((n, r) => n + Object.keys(r.values).length, 0);
          const problems = await checkSubject(ctx, s);
          report.invalidRows += new Set(problems.map((p) => p.row)).size;
          for (const p of problems) addProblem(report, p);
          if (!opts.dryRun) await spool.write(s);
        },
      }),
    );
    await spool.end();
    if (!read) return report;
    report.rows = read.itemData;
    if (!read.hasRoot) {
      addProblem(report, {
        row: 0,
        column: 'ODM',
        rule: 'row-malformed',
        message: 'the file has no ODM root element',
      });
      return report;
    }
    if (opts.dryRun || (report.invalidRows > 0 && !opts.skipInvalid)) return report;

    if (typeof input === 'function') {
      // The caller's file may have changed since the check: it must still be the bytes checked.
      const digest = createHash('sha256');
      for await (const c of input()) digest.update(c as string | Buffer);
      if (digest.digest('hex') !== checkedDigest.digest('hex'))
        throw new StoreError(
          'conflict',
          'the file changed between its check and its import: nothing was imported; import it again',
        );
    }

    // Then, in one transaction: write each spooled subject.
    const allValid = report.invalidRows === 0;
    const reason = opts.reason ?? 'imported from ODM';
    const counts = await inTransaction(db, opts.actor, async (tx) => {
      const writer = ItemWriter.forImport(tx, studyId, reason);
      const txCtx: CheckContext = { ...ctx, db: tx };
      const ids = new Map(known);
      for await (const s of spool.read()) {
        // Every value passed its check above; only when invalid values are skipped is each subject
        // judged again (inside the transaction, against what it has written so far).
        const invalid = allValid
          ? new Set<number>()
          : new Set((await checkSubject(txCtx, s)).map((p) => p.row));
        let ref = ids.get(s.key);
        if (!ref) {
          if (!subjectRefFor(ctx, s)) continue;
          ref = await createImportedSubject(tx, opts.actor, studyId, s, sites, locations);
          ids.set(s.key, ref);
          report.subjectsCreated++;
        }
        for (const v of s.values.values()) {
          if (invalid.has(v.row)) continue;
          await writer.write({
            subjectId: ref.id,
            siteId: ref.siteId,
            visitCode: v.visit,
            cycle: Number(v.cycle),
            visitDate: s.visitDates.get(`${v.visit}|${v.cycle}`) ?? null,
            formCode: v.form,
            itemCode: v.item,
            value: v.value,
            unit: v.unit,
          });
        }
        const valid = s.records.filter(
          (r) => !Object.values(r.at).some((a) => invalid.has(a.row)) && !invalid.has(r.row),
        );
        await writeRecords(tx, opts.actor, ref.id, valid, reason, report);
      }
      await writer.flush();
      return writer.counts;
    });
    return { ...report, ...counts, written: true };
  } finally {
    await spool.cleanup();
  }
}

/** Runs the first read; a syntax error (malformed XML, DOCTYPE) becomes a problem with its position. */
async function readSafely<T>(report: ImportReport, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (!(e instanceof OdmSyntaxError)) throw e;
    report.invalidRows++;
    addProblem(report, {
      row: 0,
      column: `line ${e.line}, column ${e.column}`,
      rule: e.rule,
      message: e.message,
    });
    return undefined;
  }
}

/** Infusions (keyed by cycle and number) and adverse events (by term and onset) of one subject. */
async function writeRecords(
  tx: Db,
  actor: Actor,
  subjectId: string,
  records: RecordRow[],
  reason: string,
  report: OdmImportReport,
) {
  if (records.length === 0) return;
  const infusions = await listSubjectRecords(tx, 'infusions', subjectId);
  const infusionKey = (cycle: unknown, n: unknown) => `${Number(cycle)}|${Number(n)}`;
  const byKey = new Map(infusions.map((i) => [infusionKey(i.cycle, i.infusion_number), i]));
  for (const r of records.filter((x) => x.form === INFUSION_FORM)) {
    const cols = infusionColumns(r.values);
    const key = infusionKey(cols.cycle, cols.infusion_number);
    const before = byKey.get(key);
    if (!before) {
      byKey.set(key, await createSubjectRecord(tx, actor, 'infusions', subjectId, cols));
      report.infusions.entered++;
      continue;
    }
    const after = await updateSubjectRecord(
      tx,
      actor,
      'infusions',
      before.id,
      Number(before.version),
      cols,
      reason,
    );
    byKey.set(key, after);
    if (Number(after.version) === Number(before.version)) report.infusions.unchanged++;
    else report.infusions.changed++;
  }
  const aes = await listSubjectRecords(tx, 'adverse_events', subjectId);
  const aeKey = (term: string, onset: string) => `${term}|${onset}`;
  const aeByKey = new Map(aes.map((a) => [aeKey(a.term, a.onset_date), a]));
  for (const r of records.filter((x) => x.form === AE_FORM)) {
    const link = r.values.INFUSION_CYCLE
      ? byKey.get(infusionKey(r.values.INFUSION_CYCLE, r.values.INFUSION_NUMBER))
      : undefined;
    const cols = { ...aeColumns(r.values), infusion_id: link?.id ?? null };
    const before = aeByKey.get(aeKey(cols.term, cols.onset_date));
    if (!before) {
      await createSubjectRecord(tx, actor, 'adverse_events', subjectId, cols);
      report.adverseEvents.entered++;
      continue;
    }
    const after = await updateSubjectRecord(
      tx,
      actor,
      'adverse_events',
      before.id,
      Number(before.version),
      cols,
      reason,
    );
    if (Number(after.version) === Number(before.version)) report.adverseEvents.unchanged++;
    else report.adverseEvents.changed++;
  }
}

async function createImportedSubject(
  tx: Db,
  actor: Actor,
  studyId: string,
  s: OdmSubject,
  sites: Map<string, string>,
  locations: Map<string, string>,
): Promise<SubjectRef> {
  const code = s.siteCode!;
  let siteId = sites.get(code);
  if (!siteId) {
    siteId = (await createSite(tx, actor, { studyId, code, name: locations.get(`LOC.${code}`) ?? code })).id;
    sites.set(code, siteId);
  }
  const created = await createSubject(tx, actor, {
    studyId,
    siteId,
    status: (s.facts.STATUS as SubjectStatus | undefined) ?? 'screening',
    sex: s.facts.SEX ?? null,
    birthDate: s.facts.BIRTH_DATE ?? null,
    day0Date: s.facts.DAY0_DATE ?? null,
    // An imported subject keeps the key it had in the file.
    subjectCode: s.key,
  });
  return { id: created.id, siteId };
}

const CHUNK = 1 << 16;

function open(input: OdmSource): AsyncIterable<string | Buffer> {
  if (typeof input === 'function') return input();
  if (typeof input !== 'string') return input;
  return (async function* () {
    for (let i = 0; i < input.length; i += CHUNK) yield input.slice(i, i + CHUNK);
  })();
}

/**
 * An OdmSubject as one JSON line: its visit dates as entries, a record's form as its code, and each
 * value as a short array without its ODM path (the write needs only a problem's row, never its
 * column: problems are reported by the check) and without its map key (made again from its parts).
 */
interface SpooledSubject extends Omit<OdmSubject, 'visitDates' | 'values' | 'records'> {
  visitDates: [string, string][];
  values: [number, string, string, string, string, string | null, string | null][];
  records: (Omit<RecordRow, 'form'> & { form: string })[];
}

/**
 * The reduced subjects of the check, one JSON line each, in a temporary file: read back for the
 * write, so memory holds one subject at a time and the XML is parsed once.
 */
async function openSpool() {
  const dir = await mkdtemp(join(tmpdir(), 'msct-odm-import-'));
  const file = join(dir, 'subjects.jsonl');
  const out: Writable = createWriteStream(file);
  return {
    write: async (s: OdmSubject) => {
      const line: SpooledSubject = {
        ...s,
        visitDates: [...s.visitDates],
        values: Array.from(s.values.values(), (v) => [
          v.row,
          v.visit,
          v.cycle,
          v.form,
          v.item,
          v.value,
          v.unit,
        ]),
        records: s.records.map((r) => ({ ...r, form: r.form.formCode })),
      };
      if (!out.write(`${JSON.stringify(line)}\n`))
        await new Promise<void>((r) => out.once('drain', () => r()));
    },
    end: async () => {
      out.end();
      await finished(out);
    },
    read: async function* (): AsyncGenerator<OdmSubject> {
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
      for await (const text of lines) {
        if (!text) continue;
        const line = JSON.parse(text) as SpooledSubject;
        yield {
          ...line,
          visitDates: new Map(line.visitDates),
          values: new Map(
            line.values.map(([row, visit, cycle, form, item, value, unit]) => [
              `${visit}|${cycle}|${form}|${item}`,
              { row, column: '', visit, cycle, form, item, value, unit },
            ]),
          ),
          records: line.records.map((r) => ({
            ...r,
            form: RECORD_FORMS.find((f) => f.formCode === r.form)!,
          })),
        };
      }
    },
    cleanup: async () => {
      if (!out.writableFinished) out.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
