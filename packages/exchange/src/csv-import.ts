// CSV import, long (one row per value: subject, visit, form, item, value, unit) or wide (one row per
// subject-visit, one column per form.item, the layout a REDCap export has, with a mapping file).
// The file is streamed twice: first every row is checked and every problem listed with its row,
// column and rule; then it is read again and written in one transaction, kept only if the whole file
// is valid (or the caller asked to skip invalid rows) and not a dry run, so a failure leaves the
// database as it was and a dry run meets every rule the write applies. Bytes are decoded as UTF-8
// (or UTF-16 by its byte order mark); undecodable bytes refuse the file (text-decoding.ts). Both
// reads hash the bytes; if the file changed in between, the transaction is rolled back.
import { createHash, type Hash } from 'node:crypto';
import { isIsoDate } from '@msct/core/protocol';
import {
  type Actor,
  type Db,
  DEATH_RECORD_FORM,
  type ImportValue,
  ItemWriter,
  raiseDeathRecordQueries,
  StoreError,
} from '@msct/store';
import { type CsvSource, openSource, readCsv } from './csv-reader.js';
import {
  addProblem,
  type ColumnNames,
  checkValueAll,
  cycleOf,
  emptyReport,
  type ImportProblem,
  type ImportReport,
  type RawValue,
  refusalColumn,
  refusalRule,
  type SubjectRef,
  subjectIndex,
  writeOrRollBack,
} from './import-check.js';
import { loadMetadata } from './study-metadata.js';
import { UndecodableBytes } from './text-decoding.js';

/** A wide file's columns: which hold the subject and visit, and which form item each other column is. */
export interface WideMapping {
  subject?: string;
  visit?: string;
  cycle?: string;
  visitDate?: string;
  /** The file's visit names (REDCap event names) → msct visit codes. */
  visits?: Record<string, string>;
  /** Column → `form.item`, or `{ item: 'form.item', unit }` when the column's unit is fixed. */
  columns: Record<string, string | { item: string; unit?: string }>;
}

export interface CsvImportOptions {
  format: 'long' | 'wide';
  /** The user the values are entered as (item values always name a user). */
  actor: Actor;
  mapping?: WideMapping;
  dryRun?: boolean;
  skipInvalid?: boolean;
  /** Reason recorded for values that replace an existing one (default: "imported from CSV"). */
  reason?: string;
  onProgress?: (rows: number) => void;
}

interface RowValues {
  row: number;
  values: { raw: RawValue; columns: ColumnNames; visitDate: string | null }[];
  problems: Omit<ImportProblem, 'row'>[];
}

const LONG_COLUMNS = ['subject', 'visit', 'form', 'item', 'value', 'unit'] as const;

export async function importCsv(
  db: Db,
  studyId: string,
  input: CsvSource,
  opts: CsvImportOptions,
): Promise<ImportReport> {
  const meta = await loadMetadata(db, studyId);
  const subjects = await subjectIndex(db, studyId);
  const report = emptyReport(!!opts.dryRun);
  const judge = (r: RowValues) => {
    const problems = [...r.problems];
    const checked = r.values.map((v) => {
      const c = checkValueAll(meta, subjects, v.raw, v.columns);
      problems.push(...c.problems);
      return c.checked;
    });
    return { problems, checked };
  };

  const checkedDigest = createHash('sha256');
  let undecodable = false;
  for await (const r of rowsOf(input, opts, checkedDigest)) {
    report.rows++;
    report.values += r.values.length;
    const { problems } = judge(r);
    if (problems.some((p) => p.rule === 'encoding-invalid')) undecodable = true;
    if (problems.length > 0) report.invalidRows++;
    for (const p of problems) addProblem(report, { row: r.row, ...p });
    if (report.rows % 10_000 === 0) opts.onProgress?.(report.rows);
  }
  opts.onProgress?.(report.rows);
  // A file that cannot be decoded is refused whole: what follows the bad bytes was never read.
  if (undecodable) {
    // Refused whole, with the one problem: what was read before the bad bytes depends on how the
    // file was cut into chunks, and none of it is imported.
    const only = report.problems.find((p) => p.rule === 'encoding-invalid')!;
    return { ...emptyReport(!!opts.dryRun), invalidRows: 1, problems: [only] };
  }

  // The write, in one transaction: kept when the file is valid (or invalid rows are skipped), rolled
  // back for a dry run and for a refused file, so both apply every rule the write applies (a signed
  // or locked form, a missed visit) and every problem comes in one report.
  const reason = opts.reason ?? 'imported from CSV';
  const expectedDigest = checkedDigest.digest('hex');
  const allValid = report.invalidRows === 0;
  const keep = () => !opts.dryRun && (report.invalidRows === 0 || !!opts.skipInvalid);
  /** Subjects whose end-of-study form the import writes: their death records are checked after it. */
  const deathForms = new Set<string>();
  const outcome = await writeOrRollBack(db, opts.actor, keep, async (txDb) => {
    const writer = ItemWriter.forImport(txDb, studyId, reason);
    /** The values a row writes; undefined for a row with problems (it is not written). */
    const writesOf = (r: RowValues): { value: ImportValue; columns: ColumnNames }[] | undefined => {
      if (allValid) {
        // Every value passed its check in the first read, and the digest below proves these are
        // the same bytes: only the subject and cycle are looked up again.
        return r.values.map((v) => {
          const ref = resolveValue(subjects, v.raw);
          return { value: toImportValue(v.raw, ref.subject, ref.cycle, v.visitDate), columns: v.columns };
        });
      }
      const { problems, checked } = judge(r);
      if (problems.length > 0) return undefined;
      return r.values.flatMap((v, i) => {
        const c = checked[i]!;
        return c.ok
          ? [{ value: toImportValue(v.raw, c.subject, c.cycle, v.visitDate), columns: v.columns }]
          : [];
      });
    };
    // Branching logic (`item-hidden`) is judged on a whole form, whose values may come on many rows:
    // when a form of the study has any, one more read gathers those forms' values, so that a value
    // the logic refuses is listed at its row like the other refusals, not a refusal of the import.
    const hiddenAt = new Map<number, ImportProblem[]>();
    const branching = await writer.branchingFormCodes();
    if (branching.size > 0) {
      const values: ImportValue[] = [];
      const where: { row: number; columns: ColumnNames }[] = [];
      for await (const r of rowsOf(input, opts))
        for (const w of writesOf(r) ?? [])
          if (branching.has(w.value.formCode)) {
            values.push(w.value);
            where.push({ row: r.row, columns: w.columns });
          }
      for (const [i, why] of await writer.hiddenItemRefusals(values)) {
        const { row, columns } = where[i]!;
        const list = hiddenAt.get(row) ?? [];
        list.push({ row, column: refusalColumn(why, columns), rule: refusalRule(why), message: why.message });
        hiddenAt.set(row, list);
      }
    }
    const digest = createHash('sha256');
    let rows = 0;
    for await (const r of rowsOf(input, opts, digest)) {
      rows++;
      const writes = writesOf(r);
      if (!writes) continue;
      // The writer's own refusals, asked before anything of the row is written: a row is written
      // whole or not at all.
      let refused = false;
      for (const w of writes) {
        const why = await writer.refusal(w.value);
        if (!why) continue;
        if (!refused) report.invalidRows++;
        refused = true;
        addProblem(report, {
          row: r.row,
          column: refusalColumn(why, w.columns),
          rule: refusalRule(why),
          message: why.message,
        });
      }
      const hidden = hiddenAt.get(r.row);
      if (hidden) {
        if (!refused) report.invalidRows++;
        refused = true;
        for (const p of hidden) addProblem(report, p);
      }
      if (!refused)
        for (const w of writes) {
          await writer.write(w.value);
          if (w.value.formCode === DEATH_RECORD_FORM) deathForms.add(w.value.subjectId);
        }
      if (rows % 10_000 === 0) opts.onProgress?.(rows);
    }
    if (digest.digest('hex') !== expectedDigest)
      throw new StoreError(
        'conflict',
        'the file changed between its check and its import: nothing was imported; import it again',
      );
    await writer.finish();
    return writer.counts;
  });
  if (!outcome.kept && !opts.dryRun) return report;
  // Deaths recorded consistently (issue #21): the same system queries as a form save raises.
  if (outcome.kept) await raiseDeathRecordQueries(db, studyId, [...deathForms]);
  // A dry run reports what the write would have done.
  return { ...report, ...outcome.value, written: outcome.kept };
}

/** Subject and cycle of a value already checked by checkValue. */
function resolveValue(subjects: Map<string, SubjectRef>, raw: RawValue) {
  const subject = subjects.get(raw.subject);
  if (!subject) throw new StoreError('conflict', `subject ${raw.subject} is gone since the file was checked`);
  return { subject, cycle: cycleOf(raw) };
}

function toImportValue(raw: RawValue, subject: SubjectRef, cycle: number, visitDate: string | null) {
  return {
    subjectId: subject.id,
    siteId: subject.siteId,
    visitCode: raw.visit,
    cycle,
    visitDate,
    formCode: raw.form,
    record: raw.record ?? 1,
    itemCode: raw.item,
    value: raw.value,
    unit: raw.unit,
  };
}

async function* rowsOf(input: CsvSource, opts: CsvImportOptions, digest?: Hash): AsyncGenerator<RowValues> {
  try {
    for await (const row of recordsOf(input, opts, digest)) yield row;
  } catch (e) {
    if (!(e instanceof UndecodableBytes)) throw e;
    yield {
      row: e.line,
      values: [],
      problems: [{ column: '*', rule: 'encoding-invalid', message: e.message }],
    };
  }
}

async function* recordsOf(
  input: CsvSource,
  opts: CsvImportOptions,
  digest?: Hash,
): AsyncGenerator<RowValues> {
  let header: string[] | undefined;
  let layout: ReturnType<typeof longLayout> | ReturnType<typeof wideLayout> | undefined;
  let unusable = false;
  for await (const rec of readCsv(openSource(input), digest)) {
    if (!header) {
      header = rec.fields.map((f) => f.trim());
      layout = opts.format === 'long' ? longLayout(header) : wideLayout(header, opts.mapping);
      if (layout.problems.length > 0) {
        yield { row: rec.line, values: [], problems: layout.problems };
        unusable = true;
      }
      continue;
    }
    // A header without its columns makes no row readable; the rest is still decoded, so bytes
    // that cannot be are reported whatever the header.
    if (unusable) continue;
    if (rec.fields.length !== header.length) {
      yield {
        row: rec.line,
        values: [],
        problems: [
          {
            column: '*',
            rule: 'row-malformed',
            message: `row has ${rec.fields.length} fields, the header has ${header.length}`,
          },
        ],
      };
      continue;
    }
    const values = layout!.values(rec.fields);
    // A visit date is a real date, as at entry (one problem per row: the row shares it).
    const date = values.find((v) => v.visitDate !== null)?.visitDate;
    const problems: Omit<ImportProblem, 'row'>[] =
      date && !isIsoDate(date)
        ? [
            {
              column: layout!.dateColumn,
              rule: 'value-invalid',
              message: `${layout!.dateColumn} "${String(date).slice(0, 40)}" is not a date YYYY-MM-DD`,
            },
          ]
        : [];
    yield { row: rec.line, values, problems };
  }
}

function longLayout(header: string[]) {
  const lower = header.map((h) => h.toLowerCase());
  const at = (name: string) => lower.indexOf(name);
  const missing = LONG_COLUMNS.filter((c) => at(c) < 0);
  const problems: Omit<ImportProblem, 'row'>[] = missing.map((c) => ({
    column: c,
    rule: 'row-malformed',
    message: `the header has no "${c}" column (a long file has ${LONG_COLUMNS.join(', ')}, optionally cycle, visit_date and record)`,
  }));
  const idx = Object.fromEntries(LONG_COLUMNS.map((c) => [c, at(c)])) as Record<
    (typeof LONG_COLUMNS)[number],
    number
  >;
  const cycleAt = at('cycle');
  const dateAt = at('visit_date');
  // A repeating form's record (csv-export.ts writes it when the study has repeating forms).
  const recordAt = at('record');
  const columns: ColumnNames = {
    subject: 'subject',
    visit: 'visit',
    cycle: 'cycle',
    form: 'form',
    item: 'item',
    value: 'value',
    unit: 'unit',
  };
  return {
    problems,
    dateColumn: 'visit_date',
    values: (f: string[]) => {
      const value = f[idx.value]!.trim();
      if (value === '') return [];
      const unit = f[idx.unit]!.trim();
      const recordText = recordAt < 0 ? '' : f[recordAt]!.trim();
      // A record that is not a whole number ≥ 1 is passed on as NaN: the writer refuses it by name.
      const record =
        recordText === '' ? undefined : /^[1-9]\d{0,4}$/.test(recordText) ? Number(recordText) : Number.NaN;
      return [
        {
          raw: {
            subject: f[idx.subject]!.trim(),
            visit: f[idx.visit]!.trim(),
            cycle: cycleAt < 0 ? undefined : f[cycleAt]!.trim(),
            form: f[idx.form]!.trim(),
            ...(record !== undefined ? { record } : {}),
            item: f[idx.item]!.trim(),
            value,
            unit: unit === '' ? null : unit,
          },
          columns,
          visitDate: dateAt < 0 ? null : f[dateAt]!.trim() || null,
        },
      ];
    },
  };
}

function wideLayout(header: string[], mapping: WideMapping | undefined) {
  const problems: Omit<ImportProblem, 'row'>[] = [];
  // A problem names its column: a header cell left empty is named by its position.
  const named = (at: number) => header[at] || `column ${at + 1} (no name)`;
  // Own keys only: a column or visit named "constructor" or "__proto__" is not an Object method.
  const own = <T>(map: Record<string, T> | undefined, key: string) =>
    map && Object.hasOwn(map, key) ? map[key] : undefined;
  const find = (name: string | undefined, fallback: string) => header.indexOf(name ?? fallback);
  const subjectAt = find(mapping?.subject, 'subject');
  const visitAt = find(mapping?.visit, 'visit');
  const cycleAt = find(mapping?.cycle, 'cycle');
  const dateAt = find(mapping?.visitDate, 'visit_date');
  if (subjectAt < 0)
    problems.push({
      column: mapping?.subject || 'subject',
      rule: 'row-malformed',
      message: 'the header has no subject column',
    });
  if (visitAt < 0)
    problems.push({
      column: mapping?.visit || 'visit',
      rule: 'row-malformed',
      message: 'the header has no visit column',
    });
  const items: { at: number; column: string; form: string; item: string; unit?: string; unitAt: number }[] =
    [];
  header.forEach((column, at) => {
    if ([subjectAt, visitAt, cycleAt, dateAt].includes(at) || column.endsWith('.unit')) return;
    const m = mapping ? own(mapping.columns, column) : column;
    if (m === undefined) return; // a column the mapping leaves out (REDCap's own fields)
    const target = typeof m === 'string' ? m : m.item;
    const dot = target.indexOf('.');
    if (dot < 0) {
      if (mapping)
        problems.push({
          column: named(at),
          rule: 'mapping-invalid',
          message: `maps to "${target}", which is not form.item`,
        });
      return;
    }
    items.push({
      at,
      column: named(at),
      form: target.slice(0, dot),
      item: target.slice(dot + 1),
      ...(typeof m === 'object' && m.unit ? { unit: m.unit } : {}),
      unitAt: header.indexOf(`${column}.unit`),
    });
  });
  if (items.length === 0 && problems.length === 0)
    problems.push({ column: '*', rule: 'mapping-invalid', message: 'no column maps to a form item' });
  return {
    problems,
    dateColumn: dateAt < 0 ? 'visit_date' : named(dateAt),
    values: (f: string[]) => {
      const visitName = f[visitAt]!.trim();
      const visit = own(mapping?.visits, visitName) ?? visitName;
      const base = {
        subject: f[subjectAt]!.trim(),
        visit,
        cycle: cycleAt < 0 ? undefined : f[cycleAt]!.trim(),
      };
      const visitDate = dateAt < 0 ? null : f[dateAt]!.trim() || null;
      const out: RowValues['values'] = [];
      for (const it of items) {
        const value = f[it.at]!.trim();
        if (value === '') continue;
        const unitCell = it.unitAt < 0 ? '' : f[it.unitAt]!.trim();
        const unit = it.unit ?? (unitCell === '' ? null : unitCell);
        const unitColumn = it.unitAt < 0 ? it.column : header[it.unitAt]!;
        out.push({
          raw: { ...base, form: it.form, item: it.item, value, unit },
          columns: {
            subject: named(subjectAt),
            visit: named(visitAt),
            cycle: cycleAt < 0 ? 'cycle' : named(cycleAt),
            form: it.column,
            item: it.column,
            value: it.column,
            unit: unitColumn,
          },
          visitDate,
        });
      }
      return out;
    },
  };
}
