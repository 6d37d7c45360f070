// Reads a study's raw data for the core: subject by subject from a stream (streamTrialSubjects), so
// a caller can derive each subject and keep the result, not the items (issue 16: a 20 000-patient
// trial is ~9 million item values), or all at once as a TrialDataset (loadTrialDataset).
// Subjects come in pages; each page is read with three queries (visits with their items as one JSON
// text a visit, infusions, adverse events), ordered on stable keys, a few pages ahead of the caller.
//
// The data snapshot hash is a streaming hash over a canonical serialisation: SHA-256 of the study
// header's JSON, then, subject by subject in subject-code order, the SHA-256 of that subject's JSON
// (DatasetSubject: fields, visits, forms and items in the order read here), one per line. The same
// data always give the same hash, whoever reads it and however it is read (all at once, streamed,
// or from a cache of per-subject hashes: snapshotHash), and any change to one value changes it.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { DatasetSubject, DatasetVisit, TrialDataset } from '@msct/core/dataset';
import { type Selectable, sql } from 'kysely';
import { type Db, parseDatabaseUrl } from './database.js';
import { SqlitePageReader } from './page-reader.js';
import { getStudy } from './repositories/studies.js';
import type { AdverseEventTable, InfusionTable, SubjectTable } from './schema.js';

export interface LoadDatasetOptions {
  /** Use pseudonyms for subject codes and drop birth dates (the statistician's view). */
  pseudonymise?: boolean;
  /** Only these subjects. */
  subjectIds?: readonly string[];
  /** Only these sites. */
  siteIds?: readonly string[];
}

export interface TrialHeader {
  study: TrialDataset['study'];
  sites: TrialDataset['sites'];
}

/**
 * Subjects per page of the stream: ~11 000 item rows at the demo's ~446 items per subject. Small
 * pages keep the garbage between collections small: on 5 000 patients, deriving and keeping the
 * records peaked at 442 MB RSS with pages of 200, 321 MB with 50 and 256 MB with 25, in about the
 * same time (then four indexed queries a page; now three, and pages of 10 measured the same as 25).
 */
export const SUBJECT_PAGE = 25;
/** A trial of more pages than this is read by a worker thread on SQLite files (page-reader.ts). */
export const READER_MIN_PAGES = 4;
/** Ids per `in (…)` list, under SQLite's and PostgreSQL's parameter limits. */
const ID_CHUNK = 5000;

export async function loadTrialHeader(db: Db, studyId: string): Promise<TrialHeader> {
  const study = await getStudy(db, studyId);
  const sites = await db.kysely
    .selectFrom('sites')
    .select(['id', 'code', 'name'])
    .where('study_id', '=', studyId)
    .orderBy('code')
    .execute();
  return {
    study: { id: study.id, code: study.code, title: study.title },
    sites: sites.map((s) => ({ id: s.id, code: s.code, name: s.name })),
  };
}

/** SHA-256 (hex) of one subject's canonical serialisation. */
export function subjectDataHash(subject: DatasetSubject): string {
  return createHash('sha256').update(JSON.stringify(subject)).digest('hex');
}

/** The snapshot hash of a header and its subjects' hashes, in subject order (see the top of this file). */
export function snapshotHash(header: TrialHeader, subjectHashes: Iterable<string>): string {
  const h = createHash('sha256').update(JSON.stringify({ study: header.study, sites: header.sites }));
  h.update('\n');
  for (const s of subjectHashes) h.update(`${s}\n`);
  return h.digest('hex');
}

/**
 * The subjects of a study (one row each), in subject-code order, or in pseudonym order when
 * pseudonymised: in code order (site code, enrolment number) a list's positions would map each
 * pseudonym back to its code (issue 17, Medium 3).
 */
export async function listDatasetSubjects(
  db: Db,
  studyId: string,
  opts: LoadDatasetOptions = {},
): Promise<Selectable<SubjectTable>[]> {
  const key = opts.pseudonymise ? 'pseudonym' : 'subject_code';
  const query = (ids?: readonly string[]) => {
    let sq = db.kysely.selectFrom('subjects').selectAll().where('study_id', '=', studyId);
    if (ids) sq = ids.length ? sq.where('id', 'in', ids) : sq.where('id', '=', '');
    if (opts.siteIds)
      sq = opts.siteIds.length ? sq.where('site_id', 'in', opts.siteIds) : sq.where('id', '=', '');
    return sq.orderBy(key).execute();
  };
  if (!opts.subjectIds || opts.subjectIds.length <= ID_CHUNK) return query(opts.subjectIds);
  const out: Selectable<SubjectTable>[] = [];
  for (let i = 0; i < opts.subjectIds.length; i += ID_CHUNK)
    for (const r of await query(opts.subjectIds.slice(i, i + ID_CHUNK))) out.push(r);
  return out.sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0));
}

/**
 * The visits of a page of subjects, each with its items as one JSON text (exported so tests can
 * EXPLAIN it), items in form then item code order; forms without items are left out (as the
 * row-per-item read of before left them out). At ~446 item values a patient the read of one row,
 * five strings and one object per item was most of the time of a derivation at scale (issue 16);
 * now Node parses one text a visit. On SQLite the text is the visit's items object itself,
 * `{formCode: {itemCode: {"value": …, "unit": …}}}` (json_group_object); on PostgreSQL, where
 * building objects cost the server more than arrays (EXPLAIN ANALYZE at 5 000 patients: ~55–80 ms a
 * page of 25 subjects, ~40 ms with arrays), it is `[[formCode, [[itemCode, value, unit], …]], …]`
 * (json_agg; null for a form without items), made into the same object by visitItemsOf. Each level
 * is a subquery on its parent's key, so the items are found by index even before the database has
 * statistics (a join here was planned as a scan of every item for each visit on a fresh database). Codes are ordered byte-wise (COLLATE "C" on PostgreSQL, SQLite's default), so both
 * databases give the same objects with the same key order, and the same snapshot hash.
 *
 * One record per form (`fi.record = 1`, migration 024): the dataset is what the analysis, the
 * derived scores, SDTM and the death-record checks read, and every form they read is one the
 * definition cannot make repeating (core cross-checks.ts `ANALYSIS_FORM_CODES`: one record per
 * visit). A repeating form's records 2, … are never merged into record 1 here: they are read record
 * by record by the form routes and the ODM and CSV exports.
 */
export function visitItemsQuery(db: Db, subjectIds: readonly string[]) {
  const itemsJson =
    db.dialect === 'postgres'
      ? sql<string>`coalesce((select json_agg(json_build_array(fi.form_code, (select json_agg(json_build_array(iv.item_code, iv.value, iv.unit) order by iv.item_code collate "C") from item_values iv where iv.form_instance_id = fi.id)) order by fi.form_code collate "C") from form_instances fi where fi.visit_id = visits.id and fi.record = 1)::text, '[]')`
      : sql<string>`coalesce((select json_group_object(fi.form_code, (select json_group_object(iv.item_code, json_object('value', iv.value, 'unit', iv.unit) order by iv.item_code) from item_values iv where iv.form_instance_id = fi.id) order by fi.form_code) from form_instances fi where fi.visit_id = visits.id and fi.record = 1 and exists (select 1 from item_values x where x.form_instance_id = fi.id)), '{}')`;
  return db.kysely
    .selectFrom('visits')
    .select(['id', 'subject_id', 'visit_code', 'cycle', 'visit_date', itemsJson.as('items_json')])
    .where('subject_id', 'in', subjectIds)
    .orderBy('subject_id')
    .orderBy('cycle')
    .orderBy('visit_date')
    .orderBy('id');
}

/** The database file of a SQLite Db (undefined in memory). */
function sqliteFile(db: Db): string | undefined {
  const { target } = parseDatabaseUrl(db.url);
  return target === ':memory:' ? undefined : resolve(target);
}

/** A visit's items from visitItemsQuery's text (an object on SQLite, rows on PostgreSQL). */
function visitItemsOf(json: string): DatasetVisit['items'] {
  type Rows = [string, [string, string | null, string | null][] | null][];
  const parsed = JSON.parse(json) as DatasetVisit['items'] | Rows;
  if (!Array.isArray(parsed)) return parsed;
  const items: Record<string, Record<string, { value: string | null; unit: string | null }>> = {};
  for (const [formCode, rows] of parsed) {
    if (!rows) continue; // a form without items
    // Object.fromEntries, not a keyed store per item: V8 keeps a form built by keyed stores of more
    // than a dozen items in dictionary mode, where every read by item code is a hashed look-up; built
    // this way (like SQLite's JSON.parse'd forms) it has fast properties, which the scorer's form
    // readers (core crf/form-slots.ts) read at a field load each (bench/instruments.bench.ts).
    items[formCode] = Object.fromEntries(rows.map(([itemCode, value, unit]) => [itemCode, { value, unit }]));
  }
  return items;
}

function groupBy<T extends { subject_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const by = new Map<string, T[]>();
  for (const r of rows) {
    const list = by.get(r.subject_id);
    if (list) list.push(r);
    else by.set(r.subject_id, [r]);
  }
  return by;
}

/**
 * The study's subjects one by one, each with its visits, items, infusions and adverse events, read
 * a page of SUBJECT_PAGE subjects at a time: memory holds one page of rows, whatever the trial size.
 */
export async function* streamTrialSubjects(
  db: Db,
  studyId: string,
  opts: LoadDatasetOptions & { header?: TrialHeader; pageSize?: number } = {},
): AsyncGenerator<DatasetSubject> {
  const header = opts.header ?? (await loadTrialHeader(db, studyId));
  const siteCode = new Map(header.sites.map((s) => [s.id, s.code]));
  const subjects = await listDatasetSubjects(db, studyId, opts);
  const pageSize = opts.pageSize ?? SUBJECT_PAGE;
  const pages: Selectable<SubjectTable>[][] = [];
  for (let p = 0; p < subjects.length; p += pageSize) pages.push(subjects.slice(p, p + pageSize));
  // Two pages are read ahead while the caller derives the subjects of the one before: on PostgreSQL
  // their queries run on pooled connections meanwhile (the server's work and round trips overlap the
  // caller's); on a SQLite file of more than a few pages a worker thread runs them on its own
  // connection (page-reader.ts), outside a transaction only (the worker would not see what the
  // transaction wrote). Only a few pages are held at once: memory stays bounded.
  const file = db.dialect === 'sqlite' && !db.current ? sqliteFile(db) : undefined;
  const reader = file && pages.length > READER_MIN_PAGES ? new SqlitePageReader(file) : undefined;
  const ahead = reader || db.dialect === 'postgres' ? 2 : 0;
  const readPage = async (page: Selectable<SubjectTable>[]) => {
    const ids = page.map((s) => s.id);
    const queries = [
      visitItemsQuery(db, ids),
      db.kysely
        .selectFrom('infusions')
        .selectAll()
        .where('subject_id', 'in', ids)
        .orderBy('cycle')
        .orderBy('infusion_number'),
      db.kysely
        .selectFrom('adverse_events')
        .selectAll()
        .where('subject_id', 'in', ids)
        .orderBy('onset_date')
        .orderBy('id'),
      // The arm of each randomised subject (issue 24: the analysis by arm).
      db.kysely
        .selectFrom('randomisation_assignments')
        .select(['subject_id', 'arm'])
        .where('subject_id', 'in', ids),
    ] as const;
    if (reader && (await reader.ready)) {
      const [visits, infusions, aes, arms] = await reader.read(queries.map((q) => q.compile()));
      return {
        page,
        visits: visits as Awaited<ReturnType<(typeof queries)[0]['execute']>>,
        infusions: infusions as Selectable<InfusionTable>[],
        aes: aes as Selectable<AdverseEventTable>[],
        arms: arms as { subject_id: string; arm: string }[],
      };
    }
    const [visits, infusions, aes, arms] = await Promise.all(queries.map((q) => q.execute()));
    return {
      page,
      visits: visits as Awaited<ReturnType<(typeof queries)[0]['execute']>>,
      infusions: infusions as Selectable<InfusionTable>[],
      aes: aes as Selectable<AdverseEventTable>[],
      arms: arms as { subject_id: string; arm: string }[],
    };
  };
  const queue: ReturnType<typeof readPage>[] = [];
  let requested = 0;
  const request = (depth: number) => {
    while (requested < pages.length && queue.length < depth) {
      const read = readPage(pages[requested++]!);
      // Awaited in turn; a caller that stops early must not leave it unhandled.
      read.catch(() => undefined);
      queue.push(read);
    }
  };
  try {
    for (let p = 0; p < pages.length; p++) {
      request(1);
      const { page, visits, infusions, aes, arms } = await queue.shift()!;
      request(ahead);
      const armOf = new Map(arms.map((a) => [a.subject_id, a.arm]));
      const visitsBy = groupBy(visits);
      const infBy = groupBy(infusions);
      const aeBy = groupBy(aes);
      for (const s of page)
        yield {
          subjectId: s.id,
          subjectCode: opts.pseudonymise ? s.pseudonym : s.subject_code,
          siteId: s.site_id,
          siteCode: siteCode.get(s.site_id) ?? '',
          status: s.status,
          sex: s.sex,
          birthDate: opts.pseudonymise ? null : s.birth_date,
          day0Date: s.day0_date,
          visits: (visitsBy.get(s.id) ?? []).map(
            (v): DatasetVisit => ({
              visitId: v.id,
              visitCode: v.visit_code,
              cycle: Number(v.cycle),
              date: v.visit_date,
              items: visitItemsOf(v.items_json),
            }),
          ),
          infusions: (infBy.get(s.id) ?? []).map((i) => ({
            cycle: Number(i.cycle),
            infusionNumber: Number(i.infusion_number),
            date: i.started_at?.slice(0, 10) ?? i.planned_date,
            productLot: i.product_lot,
            totalCells: i.total_cells === null ? null : Number(i.total_cells),
            viabilityPct: i.viability_pct === null ? null : Number(i.viability_pct),
            weightKg: i.weight_kg === null ? null : Number(i.weight_kg),
            status: i.status,
            reactions: i.reactions,
          })),
          adverseEvents: (aeBy.get(s.id) ?? []).map((a) => ({
            term: a.term,
            onsetDate: a.onset_date,
            resolutionDate: a.resolution_date,
            ctcaeGrade: a.ctcae_grade === null ? null : Number(a.ctcae_grade),
            serious: Number(a.serious) === 1,
            seriousness: JSON.parse(a.seriousness_json) as string[],
            relatedness: a.relatedness,
            outcome: a.outcome,
            deathDate: a.death_date,
            deathCause: a.death_cause,
            infusionLinked: a.infusion_id !== null,
          })),
          // Only when randomised: a single-arm study's subjects (and their hashes) are unchanged.
          ...(armOf.has(s.id) ? { arm: armOf.get(s.id)! } : {}),
        };
    }
  } finally {
    await reader?.close();
  }
}

/**
 * Streams the study's subjects through `each` (in subject-code order) and returns the header and
 * the snapshot: what a caller needs to derive subject by subject without holding the items.
 */
export async function forEachTrialSubject(
  db: Db,
  studyId: string,
  opts: LoadDatasetOptions,
  each: (subject: DatasetSubject, hash: string) => void | Promise<void>,
): Promise<TrialHeader & { snapshot: TrialDataset['snapshot'] }> {
  const takenAt = new Date().toISOString();
  const header = await loadTrialHeader(db, studyId);
  const hashes: string[] = [];
  for await (const s of streamTrialSubjects(db, studyId, { ...opts, header })) {
    const h = subjectDataHash(s);
    hashes.push(h);
    await each(s, h);
  }
  return { ...header, snapshot: { takenAt, hash: snapshotHash(header, hashes) } };
}

/** The whole study in memory (small trials, tests, exports that need it). Same snapshot hash as the stream. */
export async function loadTrialDataset(
  db: Db,
  studyId: string,
  opts: LoadDatasetOptions = {},
): Promise<TrialDataset> {
  const subjects: DatasetSubject[] = [];
  const { snapshot, ...header } = await forEachTrialSubject(db, studyId, opts, (s) => {
    subjects.push(s);
  });
  return { ...header, subjects, snapshot };
}
