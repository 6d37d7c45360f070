// CSV export (issue 22), in the two layouts the CSV import reads (csv-import.ts):
//   long: one row per value (subject, site, visit, cycle, visit_date, form, item, value, unit);
//   wide: one row per subject × visit × cycle, one column per form.item (and form.item.unit for items
//         with units), the layout of a REDCap export.
// Repeating forms (the definition's `repeating`, issues #20/#23: several records per visit): the long
// layout carries a `record` column (after `form`) when the export includes one, one row per value of
// each record; the wide layout has one cell per form.item and visit, so it refuses an export that
// includes a repeating form (export it long, or leave it out with the forms filter) rather than put
// two records in one cell.
// With a data dictionary (one row per column: column, form, item, label, type, unit, code list)
// from which `wideMappingFromDictionary` builds the import's mapping, so a wide file goes back in
// through the wide import unchanged. Subjects are read a page at a time on their code (a stable
// key), so memory holds one page whatever the size of the study. Filters: sites, forms, visits.
// Pseudonymised (the statistician's view, issue 17): pseudonyms for subject codes, no free text, and
// no calendar dates: the visit date and date items become study days from day 0 (first infusion).
// Blinded (issue 24, a role the study's definition blinds): the forms and items the definition names
// as revealing the arm are left out — their columns and their values — and the dictionary says so in
// a note row, as the blinded ODM's Description and define.xml do. The CSV carries no arm column.
import { Readable, type Writable } from 'node:stream';
import type { ItemDefinition } from '@msct/core/crf';
import { type Db, StoreError } from '@msct/store';
import type { WideMapping } from './csv-import.js';
import { readCsv } from './csv-reader.js';
import { type ArmBlinding, blindedExportNote } from './odm-export.js';
import { csvField } from './sdtm-files.js';
import { type ExchangeMetadata, isFreeText, loadMetadata, studyDay } from './study-metadata.js';

export type CsvLayout = 'long' | 'wide';

export interface CsvExportOptions {
  layout: CsvLayout;
  /** Pseudonyms, no free text, study days instead of calendar dates. */
  pseudonymise?: boolean;
  /** Only these sites (site-scoped users, or the user's filter). */
  siteIds?: readonly string[];
  /** Only these forms (by code); all the definition's forms otherwise. */
  formCodes?: readonly string[];
  /** Only these visits (by code). */
  visitCodes?: readonly string[];
  /** A blinded export: the arm-revealing forms and items (core protocol `armRevealingOf`) left out. */
  blind?: ArmBlinding;
  /** Subjects per page (default 50). */
  pageSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CsvExportReport {
  subjects: number;
  /** Data rows written (long: values; wide: subject-visits). */
  rows: number;
  values: number;
  /** Values left out: free forms, items the definition no longer has, free text when pseudonymised. */
  skippedValues: number;
  /** Values of arm-revealing forms and items a blinded export left out (issue 24). */
  blindedValues: number;
}

/** One column of an export, as its dictionary describes it. */
export interface CsvDictionaryRow {
  column: string;
  form: string;
  item: string;
  label: string;
  type: string;
  unit: string;
  codeList: string;
}

export const DICTIONARY_HEADER = ['column', 'form', 'item', 'label', 'type', 'unit', 'code list'] as const;

interface ExportedItem {
  form: string;
  def: ItemDefinition;
  /** Date items become study days in a pseudonymised file. */
  asStudyDay: boolean;
}

/** The items an export carries, in the definition's form and item order. */
function exportedItems(meta: ExchangeMetadata, opts: CsvExportOptions): ExportedItem[] {
  const forms = opts.formCodes ? new Set(opts.formCodes) : undefined;
  const out: ExportedItem[] = [];
  for (const [code, form] of meta.forms) {
    if (forms && !forms.has(code)) continue;
    if (opts.blind?.forms.has(code)) continue;
    for (const def of form.items) {
      if (opts.pseudonymise && isFreeText(def)) continue;
      if (opts.blind?.items.has(`${code}/${def.code}`)) continue;
      out.push({ form: code, def, asStudyDay: !!opts.pseudonymise && def.type === 'date' });
    }
  }
  return out;
}

const codeListOf = (def: ItemDefinition): string =>
  def.codes
    ? def.codes.map((c) => `${c.code} = ${c.label}`).join(' | ')
    : def.type === 'boolean'
      ? '1 = yes | 0 = no'
      : '';

/** The repeating forms an export includes (its forms filter applied). */
export function exportedRepeatingForms(meta: ExchangeMetadata, opts: CsvExportOptions): string[] {
  const forms = opts.formCodes ? new Set(opts.formCodes) : undefined;
  return (meta.definition.forms ?? [])
    .filter((f) => f.repeating && meta.forms.has(f.id) && (!forms || forms.has(f.id)))
    .map((f) => f.id);
}

/** The wide layout holds one record per form and visit: refused for an export with a repeating form. */
export function wideRefusal(meta: ExchangeMetadata, opts: CsvExportOptions): StoreError | undefined {
  if (opts.layout !== 'wide') return undefined;
  const repeating = exportedRepeatingForms(meta, opts);
  if (repeating.length === 0) return undefined;
  return new StoreError(
    'invalid',
    `a wide CSV has one cell per item and visit, but form${repeating.length > 1 ? 's' : ''} ${repeating.join(', ')} ${repeating.length > 1 ? 'are' : 'is'} repeating (several records per visit): export the long layout, which has a record column, or leave ${repeating.length > 1 ? 'them' : 'it'} out with the forms filter`,
    { field: 'layout', rule: 'wide-repeating-form', forms: repeating },
  );
}

/** The dictionary of an export: every column it has, in its order. */
export function csvDictionary(meta: ExchangeMetadata, opts: CsvExportOptions): CsvDictionaryRow[] {
  const row = (column: string, label: string, type: string): CsvDictionaryRow => ({
    column,
    form: '',
    item: '',
    label,
    type,
    unit: '',
    codeList: '',
  });
  const fixed = [
    row(
      'subject',
      opts.pseudonymise ? 'Subject pseudonym' : 'Subject code',
      opts.pseudonymise ? 'pseudonym' : 'subject',
    ),
    row('site', 'Site code', 'site'),
    row('visit', 'Visit code', 'visit'),
    row('cycle', 'Treatment cycle (1 for visits that do not repeat)', 'cycle'),
    opts.pseudonymise
      ? row('study_day', 'Study day of the visit (day 0 = first infusion)', 'study day')
      : row('visit_date', 'Visit date (YYYY-MM-DD)', 'visit date'),
  ];
  if (opts.layout === 'long')
    return [
      ...fixed,
      row('form', 'Form code', 'form'),
      ...(exportedRepeatingForms(meta, opts).length > 0
        ? [row('record', 'Record of a repeating form at the visit (1, 2, …; 1 for other forms)', 'record')]
        : []),
      row('item', 'Item code', 'item'),
      row('value', 'Value (as entered; codes as listed in the wide dictionary)', 'value'),
      row('unit', 'Unit of the value', 'unit'),
    ];
  const items = exportedItems(meta, opts).flatMap((it): CsvDictionaryRow[] => {
    const column = `${it.form}.${it.def.code}`;
    const units = it.def.units ?? [];
    const main: CsvDictionaryRow = {
      column,
      form: it.form,
      item: it.def.code,
      label: it.def.label,
      type: it.asStudyDay ? 'study day' : it.def.type,
      unit: units.join(' '),
      codeList: codeListOf(it.def),
    };
    if (units.length === 0) return [main];
    return [
      main,
      {
        column: `${column}.unit`,
        form: it.form,
        item: it.def.code,
        label: `Unit of ${it.def.label}`,
        type: 'unit',
        unit: '',
        codeList: units.join(' | '),
      },
    ];
  });
  return [...fixed, ...items];
}

/**
 * The dictionary as CSV (RFC 4180, CRLF): a row per column of the export, then a note row (type
 * `note`, no column) per thing the reader must know about the whole file — a blinded export says
 * what it left out.
 */
export function csvDictionaryText(
  rows: readonly CsvDictionaryRow[],
  opts: Pick<CsvExportOptions, 'blind'> = {},
): string {
  const notes = opts.blind ? [blindedExportNote(opts.blind)] : [];
  const all = [
    ...rows,
    ...notes.map((label) => ({
      column: '',
      form: '',
      item: '',
      label,
      type: 'note',
      unit: '',
      codeList: '',
    })),
  ];
  const lines = [DICTIONARY_HEADER.join(',')];
  for (const r of all)
    lines.push([r.column, r.form, r.item, r.label, r.type, r.unit, r.codeList].map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The wide import's mapping from an export's dictionary (CSV text): each item column to its
 * form.item; the subject, visit, cycle and visit date columns by their type. A pseudonymised file
 * has no subject codes and no dates: it cannot be imported, and its dictionary says so.
 */
export async function wideMappingFromDictionary(dictionaryCsv: string): Promise<WideMapping> {
  const columns: WideMapping['columns'] = {};
  const mapping: WideMapping = { columns };
  let header: string[] | undefined;
  for await (const rec of readCsv(Readable.from([Buffer.from(dictionaryCsv, 'utf8')]))) {
    if (!header) {
      header = rec.fields.map((f) => f.trim().toLowerCase());
      const missing = DICTIONARY_HEADER.filter((h) => !header!.includes(h));
      if (missing.length > 0)
        throw new Error(`the dictionary has no ${missing.map((m) => `"${m}"`).join(', ')} column`);
      continue;
    }
    const get = (name: string) => rec.fields[header!.indexOf(name)]?.trim() ?? '';
    const column = get('column');
    const type = get('type');
    if (type === 'note') continue;
    if (type === 'pseudonym' || type === 'study day')
      throw new Error(
        `dictionary line ${rec.line}: column "${column}" is ${type === 'pseudonym' ? 'a pseudonym' : 'a study day'}: a pseudonymised export cannot be imported`,
      );
    if (type === 'subject') mapping.subject = column;
    else if (type === 'visit') mapping.visit = column;
    else if (type === 'cycle') mapping.cycle = column;
    else if (type === 'visit date') mapping.visitDate = column;
    else if (type !== 'unit' && get('form') && get('item')) columns[column] = `${get('form')}.${get('item')}`;
  }
  return mapping;
}

interface ValueRow {
  subject_id: string;
  visit_id: string;
  visit_code: string;
  cycle: number | string;
  visit_date: string | null;
  form_code: string;
  record: number | string;
  item_code: string;
  value: string | null;
  unit: string | null;
}

/** Writes text to a stream, waiting when its buffer is full. */
async function put(out: Writable, text: string): Promise<void> {
  if (out.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', done);
      out.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    out.on('drain', done);
    out.on('error', done);
  });
}

/** Writes the study's values as CSV (long or wide) to `out` (not ended), page by page. */
export async function exportCsv(
  db: Db,
  studyId: string,
  out: Writable,
  opts: CsvExportOptions,
): Promise<CsvExportReport> {
  const meta = await loadMetadata(db, studyId);
  const refused = wideRefusal(meta, opts);
  if (refused) throw refused;
  const withRecord = exportedRepeatingForms(meta, opts).length > 0;
  const dictionary = csvDictionary(meta, opts);
  const items = exportedItems(meta, opts);
  const slot = new Map(items.map((it, i) => [`${it.form}.${it.def.code}`, i]));
  const visits = opts.visitCodes ? new Set(opts.visitCodes) : undefined;
  const visitRank = new Map(meta.visits.map((v, i) => [v.code, i]));
  const report: CsvExportReport = { subjects: 0, rows: 0, values: 0, skippedValues: 0, blindedValues: 0 };
  const blind = opts.blind;

  const sites = await db.kysely
    .selectFrom('sites')
    .select(['id', 'code'])
    .where('study_id', '=', studyId)
    .execute();
  const siteCode = new Map(sites.map((s) => [s.id, s.code]));
  const siteFilter = opts.siteIds ? (opts.siteIds.length ? [...opts.siteIds] : ['']) : undefined;
  let count = db.kysely
    .selectFrom('subjects')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('study_id', '=', studyId);
  if (siteFilter) count = count.where('site_id', 'in', siteFilter);
  const total = Number((await count.executeTakeFirstOrThrow()).n);

  await put(out, `${dictionary.map((d) => csvField(d.column)).join(',')}\r\n`);
  const pageSize = opts.pageSize ?? 50;
  let after: string | null = null;
  for (;;) {
    let q = db.kysely
      .selectFrom('subjects')
      .select(['id', 'site_id', 'subject_code', 'pseudonym', 'day0_date'])
      .where('study_id', '=', studyId)
      .orderBy('subject_code')
      .limit(pageSize);
    if (siteFilter) q = q.where('site_id', 'in', siteFilter);
    if (after !== null) q = q.where('subject_code', '>', after);
    const subjects = await q.execute();
    if (subjects.length === 0) break;
    after = subjects[subjects.length - 1]!.subject_code;
    let vq = db.kysely
      .selectFrom('item_values as iv')
      .innerJoin('form_instances as fi', 'fi.id', 'iv.form_instance_id')
      .innerJoin('visits as v', 'v.id', 'fi.visit_id')
      .select([
        'fi.subject_id',
        'v.id as visit_id',
        'v.visit_code',
        'v.cycle',
        'v.visit_date',
        'fi.form_code',
        'fi.record',
        'iv.item_code',
        'iv.value',
        'iv.unit',
      ])
      .where(
        'fi.subject_id',
        'in',
        subjects.map((s) => s.id),
      );
    if (opts.formCodes)
      vq = vq.where('fi.form_code', 'in', opts.formCodes.length ? [...opts.formCodes] : ['']);
    if (visits) vq = vq.where('v.visit_code', 'in', visits.size ? [...visits] : ['']);
    const rows = (await vq.execute()) as ValueRow[];
    const bySubject = new Map<string, Map<string, ValueRow[]>>();
    for (const r of rows) {
      let byVisit = bySubject.get(r.subject_id);
      if (!byVisit) {
        byVisit = new Map();
        bySubject.set(r.subject_id, byVisit);
      }
      const list = byVisit.get(r.visit_id);
      if (list) list.push(r);
      else byVisit.set(r.visit_id, [r]);
    }
    let text = '';
    for (const s of subjects) {
      report.subjects++;
      const byVisit = bySubject.get(s.id);
      if (!byVisit) continue;
      const rank = (code: string) => visitRank.get(code) ?? meta.visits.length;
      const ordered = [...byVisit.values()].sort(
        (a, b) =>
          rank(a[0]!.visit_code) - rank(b[0]!.visit_code) || Number(a[0]!.cycle) - Number(b[0]!.cycle),
      );
      const subjectKey = opts.pseudonymise ? s.pseudonym : s.subject_code;
      const site = siteCode.get(s.site_id) ?? '';
      // Each record of a visit's forms apart (only a repeating form has records after 1; the wide
      // layout was refused above when the export has one).
      const perRecord = ordered.flatMap((values) => {
        const byRecord = new Map<number, ValueRow[]>();
        for (const r of values) {
          const n = Number(r.record);
          const list = byRecord.get(n);
          if (list) list.push(r);
          else byRecord.set(n, [r]);
        }
        return [...byRecord].sort(([a], [b]) => a - b);
      });
      for (const [record, values] of perRecord) {
        const v = values[0]!;
        const when = opts.pseudonymise
          ? (studyDay(v.visit_date, s.day0_date)?.toString() ?? '')
          : (v.visit_date ?? '');
        const fixed = [subjectKey, site, v.visit_code, String(Number(v.cycle)), when];
        const cells: { value: string; unit: string }[] = new Array(items.length);
        for (const r of values) {
          if (blind && (blind.forms.has(r.form_code) || blind.items.has(`${r.form_code}/${r.item_code}`))) {
            report.blindedValues++;
            continue;
          }
          const i = slot.get(`${r.form_code}.${r.item_code}`);
          if (i === undefined) {
            report.skippedValues++;
            continue;
          }
          const it = items[i]!;
          const value =
            it.asStudyDay && r.value ? (studyDay(r.value, s.day0_date)?.toString() ?? '') : (r.value ?? '');
          if (value === '') continue;
          cells[i] = { value, unit: r.unit ?? '' };
        }
        if (opts.layout === 'long') {
          cells.forEach((c, i) => {
            if (!c) return;
            const it = items[i]!;
            const form = withRecord ? [it.form, String(record)] : [it.form];
            text += `${[...fixed, ...form, it.def.code, c.value, c.unit].map(csvField).join(',')}\r\n`;
            report.rows++;
            report.values++;
          });
        } else {
          const line: string[] = [...fixed];
          let n = 0;
          items.forEach((it, i) => {
            const c = cells[i];
            if (c) n++;
            line.push(c?.value ?? '');
            if (it.def.units?.length) line.push(c?.unit ?? '');
          });
          if (n === 0) continue;
          text += `${line.map(csvField).join(',')}\r\n`;
          report.rows++;
          report.values += n;
        }
      }
    }
    await put(out, text);
    opts.onProgress?.(report.subjects, total);
    if (subjects.length < pageSize) break;
  }
  return report;
}
